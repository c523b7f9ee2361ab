import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, SANDBOX_USERS, type Sandbox } from '../../src/sandbox/index.js';
import { apiAccountHeaders, call } from './harness.js';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await createSandbox({ authToken: 'a'.repeat(40) });
});
afterAll(() => sandbox.close());

const DAY = 86_400;
const buyer = SANDBOX_USERS.buyer;
const credentials = (overrides: Record<string, unknown> = {}) => ({
  storeHash: 'sandbox',
  email: buyer.email,
  password: buyer.password,
  channelId: 1,
  name: 'gateway login',
  ...overrides,
});

describe('POST /api/io/auth/customers', () => {
  it('answers a storefront authToken valid for one day in the B2B envelope', async () => {
    const reply = await call(sandbox, 'POST', '/api/io/auth/customers', {
      headers: apiAccountHeaders(sandbox),
      body: credentials(),
    });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      code: 200,
      data: { name: 'gateway login', token: expect.any(String) },
      meta: { message: 'SUCCESS' },
    });
    const claims = decodeJwt((reply.body as { data: { token: string } }).data.token);
    expect(claims).toEqual({
      email: buyer.email,
      store_hash: 'sandbox',
      db: 'default',
      name: 'gateway login',
      channel_ids: [1],
      token_type: 3,
      nbf: expect.any(Number),
      exp: (claims.nbf ?? 0) + DAY,
      iat: claims.nbf,
      jti: expect.any(String),
    });
  });

  it('turns beginAt/endAt into nbf/exp and accepts a numeric-string channelId', async () => {
    const reply = await call(sandbox, 'POST', '/api/io/auth/customers', {
      headers: apiAccountHeaders(sandbox),
      body: credentials({ channelId: '1000234', beginAt: 1_900_000_000, endAt: 1_900_003_600 }),
    });
    const claims = decodeJwt((reply.body as { data: { token: string } }).data.token);
    expect(claims).toMatchObject({ nbf: 1_900_000_000, exp: 1_900_003_600, channel_ids: [1_000_234] });
  });

  it('issues a distinct token on every call', async () => {
    const tokens = await Promise.all(
      [1, 2].map(async () => {
        const reply = await call(sandbox, 'POST', '/api/io/auth/customers', {
          headers: apiAccountHeaders(sandbox),
          body: credentials(),
        });
        return (reply.body as { data: { token: string } }).data.token;
      }),
    );
    expect(tokens[0]).not.toBe(tokens[1]);
  });

  it.each([
    ['a wrong password', { password: 'nope' }],
    ['an unknown email', { email: 'nobody@example.com' }],
    ['a company pending approval', { email: SANDBOX_USERS.pending.email }],
    ['a foreign storeHash', { storeHash: 'other' }],
  ])('answers 400 "Customer auth failed" for %s', async (_, overrides) => {
    const reply = await call(sandbox, 'POST', '/api/io/auth/customers', {
      headers: apiAccountHeaders(sandbox),
      body: credentials(overrides),
    });
    expect(reply.status).toBe(400);
    expect(reply.body).toEqual({
      code: 400,
      data: { errMsg: 'Customer auth failed' },
      meta: { message: 'Calling BC API failed' },
    });
  });

  it('answers 422 with field → messages for an invalid body', async () => {
    const reply = await call(sandbox, 'POST', '/api/io/auth/customers', {
      headers: apiAccountHeaders(sandbox),
      body: { storeHash: '', email: 'not-an-email', channelId: 'one', name: null },
    });
    expect(reply.status).toBe(422);
    expect(reply.body).toEqual({
      code: 422,
      data: {
        errMsg: {
          storeHash: ['This field may not be blank'],
          email: ['Enter a valid email address'],
          password: ['This field is required'],
          channelId: ['A valid integer is required'],
          name: ['This field may not be null'],
        },
      },
      meta: { message: 'Parameter Error' },
    });
  });

  it('answers 400 in the B2B envelope for a body that is not JSON', async () => {
    const reply = await call(sandbox, 'POST', '/api/io/auth/customers', {
      headers: apiAccountHeaders(sandbox),
      rawBody: 'email=buyer@example.com',
    });
    expect(reply.status).toBe(400);
    expect(reply.body).toEqual({ code: 400, data: { errMsg: 'JSON parse error' }, meta: { message: 'Bad Request' } });
  });
});

