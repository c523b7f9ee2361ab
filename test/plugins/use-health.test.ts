// `/health` (liveness), `/readiness` (this instance: started, not shutting down) and the
// `gateway_upstream_up` gauge, which reports BigCommerce's reachability instead.
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createSchema, createYoga } from 'graphql-yoga';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/environment.js';
import { createGateway, type Gateway } from '../../src/gateway.js';
import { createLogger } from '../../src/observability/logger.js';
import { useHealth } from '../../src/plugins/use-health.js';
import { createSandbox, DEMO_BUYER } from '../../src/sandbox/index.js';
import { CREDENTIAL_LIMITS_OFF, type Harness, LOGIN, startHarness } from '../harness.js';

const AUTH_TOKEN = 'tok-readiness-0123456789abcdef';

/** A loopback port nothing listens on: taken, then given back. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const answer = async (response: Response) => ({
  status: response.status,
  contentType: response.headers.get('content-type'),
  body: (await response.json()) as unknown,
});

describe('with the sandbox upstream', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h?.close());
  const get = (path: string, init?: RequestInit) => fetch(h.url.replace(/\/graphql$/, path), init);

  it('/health answers 200 {"status":"ok"}', async () => {
    expect(await answer(await get('/health'))).toEqual({ status: 200, contentType: 'application/json; charset=utf-8', body: { status: 'ok' } });
  });

  it('/readiness answers 200 {"status":"ready"}', async () => {
    expect(await answer(await get('/readiness'))).toEqual({ status: 200, contentType: 'application/json; charset=utf-8', body: { status: 'ready' } });
  });

  it('/readiness is matched by its path: a query string is fine, another path ending in it is not readiness', async () => {
    expect(await answer(await get('/readiness?probe=kubelet'))).toEqual({ status: 200, contentType: 'application/json; charset=utf-8', body: { status: 'ready' } });
    const other = await get('/api/readiness');
    expect(other.status).toBe(404);
    await other.body?.cancel();
  });

  it('neither calls BigCommerce', async () => {
    h.sandbox.clearRequests();
    await get('/health');
    await get('/readiness');
    expect(h.sandbox.requests).toEqual([]);
  });
});

describe('with BigCommerce unreachable', () => {
  let gateway: Gateway;
  beforeAll(async () => {
    const apiUrl = `http://127.0.0.1:${await closedPort()}`;
    gateway = await createGateway(loadConfig({ B2B_API_URL: apiUrl, B2B_STORE_HASH: 'abc123', B2B_AUTH_TOKEN: AUTH_TOKEN, ...CREDENTIAL_LIMITS_OFF }), {
      logger: createLogger({ write: () => {} }),
    });
  });
  afterAll(() => gateway?.close());

  it("/readiness still answers 200: an upstream every replica shares must not take this one out of rotation", async () => {
    const response = await gateway.yoga.fetch('http://gateway/readiness');
    expect(await answer(response)).toEqual({ status: 200, contentType: 'application/json; charset=utf-8', body: { status: 'ready' } });
  });

  it("a login gets the gateway's own UPSTREAM_UNAVAILABLE, which a balancer's error page would have replaced", async () => {
    const response = await gateway.yoga.fetch('http://gateway/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({ query: LOGIN, variables: { input: { email: DEMO_BUYER.email, password: DEMO_BUYER.password } } }),
    });
    const body = (await response.json()) as { data: unknown; errors: Array<{ extensions: { code: string } }> };
    expect({ status: response.status, data: body.data, codes: body.errors.map((error) => error.extensions.code) }).toEqual({
      status: 200,
      data: null,
      codes: ['UPSTREAM_UNAVAILABLE'],
    });
  });

  it('/metrics reports gateway_upstream_up 0', async () => {
    expect(upstreamUp(await (await gateway.yoga.fetch('http://gateway/metrics')).text())).toEqual(['gateway_upstream_up{upstream="b2b"} 0']);
  });

  it('/health still answers 200: the process serves', async () => {
    expect((await gateway.yoga.fetch('http://gateway/health')).status).toBe(200);
  });
});

describe('once shutdown has begun (gateway.readiness.startDraining())', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h?.close());
  const get = (path: string) => fetch(h.url.replace(/\/graphql$/, path));

  it('/readiness answers 503 "shutting down" while /health and GraphQL are still served', async () => {
    expect(await answer(await get('/readiness'))).toEqual({ status: 200, contentType: 'application/json; charset=utf-8', body: { status: 'ready' } });
    expect(h.gateway.readiness.draining).toBe(false);

    h.gateway.readiness.startDraining();

    expect(h.gateway.readiness.draining).toBe(true);
    expect(await answer(await get('/readiness'))).toEqual({
      status: 503,
      contentType: 'application/json; charset=utf-8',
      body: { status: 'not ready', reason: 'shutting down' },
    });
    expect(await answer(await get('/health'))).toEqual({ status: 200, contentType: 'application/json; charset=utf-8', body: { status: 'ok' } });
    expect(await h.graphql('{ __typename }')).toMatchObject({ status: 200, body: { data: { __typename: 'Query' } } });
  });
});

/** The `gateway_upstream_up` samples of an exposition. */
const upstreamUp = (exposition: string) => exposition.split('\n').filter((line) => line.startsWith('gateway_upstream_up'));

describe('gateway_upstream_up', () => {
  it('goes 1 → 0 within a probe interval of BigCommerce going away, and back to 1 when it returns', async () => {
    const PROBE_INTERVAL_MS = 100;
    let sandbox = await createSandbox();
    const port = Number(new URL(sandbox.url).port);
    const gateway = await createGateway(loadConfig({ B2B_API_URL: sandbox.url, B2B_STORE_HASH: sandbox.storeHash, B2B_AUTH_TOKEN: sandbox.authToken }), {
      logger: createLogger({ write: () => {} }),
      upstreamProbeIntervalMs: PROBE_INTERVAL_MS,
    });
    /** Scrapes `/metrics` until the gauge reads `value`; the milliseconds that took. */
    const until = async (value: 0 | 1) => {
      const started = performance.now();
      const expected = [`gateway_upstream_up{upstream="b2b"} ${value}`];
      for (;;) {
        const samples = upstreamUp(await (await gateway.yoga.fetch('http://gateway/metrics')).text());
        if (JSON.stringify(samples) === JSON.stringify(expected)) return Math.round(performance.now() - started);
        if (performance.now() - started > 3_000) expect(samples).toEqual(expected);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    try {
      expect(await until(1)).toBeLessThan(100);

      await sandbox.close();
      const down = await until(0);

      sandbox = await createSandbox({ port });
      const up = await until(1);

      // A probe every 100 ms: each change shows within a few intervals, not the 2 s default.
      expect(down).toBeLessThan(1_000);
      expect(up).toBeLessThan(1_000);
      console.log(`gateway_upstream_up with a probe every ${PROBE_INTERVAL_MS} ms: 0 after ${down} ms, 1 again after ${up} ms`);
    } finally {
      await gateway.close();
      await sandbox.close();
    }
  });
});

describe('useHealth', () => {
  it('answers 503 when the readiness check itself fails, with no detail of the failure', async () => {
    const yoga = createYoga({
      schema: createSchema({ typeDefs: 'type Query { ok: Boolean }' }),
      plugins: [useHealth({ readiness: () => Promise.reject(new Error('probe crashed at 10.0.0.7')) })],
    });
    expect(await answer(await yoga.fetch('http://gateway/readiness'))).toEqual({
      status: 503,
      contentType: 'application/json; charset=utf-8',
      body: { status: 'not ready', reason: 'readiness check failed' },
    });
  });
});
