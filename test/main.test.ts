// The real entry point (`src/main.ts`) in a child process: SIGTERM turns `/readiness` to 503 and
// keeps serving for the shutdown delay, then drains and exits 0, each step a JSON log line; a bad
// configuration exits 1 with one plain line per problem and no secret.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../src/sandbox/index.js';
import { connectOutcome, overKeepAliveConnection, untilSandboxSees } from './support/http.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SECRET_TOKEN = 'super-secret-token-value';
const SHORT_KEY = 'short-secret';

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** One JSON log line. */
type LogLine = { level: string; msg?: string } & Record<string, unknown>;

interface Child {
  process: ChildProcess;
  /** Everything the child wrote to stderr so far. */
  stderr(): string;
  /** Resolves with the first JSON line on stderr whose `msg` starts with `msg`. */
  waitFor(msg: string): Promise<LogLine>;
  exited: Promise<Exit>;
}

const children: ChildProcess[] = [];

/** The stderr lines that parse as JSON log lines. */
const logLines = (stderr: string): LogLine[] =>
  stderr.split('\n').flatMap((line) => {
    try {
      return [JSON.parse(line) as LogLine];
    } catch {
      return [];
    }
  });

/** Runs `node --import tsx src/main.ts` with only `env` (and PATH) in its environment. */
function runMain(env: Record<string, string>): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  const waiters: Array<{ msg: string; resolve: (line: LogLine) => void }> = [];
  const find = (msg: string) => logLines(stderr).find((line) => line.msg?.startsWith(msg));
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    stderr += chunk;
    for (const waiter of [...waiters]) {
      const line = find(waiter.msg);
      if (line) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  });
  const exited = new Promise<Exit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return {
    process: child,
    stderr: () => stderr,
    waitFor: (msg) =>
      new Promise((resolve, reject) => {
        const line = find(msg);
        if (line) return resolve(line);
        waiters.push({ msg, resolve });
        void exited.then((exit) => reject(new Error(`main.ts exited (${JSON.stringify(exit)}) before logging "${msg}":\n${stderr}`)));
      }),
    exited,
  };
}

/** What a request over a keep-alive connection got: status, `Connection` header and parsed body. */
interface KeepAliveAnswer {
  status: number;
  connection: string | undefined;
  body: { status?: string; reason?: string; data?: { login?: { token?: { via?: string } } } };
}

const keepAliveRequest = (url: URL) => overKeepAliveConnection<KeepAliveAnswer['body']>(url);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

