import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, SANDBOX_USERS, type Sandbox } from '../../src/sandbox/index.js';
import { apiAccountHeaders, AUTHORIZATION, call, CURRENT_USER, graphql, LOGIN } from './harness.js';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await createSandbox();
});
afterAll(() => sandbox.close());

const buyer = SANDBOX_USERS.buyer;
const loginData = (overrides: Record<string, unknown> = {}) => ({
  loginData: { storeHash: 'sandbox', email: buyer.email, password: buyer.password, ...overrides },
});

async function loginToken(): Promise<string> {
  const reply = await graphql(sandbox, LOGIN, loginData());
  return (reply.body as { data: { login: { result: { token: string } } } }).data.login.result.token;
}

describe('login', () => {
  it('answers a storefront authToken, the user, loginType 2, a storefrontLoginToken and permissions', async () => {
    const reply = await graphql(sandbox, LOGIN, loginData());
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      data: {
        login: {
          result: {
            token: expect.any(String),
            loginType: 2,
            storefrontLoginToken: expect.any(String),
            permissions: [
              { code: 'get_orders', permissionLevel: 2 },
              { code: 'get_quotes', permissionLevel: 2 },
              { code: 'create_shopping_list', permissionLevel: 2 },
              { code: 'purchase_enable', permissionLevel: 1 },
            ],
            user: {
              id: String(buyer.userId),
              bcId: buyer.bcId,
              firstName: 'Marie',
              lastName: 'Curie',
              email: buyer.email,
              phone: '+1 555 0100',
              role: 1,
              companyRoleId: 2,
              companyRoleName: 'Senior Buyer',
              companyInfo: { companyId: String(buyer.companyId), companyName: 'Acme Industrial Supply' },
            },
          },
        },
      },
    });
    const { result } = (reply.body as { data: { login: { result: { token: string; storefrontLoginToken: string } } } })
      .data.login;
    expect(decodeJwt(result.token)).toMatchObject({ email: buyer.email, store_hash: 'sandbox', channel_ids: [1] });
    expect(decodeJwt(result.storefrontLoginToken)).toMatchObject({
      operation: 'customer_login',
      customer_id: buyer.bcId,
      channel_id: 1,
      store_hash: 'sandbox',
    });
  });

  it('answers a B2C customer with role 99 and no company', async () => {
    const shopper = SANDBOX_USERS.shopper;
    const reply = await graphql(sandbox, LOGIN, loginData({ email: shopper.email, password: shopper.password }));
    expect(reply.body).toMatchObject({
      data: { login: { result: { permissions: [], user: { bcId: shopper.bcId, role: 99, companyInfo: null } } } },
    });
  });

  it('answers a wrong password with HTTP 200, "Invalid Login" and code 40001', async () => {
    const reply = await graphql(sandbox, LOGIN, loginData({ password: 'wrong' }));
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      errors: [{ message: 'Invalid Login', extensions: { code: 40001 } }],
      data: { login: null },
    });
  });

  it('answers a pending company with a long sentence and no extensions', async () => {
    const reply = await graphql(sandbox, LOGIN, loginData({ email: SANDBOX_USERS.pending.email }));
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      errors: [
        {
          message:
            'Your business account is pending approval. You will gain access to business account features, products, and pricing after account approval.',
        },
      ],
      data: { login: null },
    });
  });

  it('refuses a storeHash that is not this store', async () => {
    const reply = await graphql(sandbox, LOGIN, loginData({ storeHash: 'elsewhere' }));
    expect(reply.body).toEqual({ errors: [{ message: 'Store not found' }], data: { login: null } });
  });

  it('does not need X-Auth-Token, and records the headers it got', async () => {
    sandbox.clearRequests();
    await graphql(sandbox, LOGIN, loginData());
    expect(sandbox.requests).toHaveLength(1);
    expect(sandbox.requests[0]?.headers['x-auth-token']).toBeUndefined();
    expect(sandbox.requests[0]?.body).toEqual({ query: LOGIN, variables: loginData() });
  });

  it('ignores an X-Auth-Token that is sent anyway', async () => {
    const reply = await graphql(sandbox, LOGIN, loginData(), apiAccountHeaders(sandbox));
    expect(reply.status).toBe(200);
  });
});

