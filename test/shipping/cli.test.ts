// The shipped artifact: `npm run build`'s JavaScript (built here into a folder of this test's
// own, so it never races a `dist/` in use), run the way the package's `bin` and
// `npm run start:prod` run it.
import { execFile, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from '../../scripts/build.js';
import { helpText, packageVersion } from '../../src/command/help.js';
import { createSandbox, DEMO_BUYER, type Sandbox } from '../../src/sandbox/index.js';
import { LOGIN_TOKEN, postGraphQL, sandboxEnv } from './support.js';

const ROOT = new URL('../../', import.meta.url);
const PACKAGE = JSON.parse(readFileSync(new URL('package.json', ROOT), 'utf8')) as {
  version: string;
  bin: Record<string, string>;
  main: string;
  types: string;
  exports: { '.': { types: string; default: string } };
  scripts: Record<string, string>;
};

const out = fileURLToPath(new URL(`test-artifacts/shipping-build-${process.pid}`, ROOT));
/** A path of the package (`dist/…`) in this test's build. */
const built = (packagePath: string) => join(out, packagePath.replace(/^(\.\/)?dist\//, ''));

beforeAll(() => {
  build(out, { typeCheck: false });
}, 120_000);
afterAll(() => rmSync(out, { recursive: true, force: true }));

const run = promisify(execFile);

/** The URL of the command's `listening` log line (a JSON object), once it is in `stderr`. */
function listeningUrl(stderr: string): string | undefined {
  // Complete lines only: a chunk may end inside one.
  for (const line of stderr.split('\n').slice(0, -1)) {
    if (!line.startsWith('{')) continue;
    const entry = JSON.parse(line) as { msg?: string; url?: string };
    if (entry.msg === 'listening') return entry.url;
  }
  return undefined;
}

/** Runs the built command with only `env` (and PATH); never rejects. */
async function command(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, [built(PACKAGE.bin['b2b-auth-gateway']!), ...args], { env: { PATH: process.env['PATH'] ?? '', ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code: number; stdout: string; stderr: string };
    return { code: failure.code, stdout: failure.stdout, stderr: failure.stderr };
  }
}

describe('the package', () => {
  it('points bin, main, types and exports at files the build emits; the bin keeps its shebang', () => {
    expect(PACKAGE.bin).toEqual({ 'b2b-auth-gateway': 'dist/command/src/cli.js' });
    for (const file of [PACKAGE.main, PACKAGE.types, PACKAGE.exports['.'].types, PACKAGE.exports['.'].default]) {
      expect(existsSync(built(file)), file).toBe(true);
    }
    expect(readFileSync(built(PACKAGE.bin['b2b-auth-gateway']!), 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
    // The command runs as the bin does, with no node flags: src/cli.ts sets the one it needs.
    expect(PACKAGE.scripts['start:prod']).toBe('NODE_ENV=production node dist/command/src/cli.js');
  });

  it("keeps the command's JavaScript in Latin-1, so V8 holds each loaded chunk at one byte a character", () => {
    const folder = join(out, 'command', 'src');
    const chunks = readdirSync(folder).filter((name) => name.endsWith('.js'));
    expect(chunks.length).toBeGreaterThan(1);
    // One character above U+00FF (a dependency's comment: ’, —) and V8 keeps the whole chunk
    // as UTF-16: the main chunk alone took ~6 MB of the gateway's RSS instead of ~2.
    const wide = chunks.filter((name) => /[^\u0000-\u00ff]/.test(readFileSync(join(folder, name), 'utf8')));
    expect(wide).toEqual([]);
  });
});

describe('b2b-auth-gateway --help', () => {
  it('the built command prints it on stdout and exits 0', async () => {
    const result = await command(['--help']);

    expect(result).toEqual({ code: 0, stdout: helpText(PACKAGE.version), stderr: '' });
    expect(result.stdout).toContain('\n  B2B_API_URL\n');
    expect(result.stdout).toContain('\n  GATEWAY_PERSISTED_DOCUMENTS\n');
  });

  it('--version prints the package version', async () => {
    expect(await command(['--version'])).toEqual({ code: 0, stdout: `${PACKAGE.version}\n`, stderr: '' });
    expect(packageVersion()).toBe(PACKAGE.version);
  });

  it('an unknown argument exits 2 and points at --help', async () => {
    const result = await command(['--port=80']);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Run "b2b-auth-gateway --help" for the list.');
  });
});

describe('b2b-auth-gateway (the built JavaScript)', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await createSandbox({ rateLimit: 10_000 });
  });
  afterAll(() => sandbox.close());

  it('runs with NODE_ENV=production when unset: without B2B_API_URL it refuses to start', async () => {
    const result = await command([]);

    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Invalid configuration:\n  - B2B_API_URL: is required when NODE_ENV=production (the sandbox is for development only)\n',
    });
  });

  /** Starts the built command with `env` (and PATH) and waits until it listens. */
  async function startCommand(env: Record<string, string>) {
    const child = spawn(process.execPath, [built(PACKAGE.bin['b2b-auth-gateway']!)], {
      env: { PATH: process.env['PATH'] ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const output = { stderr: '', stdout: '' };
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => (output.stdout += chunk));
    child.stderr.setEncoding('utf8');
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.on('data', (chunk: string) => {
        output.stderr += chunk;
        const url = listeningUrl(output.stderr);
        if (url !== undefined) resolve(url);
      });
      void exited.then((code) => reject(new Error(`exited ${code} before listening:\n${output.stderr}`)));
    }).catch((error: unknown) => {
      child.kill('SIGKILL');
      throw error;
    });
    return { child, exited, output, url };
  }

  it('serves a login in production mode (GraphiQL off), then drains and exits 0 on SIGTERM', async () => {
    const { child, exited, output, url } = await startCommand(sandboxEnv(sandbox, { GATEWAY_SHUTDOWN_DELAY_MS: '0' }));
    try {
      const reply = await postGraphQL(url, { query: LOGIN_TOKEN, variables: { input: { email: DEMO_BUYER.email, password: DEMO_BUYER.password } } });
      const graphiql = await fetch(url, { headers: { accept: 'text/html' } });

      expect(reply).toEqual({ status: 200, body: { data: { login: { token: { value: expect.stringMatching(/^eyJ/), via: 'GRAPHQL_LOGIN' } } } } });
      // GraphiQL is off in production: a browser's GET is not acceptable.
      expect(graphiql.status).toBe(406);
      expect(output.stderr).not.toContain('SANDBOX MODE');
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  });

  // The command is bundled: what it loads on demand (the sandbox and the upstream schema it
  // reads, GraphiQL's page) lives in chunks and files of its own, which this reaches.
  it('in development without B2B_API_URL, serves the embedded sandbox\'s demo login and GraphiQL', async () => {
    const { child, exited, output, url } = await startCommand({ NODE_ENV: 'development', HOST: '127.0.0.1', PORT: '0', GATEWAY_SHUTDOWN_DELAY_MS: '0' });
    try {
      const reply = await postGraphQL(url, { query: LOGIN_TOKEN, variables: { input: { email: DEMO_BUYER.email, password: DEMO_BUYER.password } } });
      const graphiql = await fetch(url, { headers: { accept: 'text/html' } });
      const page = await graphiql.text();

      expect(reply).toEqual({ status: 200, body: { data: { login: { token: { value: expect.stringMatching(/^eyJ/), via: 'GRAPHQL_LOGIN' } } } } });
      expect(graphiql.status).toBe(200);
      expect(page).toContain('<title>b2b-auth-gateway (sandbox)</title>');
      expect(output.stderr).toContain('SANDBOX MODE');
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
