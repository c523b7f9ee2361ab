// `/health` (liveness) and `/readiness` (configuration valid, upstream reachable).
import { createServer, Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createSchema, createYoga } from 'graphql-yoga';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createGateway, type Gateway } from '../../src/gateway.js';
import { createLogger } from '../../src/logger.js';
import { createUpstreamProbe } from '../../src/observability/readiness.js';
import { useHealth } from '../../src/plugins/use-health.js';
import { type Harness, startHarness } from '../harness.js';

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

describe('with the upstream port closed', () => {
  let gateway: Gateway;
  let apiUrl: string;
  beforeAll(async () => {
    apiUrl = `http://127.0.0.1:${await closedPort()}`;
    gateway = await createGateway(loadConfig({ B2B_API_URL: apiUrl, B2B_STORE_HASH: 'abc123', B2B_AUTH_TOKEN: AUTH_TOKEN }), {
      logger: createLogger({ write: () => {} }),
    });
  });
  afterAll(() => gateway?.close());

  it('/readiness answers 503 with the reason, and no address or secret', async () => {
    const response = await gateway.yoga.fetch('http://gateway/readiness');
    expect(await answer(response)).toEqual({
      status: 503,
      contentType: 'application/json; charset=utf-8',
      body: { status: 'not ready', reason: 'upstream unreachable: ECONNREFUSED' },
    });
  });

  it('/health still answers 200: the process serves', async () => {
    expect((await gateway.yoga.fetch('http://gateway/health')).status).toBe(200);
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

describe('createUpstreamProbe', () => {
  it('caches an answer for cacheMs, so a recovered upstream shows as ready once it expires', async () => {
    let now = 0;
    const port = await closedPort();
    const probe = createUpstreamProbe(`http://127.0.0.1:${port}`, { cacheMs: 1_000, now: () => now });
    expect(await probe()).toEqual({ ready: false, reason: 'upstream unreachable: ECONNREFUSED' });

    const server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    try {
      now = 999;
      expect(await probe()).toEqual({ ready: false, reason: 'upstream unreachable: ECONNREFUSED' });
      now = 1_000;
      expect(await probe()).toEqual({ ready: true });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('shares one probe between callers that arrive together', async () => {
    const server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    let connections = 0;
    server.on('connection', () => {
      connections += 1;
    });
    try {
      const probe = createUpstreamProbe(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
      expect(await Promise.all([probe(), probe(), probe()])).toEqual([{ ready: true }, { ready: true }, { ready: true }]);
      expect(connections).toBe(1);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('gives up after timeoutMs', async () => {
    // A socket whose connect never completes: an address that drops SYNs, wherever the test runs.
    const silent = new Socket();
    const probe = createUpstreamProbe('http://192.0.2.1:81', { timeoutMs: 50, connect: () => silent });
    const started = performance.now();
    const answer = await probe();
    expect(answer).toEqual({ ready: false, reason: 'upstream unreachable: no connection within 50 ms' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
    expect(silent.destroyed).toBe(true);
  });
});