// Each test starts main.ts under tsx (seconds on a busy machine) and waits out a shutdown.
describe('stopping on a signal', { timeout: 45_000 }, () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await createSandbox({ rateLimit: 10_000 });
  });
  afterEach(() => {
    sandbox.clearFaults();
    sandbox.clearRequests();
  });
  afterAll(() => sandbox?.close());

  /** Starts main.ts in front of the sandbox with a shutdown delay; resolves once it listens. */
  async function start(delayMs: number): Promise<{ main: Child; url: URL; at: (path: string) => URL }> {
    const main = runMain({
      B2B_API_URL: sandbox.url,
      B2B_STORE_HASH: sandbox.storeHash,
      B2B_AUTH_TOKEN: sandbox.authToken,
      PORT: '0',
      HOST: '127.0.0.1',
      GATEWAY_SHUTDOWN_DELAY_MS: String(delayMs),
    });
    const listening = await main.waitFor('listening');
    const url = new URL(listening['url'] as string);
    return { main, url, at: (path) => new URL(path, url) };
  }

  const LOGGED_IN: KeepAliveAnswer = { status: 200, connection: 'close', body: expect.objectContaining({ data: { login: expect.objectContaining({ token: expect.objectContaining({ via: 'GRAPHQL_LOGIN' }) }) } }) };

  it('SIGTERM: /readiness 503 at once, every request served with Connection: close through the delay, a late slow login answered after the listener closed, exit 0', async () => {
    const DELAY_MS = 2_000;
    const { main, url, at } = await start(DELAY_MS);

    // A login whose upstream call is still under way when the signal arrives.
    sandbox.injectFault({ match: 'POST /graphql', latencyMs: 800, times: 1 });
    const inFlight = keepAliveRequest(url);
    await untilSandboxSees(sandbox, 'POST', '/graphql');

    const signalledAt = performance.now();
    main.process.kill('SIGTERM');
    expect(await main.waitFor('shutting down')).toMatchObject({ level: 'info', signal: 'SIGTERM', delayMs: DELAY_MS });
    expect(await keepAliveRequest(at('/readiness'))).toEqual({ status: 503, connection: 'close', body: { status: 'not ready', reason: 'shutting down' } });
    expect(await keepAliveRequest(url)).toEqual(LOGGED_IN);
    expect(await inFlight).toEqual(LOGGED_IN);

    // Late in the delay, a login slower than what is left of it.
    await sleep(DELAY_MS - 600 - (performance.now() - signalledAt));
    sandbox.clearRequests();
    sandbox.injectFault({ match: 'POST /graphql', latencyMs: 1_500, times: 1 });
    let lateAnswered = false;
    const late = keepAliveRequest(url).finally(() => (lateAnswered = true));
    await untilSandboxSees(sandbox, 'POST', '/graphql');

    while ((await connectOutcome(url)) === 'accepted') await sleep(20);
    const closedAfterMs = Math.round(performance.now() - signalledAt);
    expect(closedAfterMs).toBeGreaterThanOrEqual(DELAY_MS - 50);
    expect(lateAnswered).toBe(false);
    expect(await late).toEqual(LOGGED_IN);
    const answeredAfterMs = Math.round(performance.now() - signalledAt);

    expect(await main.exited).toEqual({ code: 0, signal: null });
    const exitedAfterMs = Math.round(performance.now() - signalledAt);
    const lines = logLines(main.stderr());
    // Every line the process wrote is a JSON object with a level.
    expect(main.stderr().trimEnd().split('\n')).toHaveLength(lines.length);
    expect(lines.every((line) => typeof line.level === 'string')).toBe(true);
    expect(lines.map((line) => line.msg?.split(':')[0])).toEqual(['listening', 'shutting down', 'listener closed', 'drained']);
    expect(lines.at(-1)).toEqual({ level: 'info', time: expect.any(String), msg: 'drained', durationMs: expect.any(Number), abandoned: 0 });
    expect(main.stderr()).not.toContain(sandbox.authToken);
    console.log(
      `SIGTERM with a ${DELAY_MS} ms shutdown delay: listener closed after ${closedAfterMs} ms, a login sent ${DELAY_MS - 600} ms in (upstream 1500 ms) answered 200 after ${answeredAfterMs} ms, exit 0 after ${exitedAfterMs} ms`,
    );
  });

  it('SIGINT skips the delay: the listener closes at once and the process exits 0', async () => {
    const { main, url } = await start(10_000);
    const signalledAt = performance.now();
    main.process.kill('SIGINT');
    expect(await main.waitFor('shutting down')).toMatchObject({ signal: 'SIGINT', delayMs: 0 });
    expect(await main.exited).toEqual({ code: 0, signal: null });
    expect(performance.now() - signalledAt).toBeLessThan(3_000);
    expect(await connectOutcome(url)).toBe('ECONNREFUSED');
    expect(logLines(main.stderr()).at(-1)).toMatchObject({ msg: 'drained', abandoned: 0 });
  });

  it('a second SIGTERM ends the delay and drains; a third closes every connection now (exit 1, the login abandoned)', async () => {
    const { main, url, at } = await start(10_000);
    sandbox.injectFault({ match: 'POST /graphql', latencyMs: 10_000, times: 1 });
    const inFlight = keepAliveRequest(url).then(
      () => 'answered',
      (error: NodeJS.ErrnoException) => error.code,
    );
    await untilSandboxSees(sandbox, 'POST', '/graphql');

    main.process.kill('SIGTERM');
    await main.waitFor('shutting down');
    expect((await keepAliveRequest(at('/readiness'))).status).toBe(503);
    expect(await connectOutcome(url)).toBe('accepted');

    main.process.kill('SIGTERM');
    expect(await main.waitFor('listener closed')).toMatchObject({ level: 'info' });
    expect(await connectOutcome(url)).toBe('ECONNREFUSED');

    const forcedAt = performance.now();
    main.process.kill('SIGTERM');
    expect(await main.exited).toEqual({ code: 1, signal: null });
    // Not after the login's 10 s upstream call: nothing waits for it.
    expect(performance.now() - forcedAt).toBeLessThan(3_000);
    expect(await inFlight).toBe('ECONNRESET');
    // The lifecycle lines: those of no request (the abandoned login's own failure is one of a request).
    const lifecycle = logLines(main.stderr()).filter((line) => !('requestId' in line));
    expect(lifecycle.map((line) => [line.level, line.msg?.split(':')[0]])).toEqual([
      ['info', 'listening'],
      ['info', 'shutting down'],
      ['info', 'signal during the shutdown delay'],
      ['info', 'listener closed'],
      ['warn', 'signal during the drain'],
      ['warn', 'drain timed out'],
    ]);
    expect(lifecycle.at(-1)).toMatchObject({ abandoned: 1 });
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