describe('server-to-server authentication of the management endpoints', () => {
  const path = '/api/io/auth/customers';

  it('answers 403 flat without an X-Auth-Token', async () => {
    const reply = await call(sandbox, 'POST', path, { headers: { 'x-store-hash': 'sandbox' }, body: credentials() });
    expect(reply.status).toBe(403);
    expect(reply.body).toEqual({ code: 403, message: 'Authentication credentials were not provided.' });
  });

  it('answers 403 flat for a wrong X-Auth-Token', async () => {
    const reply = await call(sandbox, 'POST', path, {
      headers: { 'x-auth-token': 'b'.repeat(40), 'x-store-hash': 'sandbox' },
      body: credentials(),
    });
    expect(reply.status).toBe(403);
    expect(reply.body).toEqual({ code: 403, message: 'Invalid token' });
  });

  it.each([
    ['missing', {}],
    ['mismatched', { 'x-store-hash': 'other' }],
  ])('answers a 500 in the B2B envelope when X-Store-Hash is %s', async (_, storeHeader) => {
    const reply = await call(sandbox, 'POST', path, {
      headers: { 'x-auth-token': sandbox.authToken, ...storeHeader },
      body: credentials(),
    });
    expect(reply.status).toBe(500);
    expect(reply.body).toEqual({
      code: 500,
      data: { errMsg: 'Internal Server Error' },
      meta: { message: 'Internal Server Error' },
    });
  });

  it('answers unknown routes with the v2 404 shape', async () => {
    const reply = await call(sandbox, 'GET', '/api/io/nothing-here', { headers: apiAccountHeaders(sandbox) });
    expect(reply.status).toBe(404);
    expect(reply.body).toEqual({ code: 404, data: {}, message: 'Not Found Error' });
  });

  it('answers a known route called with the wrong method with a bare detail', async () => {
    const reply = await call(sandbox, 'GET', path, { headers: apiAccountHeaders(sandbox) });
    expect(reply.status).toBe(405);
    expect(reply.body).toEqual({ detail: 'Method "GET" not allowed.' });
  });
});

describe('POST /api/io/auth/customers/storefront', () => {
  const path = '/api/io/auth/customers/storefront';

  it('answers the token as an array, with the documented claims', async () => {
    const reply = await call(sandbox, 'POST', path, {
      headers: apiAccountHeaders(sandbox),
      body: {
        customerId: buyer.bcId,
        channelId: 1,
        customerAccessToken: { value: 'cat-123', expires_at: '2030-01-01T00:00:00Z' },
      },
    });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ code: 200, data: { token: [expect.any(String)] }, meta: { message: 'SUCCESS' } });
    const claims = decodeJwt((reply.body as { data: { token: string[] } }).data.token[0] ?? '');
    expect(claims).toEqual({
      email: buyer.email,
      bc_customer_id: buyer.bcId,
      store_hash: 'sandbox',
      db: 'default',
      bc_channel_id: 1,
      exp: (claims.iat ?? 0) + DAY,
      iat: expect.any(Number),
      jti: expect.any(String),
    });
  });

  it('accepts Catalyst\'s expiresAt key and a string channelId', async () => {
    const reply = await call(sandbox, 'POST', path, {
      headers: apiAccountHeaders(sandbox),
      body: {
        customerId: SANDBOX_USERS.shopper.bcId,
        channelId: '2',
        customerAccessToken: { value: 'cat-456', expiresAt: '2030-01-01T00:00:00Z' },
      },
    });
    expect(reply.status).toBe(200);
    const claims = decodeJwt((reply.body as { data: { token: string[] } }).data.token[0] ?? '');
    expect(claims).toMatchObject({ email: SANDBOX_USERS.shopper.email, bc_channel_id: 2 });
  });

  it('answers 404 for an unknown customer', async () => {
    const reply = await call(sandbox, 'POST', path, { headers: apiAccountHeaders(sandbox), body: { customerId: 999 } });
    expect(reply.status).toBe(404);
    expect(reply.body).toEqual({
      code: 404,
      data: { errMsg: 'Customer not found' },
      meta: { message: 'Not Found Error' },
    });
  });

  it('answers 422 without a customerId', async () => {
    const reply = await call(sandbox, 'POST', path, { headers: apiAccountHeaders(sandbox), body: {} });
    expect(reply.status).toBe(422);
    expect(reply.body).toEqual({
      code: 422,
      data: { errMsg: { customerId: ['This field is required'] } },
      meta: { message: 'Parameter Error' },
    });
  });
});

