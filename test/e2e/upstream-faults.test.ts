// Upstream faults: every fault of the loopback fault server against every upstream
// path, through a real gateway over HTTP. Each must answer the right code of the error table
// within the deadline plus a small margin, leave the process serving, raise no unhandled
// rejection, and leave the upstream connection pool idle.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/environment.js';
import { createGateway, type Gateway } from '../../src/gateway.js';
import { createLogger } from '../../src/observability/logger.js';
import { AUTHORIZATION, CREDENTIAL_LIMITS_OFF, type GraphQLReply, ISSUE, LOGIN } from '../harness.js';
import { type Fault, FAULTS, type FaultServer, OVERSIZED_BYTES, RETRY_AFTER_SECONDS, startFaultServer } from '../support/fault-server.js';

const DEADLINE_MS = 400;
const POOL_CONNECTIONS = 32;
/** Scheduling, the gateway's own work and the test's HTTP round trip. */
const MARGIN_MS = 300;
const TRUSTED_KEY = 'fault-trusted-key-0123456789';
const BC_TOKEN = 'eyJhbGciOiJub25lIn0.eyJjdXN0b21lciI6eyJpZCI6MjAxfX0.';

/** One upstream path: the public operation that reaches it. */
interface UpstreamPath {
  name: string;
  /** The fault server's route key the operation reaches. */
  route: string;
  field: 'login' | 'authorization' | 'issueStorefrontToken';
  via: string;
  /** A GET: the transport retries resets and 502s, within the same deadline. */
  idempotent: boolean;
  run(send: Send, n: number): Promise<GraphQLReply>;
}

type Send = (query: string, variables: Record<string, unknown>, headers?: Record<string, string>) => Promise<GraphQLReply>;

const PATHS: UpstreamPath[] = [
  {
    name: 'B2B GraphQL login',
    route: 'graphql login',
    field: 'login',
    via: 'GRAPHQL_LOGIN',
    idempotent: false,
    // A fresh account per call, so no per-account budget is ever what answers.
    run: (send, n) => send(LOGIN, { input: { email: `buyer+${n}@fault.example`, password: 'Passw0rd!' } }),
  },
  {
    name: 'B2B GraphQL authorization',
    route: 'graphql authorization',
    field: 'authorization',
    via: 'GRAPHQL_AUTHORIZATION',
    idempotent: false,
    run: (send) => send(AUTHORIZATION, { input: { bcToken: BC_TOKEN } }),
  },
  {
    name: 'REST credentials',
    route: 'POST /api/io/auth/customers',
    field: 'issueStorefrontToken',
    via: 'REST_CREDENTIALS',
    idempotent: false,
    run: (send, n) => send(ISSUE, { input: { credentials: { email: `buyer+${n}@fault.example`, password: 'Passw0rd!' } } }),
  },
  {
    name: 'REST session JWT',
    route: 'GET /api/io/auth/storefront',
    field: 'issueStorefrontToken',
    via: 'REST_SESSION_JWT',
    idempotent: true,
    run: (send) => send(ISSUE, { input: { sessionJwt: { jwtToken: BC_TOKEN } } }),
  },
  {
    name: 'REST customer (trusted caller)',
    route: 'POST /api/io/auth/customers/storefront',
    field: 'issueStorefrontToken',
    via: 'REST_CUSTOMER',
    idempotent: false,
    run: (send) => send(ISSUE, { input: { customer: { customerId: 201 } } }, { 'X-Gateway-Key': TRUSTED_KEY }),
  },
];

interface ExpectedError {
  message: string;
  extensions: Record<string, unknown>;
}

