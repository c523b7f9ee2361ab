import { createServer } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { apiAccountHeaders, call, graphql } from './harness.js';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await createSandbox();
});
afterEach(() => {
  sandbox.clearFaults();
  sandbox.clearRequests();
});
afterAll(() => sandbox.close());

const health = () => graphql(sandbox, '{ __typename }');

describe('faults', () => {
  it('delays matching requests by latencyMs', async () => {
    sandbox.injectFault({ match: 'POST /graphql', latencyMs: 150, times: 1 });
    const started = performance.now();
    const reply = await health();
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(reply.body).toEqual({ data: { __typename: 'Query' } });
  });

  it('answers a given status and body instead of the real handler, `times` times', async () => {
    sandbox.injectFault({ match: /^POST \/graphql$/, status: 502, body: '<html>Bad gateway</html>', contentType: 'text/html', times: 1 });
    const faulted = await health();
    expect(faulted.status).toBe(502);
    expect(faulted.headers.get('content-type')).toBe('text/html');
    expect(faulted.body).toBe('<html>Bad gateway</html>');
    expect((await health()).status).toBe(200);
  });

  it('adds headers to the real response', async () => {
    sandbox.injectFault({ headers: { 'X-Upstream-Region': 'test' } });
    const reply = await health();
    expect(reply.headers.get('x-upstream-region')).toBe('test');
    expect(reply.status).toBe(200);
  });

  it('drops the connection before the headers: fetch rejects', async () => {
    sandbox.injectFault({ match: 'POST /graphql', drop: 'before-headers', times: 1 });
    await expect(health()).rejects.toThrow();
    expect(sandbox.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /graphql']);
  });

  it('drops the connection mid-body: headers arrive, reading the body rejects', async () => {
    sandbox.injectFault({ match: 'POST /api/io/auth/customers', drop: 'mid-body' });
    const response = await fetch(`${sandbox.url}/api/io/auth/customers`, {
      method: 'POST',
      headers: { ...apiAccountHeaders(sandbox), 'content-type': 'application/json' },
      body: '{}',
    });
    expect(response.status).toBe(422);
    await expect(response.text()).rejects.toThrow();
  });

  it('is driven over HTTP by /sandbox/faults', async () => {
    const added = await call(sandbox, 'POST', '/sandbox/faults', { body: { match: 'GET /api/v3/io/users', status: 503, body: '{"detail":"down"}' } });
    expect(added.body).toEqual({ ok: true });
    const faulted = await call(sandbox, 'GET', '/api/v3/io/users');
    expect(faulted).toMatchObject({ status: 503, body: { detail: 'down' } });
    const invalid = await call(sandbox, 'POST', '/sandbox/faults', { body: { drop: 'sometimes' } });
    expect(invalid.status).toBe(400);
    expect((await call(sandbox, 'DELETE', '/sandbox/faults')).body).toEqual({ ok: true });
    expect((await call(sandbox, 'GET', '/api/v3/io/users')).status).toBe(403);
  });
});

describe('request log', () => {
  it('records every upstream request in order, rejected ones included, control routes excluded', async () => {
    await call(sandbox, 'GET', '/sandbox/health');
    await call(sandbox, 'GET', '/api/v3/io/users?limit=5&email=a%40b.co', { headers: { 'X-Store-Hash': 'sandbox' } });
    await call(sandbox, 'POST', '/api/io/auth/backend', { rawBody: 'not json' });
    expect(sandbox.requests).toEqual([
      {
        method: 'GET',
        path: '/api/v3/io/users',
        query: { limit: '5', email: 'a@b.co' },
        headers: expect.objectContaining({ 'x-store-hash': 'sandbox' }),
        body: undefined,
      },
      {
        method: 'POST',
        path: '/api/io/auth/backend',
        query: {},
        headers: expect.objectContaining({ 'content-type': 'application/json' }),
        body: 'not json',
      },
    ]);
    sandbox.clearRequests();
    expect(sandbox.requests).toEqual([]);
  });
});

describe('lifecycle', () => {
  it('close() returns promptly while a keep-alive connection and a slow request are open', async () => {
    const own = await createSandbox();
    own.injectFault({ latencyMs: 60_000 });
    const pending = fetch(`${own.url}/graphql`, { method: 'POST', body: '{}' }).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = performance.now();
    await own.close();
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(await pending).toBeInstanceOf(Error);
  });

  it('rejects when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const address = blocker.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    await expect(createSandbox({ port })).rejects.toThrow(/EADDRINUSE/);
    await new Promise((resolve) => blocker.close(resolve));
  });
});
