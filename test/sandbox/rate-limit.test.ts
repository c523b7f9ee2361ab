import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, SANDBOX_USERS, type Sandbox } from '../../src/sandbox/index.js';
import { apiAccountHeaders, call, graphql, LOGIN } from './harness.js';

let clock = Date.UTC(2030, 0, 1);
let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await createSandbox({ rateLimit: 3, rateLimitWindowMs: 10_000, now: () => clock });
});
afterAll(() => sandbox.close());

const listUsers = () => call(sandbox, 'GET', '/api/v3/io/users', { headers: apiAccountHeaders(sandbox) });
const rateHeaders = (headers: Headers) => ({
  allocated: headers.get('x-requests-allocated'),
  remaining: headers.get('x-requests-remaining'),
  resetsAfter: headers.get('x-request-window-resets-after'),
  retryAfter: headers.get('retry-after'),
});

describe('rate limit', () => {
  it('counts REST and GraphQL calls of one store together, then answers 429 with Retry-After', async () => {
    const first = await listUsers();
    expect(rateHeaders(first.headers)).toEqual({ allocated: '3', remaining: '2', resetsAfter: '10', retryAfter: null });

    clock += 4_000;
    const login = await graphql(sandbox, LOGIN, {
      loginData: { storeHash: 'sandbox', email: SANDBOX_USERS.buyer.email, password: SANDBOX_USERS.buyer.password },
    });
    expect(login.status).toBe(200);
    expect(rateHeaders(login.headers)).toMatchObject({ remaining: '1', resetsAfter: '6' });

    expect((await listUsers()).status).toBe(200);
    const refused = await listUsers();
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual({
      code: 429,
      data: { errMsg: 'Too many requests' },
      meta: { message: 'Too Many Requests' },
    });
    expect(rateHeaders(refused.headers)).toEqual({ allocated: '3', remaining: '0', resetsAfter: '6', retryAfter: '6' });

    // Another store's bucket is untouched.
    const other = await call(sandbox, 'GET', '/api/v3/io/users', { headers: { 'x-store-hash': 'other-store' } });
    expect(other.status).toBe(403);
    expect(other.headers.get('x-requests-remaining')).toBe('2');

    clock += 6_000;
    const afterReset = await listUsers();
    expect(afterReset.status).toBe(200);
    expect(rateHeaders(afterReset.headers)).toMatchObject({ remaining: '2', resetsAfter: '10' });
  });

  it('does not limit or count the /sandbox control routes', async () => {
    for (let i = 0; i < 5; i += 1) {
      const reply = await call(sandbox, 'GET', '/sandbox/health');
      expect(reply.body).toEqual({ ok: true });
      expect(reply.headers.get('x-requests-remaining')).toBeNull();
    }
  });
});