const TIMEOUT: ExpectedError = { message: 'BigCommerce did not answer in time.', extensions: { code: 'UPSTREAM_TIMEOUT', requestId: expect.any(String) } };
const UNAVAILABLE: ExpectedError = { message: 'BigCommerce is unavailable.', extensions: { code: 'UPSTREAM_UNAVAILABLE', requestId: expect.any(String) } };
const BAD_RESPONSE: ExpectedError = { message: 'BigCommerce answered in an unexpected shape.', extensions: { code: 'UPSTREAM_BAD_RESPONSE', requestId: expect.any(String) } };
const RATE_LIMITED: ExpectedError = {
  message: 'BigCommerce is rate limiting this store; try again later.',
  extensions: { code: 'RATE_LIMITED', retryAfter: RETRY_AFTER_SECONDS, requestId: expect.any(String) },
};

/** The error table (docs/errors.md) for each fault. */
const EXPECTED: Record<Fault, ExpectedError> = {
  'hang-before-headers': TIMEOUT,
  'stall-mid-body': TIMEOUT,
  'reset-mid-body': UNAVAILABLE,
  'truncated-json': BAD_RESPONSE,
  'html-502': UNAVAILABLE,
  'wrong-shape': BAD_RESPONSE,
  'rate-limited': RATE_LIMITED,
  oversized: BAD_RESPONSE,
};

/** Faults the transport retries on a GET: the upstream cannot have acted on a failed read. */
const RETRIED_ON_GET: ReadonlySet<Fault> = new Set(['reset-mid-body', 'html-502']);
const MAX_ATTEMPTS = 3;