describe('authorization', () => {
  it('exchanges a Current Customer JWT for a storefront authToken', async () => {
    const bcToken = await sandbox.currentCustomerJwt(buyer.email);
    const reply = await graphql(sandbox, AUTHORIZATION, { authData: { bcToken, channelId: 1 } });
    expect(reply.body).toEqual({
      data: {
        authorization: {
          result: { token: expect.any(String), user: { id: String(buyer.userId), email: buyer.email }, loginType: 2 },
        },
      },
    });
  });

  it('answers 40101 for an expired JWT', async () => {
    const bcToken = await sandbox.currentCustomerJwt(buyer.email, { expiresInSeconds: -1 });
    const reply = await graphql(sandbox, AUTHORIZATION, { authData: { bcToken } });
    expect(reply.body).toEqual({
      errors: [{ message: 'Signature has expired', extensions: { code: 40101 } }],
      data: { authorization: null },
    });
  });

  it('answers 40101 for a JWT with a bad signature', async () => {
    const valid = await sandbox.currentCustomerJwt(buyer.email);
    const bcToken = `${valid.slice(0, valid.lastIndexOf('.'))}.${'A'.repeat(43)}`;
    const reply = await graphql(sandbox, AUTHORIZATION, { authData: { bcToken } });
    expect(reply.body).toEqual({
      errors: [{ message: 'Error decoding signature', extensions: { code: 40101 } }],
      data: { authorization: null },
    });
  });

  it('answers "JWT verification failed" without extensions for a string that is not a JWT', async () => {
    const reply = await graphql(sandbox, AUTHORIZATION, { authData: { bcToken: 'not-a-jwt' } });
    expect(reply.body).toEqual({ errors: [{ message: 'JWT verification failed' }], data: { authorization: null } });
  });
});

describe('currentUser', () => {
  it('accepts "Bearer" and the token separated by two spaces, as the buyer portal sends', async () => {
    const token = await loginToken();
    const reply = await graphql(sandbox, CURRENT_USER, undefined, { authorization: `Bearer  ${token}` });
    expect(reply.body).toEqual({
      data: {
        currentUser: {
          id: String(buyer.userId),
          bcId: buyer.bcId,
          email: buyer.email,
          role: 1,
          companyInfo: { companyId: String(buyer.companyId) },
        },
      },
    });
  });

  it('accepts the customer-id token too', async () => {
    const minted = await call(sandbox, 'POST', '/api/io/auth/customers/storefront', {
      headers: apiAccountHeaders(sandbox),
      body: { customerId: SANDBOX_USERS.junior.bcId },
    });
    const token = (minted.body as { data: { token: string[] } }).data.token[0] ?? '';
    const reply = await graphql(sandbox, CURRENT_USER, undefined, { authorization: `Bearer ${token}` });
    expect(reply.body).toMatchObject({ data: { currentUser: { email: SANDBOX_USERS.junior.email, role: 2 } } });
  });

  it.each([
    ['no Authorization header', async () => ({}), 'Authentication credentials were not provided.'],
    ['a token this upstream never issued', async () => ({ authorization: 'Bearer abc.def.ghi' }), 'Error decoding signature'],
    [
      'an expired token',
      async () => {
        const reply = await call(sandbox, 'POST', '/api/io/auth/customers', {
          headers: apiAccountHeaders(sandbox),
          body: { storeHash: 'sandbox', email: buyer.email, password: buyer.password, channelId: 1, name: 'x', endAt: 1000 },
        });
        return { authorization: `Bearer ${(reply.body as { data: { token: string } }).data.token}` };
      },
      'Signature has expired',
    ],
  ])('answers 40101 and null for %s', async (_, headers, message) => {
    const reply = await graphql(sandbox, CURRENT_USER, undefined, await headers());
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ errors: [{ message, extensions: { code: 40101 } }], data: { currentUser: null } });
  });
});

describe('the GraphQL endpoint', () => {
  it('serves introspection of the upstream schema', async () => {
    const reply = await graphql(sandbox, '{ __schema { mutationType { name } queryType { name } } }');
    expect(reply.body).toEqual({ data: { __schema: { mutationType: { name: 'Mutation' }, queryType: { name: 'Query' } } } });
  });

  it('answers 400 with a GraphQL errors body for a body that is not JSON', async () => {
    const reply = await call(sandbox, 'POST', '/graphql', { rawBody: '{"query": ' });
    expect(reply.status).toBe(400);
    expect(reply.body).toEqual({ errors: [{ message: 'POST body sent invalid JSON.' }] });
  });

  it('answers 400 without a query and for a document that does not validate', async () => {
    const missing = await call(sandbox, 'POST', '/graphql', { body: { variables: {} } });
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({ errors: [{ message: 'Must provide query string.' }] });
    const invalid = await graphql(sandbox, '{ nope }');
    expect(invalid.status).toBe(400);
    expect(invalid.body).toEqual({
      errors: [{ message: 'Cannot query field "nope" on type "Query".', locations: [{ line: 1, column: 3 }] }],
    });
  });
});
