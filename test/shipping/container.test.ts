// The container image, checked without Docker (no daemon or base image is needed): the
// Dockerfile's build stage is run from only the files it copies, what its runtime stage copies
// from the build is put alone into an empty folder, started the way its ENTRYPOINT and ENV say,
// and its HEALTHCHECK is run against that process.
import { execFile, execSync, spawn } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENVIRONMENT_VARIABLES } from '../../src/config/variables.js';
import { createSandbox, DEMO_BUYER, type Sandbox } from '../../src/sandbox/index.js';
import { freePort } from '../field/support.js';
import { LOGIN_TOKEN, postGraphQL, sandboxEnv } from './support.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PACKAGE = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string; bin: Record<string, string> };

/** One instruction: `COPY --from=build /app/x ./x` is `{ keyword: 'COPY', args: '--from=build /app/x ./x' }`. */
interface Instruction {
  keyword: string;
  args: string;
}
interface Stage {
  image: string;
  name: string | undefined;
  instructions: Instruction[];
}

/** The Dockerfile's stages, continuation lines joined and comments dropped, as Docker reads them. */
function parseDockerfile(text: string): Stage[] {
  const lines = text.replace(/\\\r?\n(?:[ \t]*#.*\r?\n)*/g, ' ').split(/\r?\n/);
  const stages: Stage[] = [];
  for (const line of lines.map((each) => each.trim()).filter((each) => each !== '' && !each.startsWith('#'))) {
    const [, keyword = '', args = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const instruction = { keyword: keyword.toUpperCase(), args };
    if (instruction.keyword === 'FROM') {
      const [image = '', as, name] = args.split(/\s+/);
      stages.push({ image, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
    } else {
      const stage = stages.at(-1);
      if (stage === undefined) throw new Error(`${keyword} before any FROM`);
      stage.instructions.push(instruction);
    }
  }
  return stages;
}

/** `--name=value` options at the start of an instruction's arguments, and what follows them. */
function options(args: string): { options: Record<string, string>; rest: string } {
  const found: Record<string, string> = {};
  let rest = args;
  for (let match = /^--([\w-]+)(?:=(\S*))?\s*/.exec(rest); match; match = /^--([\w-]+)(?:=(\S*))?\s*/.exec(rest)) {
    found[match[1]!] = match[2] ?? '';
    rest = rest.slice(match[0].length);
  }
  return { options: found, rest };
}

/** The argument list of an exec-form instruction (`["node", "x.js"]`); throws on shell form. */
function execForm(args: string): string[] {
  const parsed: unknown = JSON.parse(args);
  if (!Array.isArray(parsed) || !parsed.every((word) => typeof word === 'string')) throw new Error(`not exec form: ${args}`);
  return parsed;
}

const all = (stage: Stage, keyword: string) => stage.instructions.filter((each) => each.keyword === keyword);
const last = (stage: Stage, keyword: string) => all(stage, keyword).at(-1)?.args;

/** A stage's ENV, `KEY=value` pairs (quotes and the old `ENV KEY value` form are not used). */
function envOf(stage: Stage): Record<string, string> {
  return Object.fromEntries(all(stage, 'ENV').flatMap(({ args }) => args.split(/\s+/).map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)])));
}

/**
 * Docker's COPY, into a folder standing for the stage's WORKDIR: a folder source copies its
 * content into the destination, a file source copies into a destination ending in `/` by its
 * name, else to the destination itself.
 */
function copy(sources: string[], destination: string, into: string): string[] {
  const target = join(into, destination);
  const intoFolder = destination.endsWith('/') || sources.length > 1;
  for (const source of sources) {
    if (statSync(source).isDirectory()) {
      cpSync(source, target, { recursive: true });
    } else {
      mkdirSync(intoFolder ? target : dirname(target), { recursive: true });
      cpSync(source, intoFolder ? join(target, basename(source)) : target);
    }
  }
  return sources;
}

/**
 * A path of a stage's filesystem, which must lie inside its WORKDIR, relative to that WORKDIR;
 * a trailing `/` (a COPY into a folder) is kept.
 */
function insideWorkdir(stage: Stage, path: string): string {
  const workdir = last(stage, 'WORKDIR') ?? '/';
  const relative = posix.relative(workdir, posix.resolve(workdir, path));
  if (relative.startsWith('..')) throw new Error(`${path} is outside WORKDIR ${workdir}`);
  return path.endsWith('/') ? `${relative}/` : relative;
}

const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const stages = parseDockerfile(dockerfile);
const runtime = stages.at(-1)!;
const runtimeEnv = envOf(runtime);
const command = execForm(last(runtime, 'ENTRYPOINT') ?? '[]').concat(execForm(last(runtime, 'CMD') ?? '[]'));
const healthcheck = options(last(runtime, 'HEALTHCHECK') ?? '');
const healthcheckCommand = execForm(healthcheck.rest.replace(/^CMD\s+/, ''));

/** The runtime stage's COPY --from instructions: the only files the image runs from. */
const copiedFromBuild = all(runtime, 'COPY').map(({ args }) => {
  const { options: flags, rest } = options(args);
  const words = rest.split(/\s+/);
  return { from: flags['from'], sources: words.slice(0, -1), destination: words.at(-1)! };
});

describe('Dockerfile', () => {
  it('runs, as the unprivileged node user of a slim Node 20 image, the built command in exec form with NODE_ENV=production on 0.0.0.0', () => {
    expect(runtime.image).toMatch(/^node:20[\w.-]*-slim$/);
    expect(last(runtime, 'USER')).toBe('node');
    expect(runtimeEnv).toEqual({ NODE_ENV: 'production', HOST: '0.0.0.0', PORT: ENVIRONMENT_VARIABLES.PORT.default });
    expect(last(runtime, 'EXPOSE')).toBe(runtimeEnv['PORT']);
    // `node` itself, not `npm start` or a shell, so SIGTERM reaches the gateway as PID 1.
    expect(command).toEqual(['node', PACKAGE.bin['b2b-auth-gateway']]);
    expect(all(runtime, 'RUN')).toEqual([]);
    expect(copiedFromBuild.map((each) => each.from)).toEqual(copiedFromBuild.map(() => stages[0]!.name));
  });

  it('checks health with Node asking /health on $PORT: a slim image has no curl', () => {
    expect(healthcheckCommand.slice(0, 2)).toEqual(['node', '-e']);
    expect(healthcheckCommand[2]).toContain('/health');
    expect(healthcheckCommand[2]).toContain('process.env.PORT');
    expect(Object.keys(healthcheck.options).sort()).toEqual(['interval', 'retries', 'start-period', 'timeout']);
    expect(runtime.instructions.filter(({ args }) => /\b(curl|wget)\b/.test(args))).toEqual([]);
  });

  it('.dockerignore keeps installed and built output and history out of the context, and none of what the build copies', () => {
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));
    const copiedFromContext = stages[0]!.instructions
      .filter((each) => each.keyword === 'COPY' && options(each.args).options['from'] === undefined)
      .flatMap(({ args }) => options(args).rest.split(/\s+/).slice(0, -1));

    expect(ignored).toEqual(expect.arrayContaining(['**/node_modules', 'dist', 'test-artifacts', '.git']));
    for (const source of copiedFromContext) {
      expect(ignored.filter((pattern) => posix.normalize(source).startsWith(pattern.replace(/^\*\*\//, '')))).toEqual([]);
    }
  });
});

describe('the image, as its stages say (without Docker)', () => {
  let work: string;
  /** The build stage's WORKDIR. */
  let buildDir: string;
  /** The runtime stage's WORKDIR: an empty folder but for what it copies from the build. */
  let appDir: string;
  let sandbox: Sandbox;
  let env: Record<string, string>;

  beforeAll(async () => {
    const [build] = stages;
    if (build === undefined || build === runtime) throw new Error('no build stage');
    work = mkdtempSync(join(tmpdir(), 'gateway-container-'));
    buildDir = join(work, 'build');
    appDir = join(work, 'app');
    mkdirSync(buildDir);
    for (const { keyword, args } of build.instructions) {
      if (keyword === 'COPY') {
        const words = options(args).rest.split(/\s+/);
        copy(
          words.slice(0, -1).map((source) => join(ROOT, source)),
          insideWorkdir(build, words.at(-1)!),
          buildDir,
        );
      } else if (keyword === 'RUN') {
        const script = options(args).rest;
        // `npm ci` installs what the lockfile says; this checkout's node_modules stands for it.
        if (/^npm ci\b/.test(script)) symlinkSync(join(ROOT, 'node_modules'), join(buildDir, 'node_modules'), 'dir');
        else execSync(script, { cwd: buildDir, stdio: 'pipe' });
      } else if (keyword !== 'WORKDIR') {
        throw new Error(`the build stage's ${keyword} is not simulated here`);
      }
    }

    mkdirSync(appDir);
    for (const { sources, destination } of copiedFromBuild) {
      copy(
        sources.map((source) => join(buildDir, insideWorkdir(build, source))),
        insideWorkdir(runtime, destination),
        appDir,
      );
    }
    // As in the image: world-readable, and the gateway's user may not write them.
    chmodSync(work, 0o755);
    sandbox = await createSandbox({ rateLimit: 10_000 });
    const { B2B_AUTH_TOKEN: token = '', ...upstream } = sandboxEnv(sandbox);
    const tokenFile = join(work, 'b2b-auth-token');
    writeFileSync(tokenFile, `${token}\n`, { mode: 0o444 });
    env = {
      PATH: process.env['PATH'] ?? '',
      ...runtimeEnv,
      ...upstream,
      // A secret through a file, as deploy/kubernetes.yaml passes it.
      B2B_AUTH_TOKEN_FILE: tokenFile,
      HOST: '127.0.0.1',
      PORT: String(await freePort()),
      GATEWAY_SHUTDOWN_DELAY_MS: '0',
    };
  }, 120_000);
  afterAll(async () => {
    await sandbox?.close();
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
  });

  /** Runs the HEALTHCHECK's command with the container's environment; answers its exit code. */
  function runHealthcheck(): Promise<number> {
    const [program, ...args] = healthcheckCommand;
    expect(program).toBe('node');
    return new Promise((resolve) => execFile(process.execPath, args, { env, timeout: 10_000 }, (error) => resolve(error === null ? 0 : Number(error.code ?? -1))));
  }

  it('copies nothing from the build that holds node_modules, and runs without any', () => {
    for (const source of copiedFromBuild.flatMap((each) => each.sources)) {
      expect(existsSync(join(buildDir, insideWorkdir(stages[0]!, source), 'node_modules')), source).toBe(false);
      expect(source).not.toContain('node_modules');
    }
    for (let folder = appDir; folder !== dirname(folder); folder = dirname(folder)) {
      expect(existsSync(join(folder, 'node_modules')), folder).toBe(false);
    }
  });

  it('`docker run <image> --version` prints the package version', async () => {
    const [, ...args] = command;
    const version = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, [...args, '--version'], { cwd: appDir, env }, (error, stdout) => (error === null ? resolve(stdout) : reject(error))),
    );

    expect(version).toBe(`${PACKAGE.version}\n`);
  });

  it('starts with the ENTRYPOINT, serves a login, passes its HEALTHCHECK, and fails it once stopped by SIGTERM', async () => {
    const [program, ...args] = command;
    expect(program).toBe('node');
    // The image's node user (1000) where this test may switch users; the files are root's.
    const user = process.getuid?.() === 0 ? { uid: 1000, gid: 1000 } : {};
    const child = spawn(process.execPath, args, { cwd: appDir, env, stdio: ['ignore', 'ignore', 'pipe'], ...user });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const url = `http://127.0.0.1:${env['PORT']}`;
      await waitForHealth(url, exited, () => stderr);

      const reply = await postGraphQL(`${url}/graphql`, { query: LOGIN_TOKEN, variables: { input: { email: DEMO_BUYER.email, password: DEMO_BUYER.password } } });
      expect(reply).toEqual({ status: 200, body: { data: { login: { token: { value: expect.stringMatching(/^eyJ/), via: 'GRAPHQL_LOGIN' } } } } });
      expect(await runHealthcheck()).toBe(0);

      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(await runHealthcheck()).toBe(1);
      expect(stderr).not.toContain(sandbox.authToken);
    } finally {
      child.kill('SIGKILL');
    }
  }, 30_000);
});

/** Polls `${url}/health` until it answers 200, as an orchestrator would; fails if the process exits first. */
async function waitForHealth(url: string, exited: Promise<number | null>, output: () => string): Promise<void> {
  let gone: number | null | undefined;
  void exited.then((code) => (gone = code));
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (gone !== undefined) throw new Error(`exited ${gone} before answering /health:\n${output()}`);
    const ok = await fetch(`${url}/health`).then((response) => response.ok, () => false);
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no answer from /health within 15 s:\n${output()}`);
}