describe('the loopback fault server against every upstream path', () => {
  let upstream: FaultServer;
  let gateway: Gateway;
  let server: Server;
  let url: string;
  let counter = 0;
  const logs: string[] = [];
  const crashes: Array<{ event: string; error: unknown }> = [];
  const onRejection = (error: unknown) => crashes.push({ event: 'unhandledRejection', error });
  const onException = (error: unknown) => crashes.push({ event: 'uncaughtException', error });
  /** Answer times in ms, per fault (and `ok`). */
  const timings = new Map<string, number[]>();
  let played = 0;
  let concurrent: { calls: number; elapsed: number } | undefined;

  const send: Send = async (query, variables, headers = {}) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...headers },
      body: JSON.stringify({ query, variables }),
    });
    return { status: response.status, headers: response.headers, body: (await response.json()) as GraphQLReply['body'] };
  };

  /** The pool of the fault server's origin: idle once nothing runs or waits. */
  const pool = () => gateway.upstream.connections()[upstream.url] ?? { running: 0, pending: 0 };

  async function poolIdle(withinMs = 1000): Promise<{ running: number; pending: number }> {
    const until = performance.now() + withinMs;
    while (performance.now() < until) {
      const stats = pool();
      if (stats.running === 0 && stats.pending === 0) return stats;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return pool();
  }

  async function timed(path: UpstreamPath, label: string): Promise<{ reply: GraphQLReply; elapsed: number }> {
    const started = performance.now();
    const reply = await path.run(send, ++counter);
    const elapsed = performance.now() - started;
    timings.set(label, [...(timings.get(label) ?? []), elapsed]);
    played += 1;
    return { reply, elapsed };
  }

  function expectSuccess(reply: GraphQLReply, path: UpstreamPath): void {
    expect(reply.body.errors).toBeUndefined();
    expect(reply.body.data?.[path.field]).toMatchObject({ token: { value: expect.stringMatching(/^eyJ/), storeHash: 'fault', via: path.via } });
  }

  beforeAll(async () => {
    process.on('unhandledRejection', onRejection);
    process.on('uncaughtException', onException);
    upstream = await startFaultServer();
    const config = loadConfig({
      B2B_API_URL: upstream.url,
      B2B_STORE_HASH: 'fault',
      B2B_AUTH_TOKEN: 'fault-token-xxxxxxxxxxxx',
      B2B_TIMEOUT_MS: String(DEADLINE_MS),
      // Fewer than the 40 logins sent at once below, so some wait in the pool's queue.
      B2B_MAX_CONNECTIONS: String(POOL_CONNECTIONS),
      GATEWAY_TRUSTED_KEYS: TRUSTED_KEY,
      GATEWAY_PATH_FAILOVER: 'false',
      GATEWAY_BREAKER_THRESHOLD: '1000',
      // The gateway's own credential budgets and its floor on failed answers are not under test
      // here: off, so every answer and its timing is the upstream fault's.
      ...CREDENTIAL_LIMITS_OFF,
    });
    gateway = await createGateway(config, {
      logger: createLogger({ level: 'debug', write: (line) => logs.push(line), secrets: ['fault-token-xxxxxxxxxxxx', TRUSTED_KEY] }),
    });
    server = createServer(gateway.yoga);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  });

  afterAll(async () => {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
    const maxima = [...timings].map(([label, times]) => `${label} ${Math.ceil(Math.max(...times))}`).join(', ');
    const okPlays = timings.get('ok')?.length ?? 0;
    console.log(
      `played ${played - okPlays} faults (${FAULTS.length} kinds × ${PATHS.length} paths) and ${okPlays} ok requests against the loopback fault server; ` +
        `deadline ${DEADLINE_MS} ms, max answer ms: ${maxima}` +
        (concurrent ? `; ${concurrent.calls} concurrent hangs all answered UPSTREAM_TIMEOUT, slowest in ${Math.ceil(concurrent.elapsed)} ms` : '') +
        `; pool idle after each, ${crashes.length} unhandled rejections`,
    );
    await new Promise<void>((resolve) => {
      server?.close(() => resolve());
      server?.closeAllConnections();
    });
    await gateway?.close();
    await upstream?.close();
  });

  describe.each(PATHS)('$name', (path) => {
    it('answers a token when the upstream is well', async () => {
      upstream.reset();
      const { reply, elapsed } = await timed(path, 'ok');
      expectSuccess(reply, path);
      expect(upstream.hits(path.route)).toBe(1);
      expect(elapsed).toBeLessThan(DEADLINE_MS);
    });

    it.each(FAULTS)(`%s answers the error table's code within the deadline, and the gateway recovers`, async (fault) => {
      upstream.reset();
      upstream.always(fault);
      const { reply, elapsed } = await timed(path, fault);

      expect(reply.status).toBe(200);
      expect(reply.body).toEqual({
        data: null,
        errors: [{ message: EXPECTED[fault].message, locations: expect.any(Array), path: [path.field], extensions: EXPECTED[fault].extensions }],
      });
      // GETs retry within the same deadline, so one deadline bounds every path.
      expect(elapsed).toBeLessThan(DEADLINE_MS + MARGIN_MS);
      if (fault === 'hang-before-headers' || fault === 'stall-mid-body') expect(elapsed).toBeGreaterThanOrEqual(DEADLINE_MS - 20);
      // A POST the upstream may have seen is never replayed; a GET is, on resets and 502s.
      expect(upstream.hits(path.route)).toBe(path.idempotent && RETRIED_ON_GET.has(fault) ? MAX_ATTEMPTS : 1);
      expect(upstream.hits()).toBe(upstream.hits(path.route));

      // The pool is idle again: no request left running or queued on the fault server's origin.
      expect(await poolIdle()).toEqual({ running: 0, pending: 0 });

      // The process is still up and the path works again.
      upstream.always('ok');
      expectSuccess((await timed(path, 'ok')).reply, path);
      expect(await poolIdle()).toEqual({ running: 0, pending: 0 });
      expect(crashes).toEqual([]);
    });
  });

  it(`40 logins at once against a hanging upstream (more than the ${POOL_CONNECTIONS} pooled connections) all time out by the deadline`, async () => {
    upstream.reset();
    upstream.always('hang-before-headers');
    const login = PATHS[0] as UpstreamPath;
    const started = performance.now();
    const pending = Promise.all(
      Array.from({ length: 40 }, async () => {
        const sent = performance.now();
        const reply = await login.run(send, ++counter);
        return { reply, elapsed: performance.now() - sent };
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, DEADLINE_MS / 2));
    // The pool holds at its connections; the rest wait in its queue, inside their deadline.
    expect(pool().running).toBe(POOL_CONNECTIONS);
    expect(upstream.openSockets()).toBeLessThanOrEqual(POOL_CONNECTIONS);
    const replies = await pending;
    const elapsed = performance.now() - started;
    for (const { reply } of replies) expect(reply.body.errors?.[0]?.extensions).toEqual(TIMEOUT.extensions);
    // Each answer within one deadline of its own request, queued ones included: none waited for a second.
    const slowest = Math.max(...replies.map((each) => each.elapsed));
    expect(slowest).toBeLessThan(DEADLINE_MS + MARGIN_MS);
    expect(elapsed).toBeLessThan(2 * DEADLINE_MS);
    expect(await poolIdle()).toEqual({ running: 0, pending: 0 });
    upstream.always('ok');
    expect((await login.run(send, ++counter)).body.errors).toBeUndefined();
    concurrent = { calls: replies.length, elapsed: slowest };
  });

  it('no unhandled rejection or uncaught exception was raised, the circuits stayed closed and no secret was logged', async () => {
    // Give late socket errors a chance to surface.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(crashes).toEqual([]);
    const circuits = Object.values(gateway.upstream.circuits());
    expect(circuits.length).toBeGreaterThan(0);
    expect(circuits.every((state) => state === 'closed')).toBe(true);
    expect(played).toBe(PATHS.length * (FAULTS.length * 2 + 1));
    // Every fault was logged, and no log line holds the X-Auth-Token or a password.
    expect(logs.length).toBeGreaterThanOrEqual(FAULTS.length * PATHS.length);
    expect(logs.filter((line) => line.includes('fault-token-xxxxxxxxxxxx') || line.includes('Passw0rd!'))).toEqual([]);
  });
});