describe('GET /api/io/auth/storefront', () => {
  const noCredentials = {
    code: 401,
    data: { errMsg: 'Invalid token header. No credentials provided.' },
    meta: { message: 'Invalid token header. No credentials provided.' },
  };

  it('exchanges a Current Customer JWT with only X-Store-Hash', async () => {
    const jwt = await sandbox.currentCustomerJwt(buyer.email);
    const reply = await call(sandbox, 'GET', `/api/io/auth/storefront?jwtToken=${jwt}&channelId=1`, {
      headers: { 'x-store-hash': 'sandbox' },
    });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ code: 200, data: { token: expect.any(String) }, meta: { message: 'SUCCESS' } });
    const claims = decodeJwt((reply.body as { data: { token: string } }).data.token);
    expect(claims).toMatchObject({ email: buyer.email, store_hash: 'sandbox', channel_ids: [1] });
    expect((claims.exp ?? 0) - (claims.nbf ?? 0)).toBe(DAY);
  });

  it.each([
    ['a missing jwtToken', async () => ''],
    ['a garbage jwtToken', async () => 'jwtToken=garbage'],
    ['an expired JWT', async () => `jwtToken=${await sandbox.currentCustomerJwt(buyer.email, { expiresInSeconds: -60 })}`],
  ])('answers the documented 401 for %s', async (_, query) => {
    const reply = await call(sandbox, 'GET', `/api/io/auth/storefront?${await query()}`, {
      headers: { 'x-store-hash': 'sandbox' },
    });
    expect(reply.status).toBe(401);
    expect(reply.body).toEqual(noCredentials);
  });

  it('answers the documented 401 for a JWT signed with another secret', async () => {
    const other = await createSandbox();
    try {
      const jwt = await other.currentCustomerJwt(buyer.email);
      const reply = await call(sandbox, 'GET', `/api/io/auth/storefront?jwtToken=${jwt}`, {
        headers: { 'x-store-hash': 'sandbox' },
      });
      expect(reply.body).toEqual(noCredentials);
    } finally {
      await other.close();
    }
  });

  it('answers a server error without X-Store-Hash', async () => {
    const jwt = await sandbox.currentCustomerJwt(buyer.email);
    const reply = await call(sandbox, 'GET', `/api/io/auth/storefront?jwtToken=${jwt}`);
    expect(reply.status).toBe(500);
  });
});

describe('Current Customer JWT', () => {
  it('carries the claims BigCommerce puts in /customer/current.jwt, valid 15 minutes', async () => {
    const claims = decodeJwt(await sandbox.currentCustomerJwt(buyer.email));
    expect(claims).toEqual({
      customer: { id: buyer.bcId, email: buyer.email, group_id: '1' },
      iss: 'bc/apps',
      iat: expect.any(Number),
      exp: (claims.iat ?? 0) + 900,
      aud: 'dl7c39mdpul6hyc489yk0vzxl6jesyx',
      store_hash: 'sandbox',
      operation: 'current_customer',
      jti: expect.any(String),
    });
  });

  it('is also served on /sandbox/current-customer-jwt, 404 for an unknown email', async () => {
    const ok = await call(sandbox, 'GET', `/sandbox/current-customer-jwt?email=${buyer.email}&expiresInSeconds=60`);
    expect(ok.body).toEqual({ token: expect.any(String) });
    const claims = decodeJwt((ok.body as { token: string }).token);
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(60);
    const missing = await call(sandbox, 'GET', '/sandbox/current-customer-jwt?email=nobody@example.com');
    expect(missing.status).toBe(404);
    await expect(sandbox.currentCustomerJwt('nobody@example.com')).rejects.toThrow(/No seeded storefront customer/);
  });
});
