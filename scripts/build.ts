import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TSC = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');

/** Options of {@link build}. */
export interface BuildOptions {
  /**
   * Fail on type errors, as `npm run build` does. Tests of the built artifact turn it off: the
   * type check is `npm run typecheck`'s job, and emitting is the same either way.
   * @default true
   */
  typeCheck?: boolean;
}

/**
 * `npm run build [-- <outDir>]`: compiles `src/` to `<outDir>/src` (JavaScript, declarations,
 * source maps; `cli.js` keeps its shebang and is made executable) and copies beside it the SDL
 * files the compiled code reads at run time. `outDir` defaults to `dist`; tests build into their
 * own folder so they never race a `dist/` something else is running.
 */
export function build(outDir = 'dist', options: BuildOptions = {}): string {
  const out = isAbsolute(outDir) ? outDir : resolve(ROOT, outDir);
  rmSync(out, { recursive: true, force: true });
  const args = [TSC, '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', out, ...(options.typeCheck === false ? ['--noCheck'] : [])];
  try {
    execFileSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', stdio: 'pipe' });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`tsc failed:\n${stdout ?? ''}${stderr ?? ''}`);
  }
  mkdirSync(join(out, 'schema'), { recursive: true });
  for (const file of readdirSync(join(ROOT, 'schema')).filter((name) => name.endsWith('.graphql'))) {
    copyFileSync(join(ROOT, 'schema', file), join(out, 'schema', file));
  }
  const upstreamSchema = 'src/upstream/b2b-graphql/upstream-schema.graphql';
  copyFileSync(join(ROOT, upstreamSchema), join(out, upstreamSchema));
  chmodSync(join(out, 'src', 'cli.js'), 0o755);
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    process.stdout.write(`built ${build(process.argv[2])}\n`);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}