describe('the fault server itself', () => {
  it('closes promptly with a request hanging and another stalled mid-body', async () => {
    const upstream = await startFaultServer();
    upstream.script('hang-before-headers', 'stall-mid-body');
    const hanging = fetch(`${upstream.url}/graphql`, { method: 'POST', body: '{"query":"mutation { login(x: 1) { token } }"}' }).catch(
      (error: unknown) => error,
    );
    const stalled = fetch(`${upstream.url}/api/io/auth/customers`, { method: 'POST', body: '{}' }).then(
      (response) => response.text().catch((error: unknown) => error),
      (error: unknown) => error,
    );
    while (upstream.hits() < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(upstream.requests.map(({ path, route, play }) => ({ path, route, play }))).toEqual([
      { path: 'POST /graphql', route: 'graphql login', play: 'hang-before-headers' },
      { path: 'POST /api/io/auth/customers', route: 'POST /api/io/auth/customers', play: 'stall-mid-body' },
    ]);
    expect(upstream.openSockets()).toBe(2);

    const started = performance.now();
    await upstream.close();
    expect(performance.now() - started).toBeLessThan(100);
    expect(upstream.openSockets()).toBe(0);
    expect(await hanging).toBeInstanceOf(Error);
    expect(await stalled).toBeInstanceOf(Error);
  });

  it('sends an oversized body with a correct Content-Length', async () => {
    const upstream = await startFaultServer();
    try {
      upstream.always('oversized');
      const response = await fetch(`${upstream.url}/api/io/auth/storefront?jwtToken=x`);
      const text = await response.text();
      expect(Number(response.headers.get('content-length'))).toBe(OVERSIZED_BYTES);
      expect(Buffer.byteLength(text)).toBe(OVERSIZED_BYTES);
      expect(() => JSON.parse(text) as unknown).not.toThrow();
    } finally {
      await upstream.close();
    }
  });
});
