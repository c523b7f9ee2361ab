// The real entry point (`src/main.ts`) in a child process: SIGTERM drains an in-flight login and
// exits 0; a bad configuration exits 1 with one line per problem and no secret.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { connectOutcome, loginOverOwnConnection, untilSandboxSees } from '../support/http.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SECRET_TOKEN = 'super-secret-token-value';
const SHORT_KEY = 'short-secret';
const UPSTREAM_LATENCY_MS = 800;

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

interface Child {
  process: ChildProcess;
  /** Everything the child wrote to stderr so far. */
  stderr(): string;
  /** Resolves once stderr matches `pattern`. */
  waitFor(pattern: RegExp): Promise<RegExpExecArray>;
  exited: Promise<Exit>;
}

const children: ChildProcess[] = [];

/** Runs `node --import tsx src/main.ts` with only `env` (and PATH) in its environment. */
function runMain(env: Record<string, string>): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  const waiters: Array<{ pattern: RegExp; resolve: (match: RegExpExecArray) => void }> = [];
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    stderr += chunk;
    for (const waiter of [...waiters]) {
      const match = waiter.pattern.exec(stderr);
      if (match) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(match);
      }
    }
  });
  const exited = new Promise<Exit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return {
    process: child,
    stderr: () => stderr,
    waitFor: (pattern) =>
      new Promise((resolve, reject) => {
        const match = pattern.exec(stderr);
        if (match) return resolve(match);
        waiters.push({ pattern, resolve });
        void exited.then((exit) => reject(new Error(`main.ts exited (${JSON.stringify(exit)}) before printing ${pattern}:\n${stderr}`)));
      }),
    exited,
  };
}

afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

describe('SIGTERM', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await createSandbox({ rateLimit: 10_000 });
  });
  afterEach(() => sandbox.clearFaults());
  afterAll(() => sandbox?.close());

  it('drains an in-flight login to a 200 with a token, refuses new connections meanwhile, then exits 0', async () => {
    const main = runMain({
      B2B_API_URL: sandbox.url,
      B2B_STORE_HASH: sandbox.storeHash,
      B2B_AUTH_TOKEN: sandbox.authToken,
      PORT: '0',
      HOST: '127.0.0.1',
    });
    const [, address] = await main.waitFor(/b2b-auth-gateway listening on (http:\/\/\S+)\n/);
    const url = new URL(address!);

    // The upstream answers slowly, so the login is still in flight when SIGTERM arrives.
    sandbox.injectFault({ match: 'POST /graphql', latencyMs: UPSTREAM_LATENCY_MS, times: 1 });
    let answered = false;
    const inFlight = loginOverOwnConnection(url).finally(() => (answered = true));
    await untilSandboxSees(sandbox, 'POST', '/graphql');

    const signalledAt = performance.now();
    main.process.kill('SIGTERM');
    await main.waitFor(/SIGTERM: draining in-flight requests, then stopping\n/);
    expect(await connectOutcome(url)).toBe('ECONNREFUSED');
    expect(answered).toBe(false);

    const answer = await inFlight;
    const answeredAfterMs = Math.round(performance.now() - signalledAt);
    expect(answer.status).toBe(200);
    expect(answer.connection).toBe('close');
    expect(answer.body.data?.login?.token?.via).toBe('GRAPHQL_LOGIN');
    expect(answer.body.data?.login?.token?.value).toMatch(/^eyJ[\w-]+\.[\w-]+\.[\w-]+$/);

    expect(await main.exited).toEqual({ code: 0, signal: null });
    const exitedAfterMs = Math.round(performance.now() - signalledAt);
    expect(main.stderr()).toMatch(/\ndrained in \d+ ms\n$/);
    expect(main.stderr()).not.toContain(sandbox.authToken);
    console.log(
      `SIGTERM with a login in flight (upstream latency ${UPSTREAM_LATENCY_MS} ms): answered 200 ${answeredAfterMs} ms after the signal, process exited 0 after ${exitedAfterMs} ms`,
    );
  });
});

describe('a bad configuration', () => {
  it('exits 1 with one line per problem and never prints a secret given in the environment', async () => {
    const main = runMain({
      B2B_API_URL: 'https://x',
      B2B_AUTH_TOKEN: SECRET_TOKEN,
      B2B_TIMEOUT_MS: 'soon',
      GATEWAY_TRUSTED_KEYS: SHORT_KEY,
      PORT: '99999',
    });
    expect(await main.exited).toEqual({ code: 1, signal: null });
    expect(main.stderr()).toBe(
      [
        'Invalid configuration:',
        '  - B2B_TIMEOUT_MS: Invalid input: expected number, received NaN',
        '  - PORT: Too big: expected number to be <=65535',
        '  - B2B_STORE_HASH: is required with B2B_API_URL',
        '  - GATEWAY_TRUSTED_KEYS: 1 key(s) shorter than 16 characters',
        '',
      ].join('\n'),
    );
    expect(main.stderr()).not.toContain(SECRET_TOKEN);
    expect(main.stderr()).not.toContain(SHORT_KEY);
  });

  it('exits 1 when NODE_ENV=production names no upstream, rather than start the sandbox', async () => {
    const main = runMain({ NODE_ENV: 'production', B2B_AUTH_TOKEN: SECRET_TOKEN });
    expect(await main.exited).toEqual({ code: 1, signal: null });
    expect(main.stderr()).toBe('Invalid configuration:\n  - B2B_API_URL: is required when NODE_ENV=production (the sandbox is for development only)\n');
  });
});
