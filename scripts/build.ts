import { execFileSync } from 'node:child_process';
import { buildSync } from 'esbuild';
import { chmodSync, copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** The upstream SDL the sandbox serves, read at run time (where from: `src/runtime/sdl-files.ts`). */
const UPSTREAM_SCHEMA = 'src/upstream/b2b-graphql/upstream-schema.graphql';
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
  copyRuntimeFiles(out);
  chmodSync(join(out, 'src', 'cli.js'), 0o755);
  bundleCommand(out);
  return out;
}

/** The SDL files the compiled code reads at run time (`src/runtime/sdl-files.ts`), into the tree at `tree`. */
function copyRuntimeFiles(tree: string): void {
  mkdirSync(join(tree, 'schema'), { recursive: true });
  for (const file of readdirSync(join(ROOT, 'schema')).filter((name) => name.endsWith('.graphql'))) {
    copyFileSync(join(ROOT, 'schema', file), join(tree, 'schema', file));
  }
  mkdirSync(dirname(join(tree, UPSTREAM_SCHEMA)), { recursive: true });
  copyFileSync(join(ROOT, UPSTREAM_SCHEMA), join(tree, UPSTREAM_SCHEMA));
}

/**
 * The command (`bin`, `npm run start:prod`) as a bundle in `<outDir>/command`: the same tree as
 * `<outDir>` (`src/cli.js`, `schema/`, the sandbox's upstream schema), its JavaScript and its
 * dependencies' in a few files. Node's ESM loader resolves and reads each of the ~900 modules
 * the unbundled command loads one by one, most of its start-up
 * (docs/decisions/007-bundled-command.md); the library (`main`, `exports`) stays the unbundled `src/`, so an embedding application shares its
 * dependencies. What the gateway imports on demand (the sandbox, Redis, OpenTelemetry,
 * GraphiQL's page) stays in chunks of its own, loaded only when used.
 */
function bundleCommand(out: string): void {
  const command = join(out, 'command');
  buildSync({
    entryPoints: [join(out, 'src', 'cli.js')],
    outdir: join(command, 'src'),
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: true,
    // No comments or indentation: the source of every loaded chunk stays in the heap, and one
    // character above U+00FF in a dependency's comment makes V8 keep a whole chunk as UTF-16
    // (docs/decisions/007-bundled-command.md). Names are kept, and the source maps map back.
    minifyWhitespace: true,
    logLevel: 'warning',
    // CommonJS dependencies call `require` (of Node's built-ins), which an ES module lacks.
    banner: { js: "import { createRequire as __gatewayRequire } from 'node:module'; const require = __gatewayRequire(import.meta.url);" },
  });
  copyRuntimeFiles(command);
  chmodSync(join(command, 'src', 'cli.js'), 0o755);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    process.stdout.write(`built ${build(process.argv[2])}\n`);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}
