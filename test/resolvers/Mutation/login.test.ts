import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { SANDBOX_USERS } from '../../../src/sandbox/index.js';
import { expectedToken, LOGIN, useHarness } from '../../harness.js';
import { isoFromSeconds } from '../../support/jwt.js';

const harness = useHarness();

const { buyer, shopper, pending, inactive } = SANDBOX_USERS;
const login = (input: Record<string, unknown>) => harness.graphql(LOGIN, { input });

/** Where `login` sits in the LOGIN document: every error of the field carries it. */
const LOCATIONS = [{ line: 3, column: 5 }];
const INVALID_CREDENTIALS = {
  message: 'Invalid email or password.',
  locations: LOCATIONS,
  path: ['login'],
  extensions: { code: 'UNAUTHENTICATED', requestId: expect.any(String) },
};

describe('login', () => {
  it('logs the demo buyer in and answers the token, the user, the permissions and a storefront login token', async () => {
    const reply = await login({ email: buyer.email, password: buyer.password });

    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      data: {
        login: {
          token: expectedToken('GRAPHQL_LOGIN'),
          storefrontLoginToken: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
          user: {
            id: String(buyer.userId),
            bcId: buyer.bcId,
            email: buyer.email,
            firstName: 'Marie',
            lastName: 'Curie',
            role: 'SENIOR_BUYER',
            roleCode: 1,
          },
          permissions: [
            { code: 'get_orders', permissionLevel: 2 },
            { code: 'get_quotes', permissionLevel: 2 },
            { code: 'create_shopping_list', permissionLevel: 2 },
            { code: 'purchase_enable', permissionLevel: 1 },
          ],
        },
      },
    });
    const token = (reply.body.data?.['login'] as { token: { value: string; notBefore: string; expiresAt: string } }).token;
    const claims = decodeJwt(token.value);
    expect(claims).toMatchObject({ email: buyer.email, store_hash: 'sandbox', channel_ids: [1] });
    expect(token.expiresAt).toBe(isoFromSeconds(claims.exp));
    expect(token.notBefore).toBe(isoFromSeconds(claims.nbf));
  });

  it('logs a B2C shopper in with role B2C_CUSTOMER and no permissions', async () => {
    const reply = await login({ email: shopper.email, password: shopper.password });

    expect(reply.body).toEqual({
      data: {
        login: {
          token: expectedToken('GRAPHQL_LOGIN'),
          storefrontLoginToken: expect.any(String),
          user: {
            id: String(shopper.userId),
            bcId: shopper.bcId,
            email: shopper.email,
            firstName: 'Ada',
            lastName: 'Lovelace',
            role: 'B2C_CUSTOMER',
            roleCode: 99,
          },
          permissions: [],
        },
      },
    });
  });

  it('sends the login anonymously to POST /graphql with the configured store and channel 1', async () => {
    await login({ email: buyer.email, password: buyer.password });

    expect(harness.sandbox.requests).toHaveLength(1);
    const [request] = harness.sandbox.requests;
    expect(request).toMatchObject({ method: 'POST', path: '/graphql' });
    expect(request?.headers).not.toHaveProperty('x-auth-token');
    expect(request?.headers['authorization']).toBeUndefined();
    expect(request?.body).toMatchObject({
      variables: { loginData: { storeHash: 'sandbox', email: buyer.email, password: buyer.password, channelId: 1 } },
    });
  });

  it('passes an explicit channelId through to the upstream and into the answer', async () => {
    const reply = await login({ email: buyer.email, password: buyer.password, channelId: 7, storeHash: 'sandbox' });

    expect(reply.body.errors).toBeUndefined();
    expect(reply.body.data?.['login']).toMatchObject({ token: { storeHash: 'sandbox', channelId: 7, via: 'GRAPHQL_LOGIN' } });
    expect(harness.sandbox.requests.map((r) => r.body)).toEqual([
      expect.objectContaining({ variables: { loginData: expect.objectContaining({ storeHash: 'sandbox', channelId: 7 }) } }),
    ]);
  });

  it.each([
    ['a wrong password', { email: buyer.email, password: 'wrong-Passw0rd!' }],
    ['an unknown email', { email: 'nobody@example.com', password: 'Passw0rd!' }],
    ['a user of a company pending approval', { email: pending.email, password: pending.password }],
    ['a user of an inactive company', { email: inactive.email, password: inactive.password }],
  ])('login with %s answers UNAUTHENTICATED with the generic message', async (_case, input) => {
    const reply = await login(input);

    expect(reply.body).toEqual({ data: null, errors: [INVALID_CREDENTIALS] });
    expect(harness.sandbox.requests).toHaveLength(1);
  });

  it('login for a store this gateway does not serve answers FORBIDDEN without calling the upstream', async () => {
    const reply = await login({ email: buyer.email, password: buyer.password, storeHash: 'another-store' });

    expect(reply.body).toEqual({
      data: null,
      errors: [{ message: 'This gateway does not serve that store.', locations: LOCATIONS, path: ['login'], extensions: { code: 'FORBIDDEN', requestId: expect.any(String) } }],
    });
    expect(harness.sandbox.requests).toEqual([]);
  });

  it.each([
    ['a malformed email', { email: 'not-an-email' }, 'input.email', 'must be a valid email address'],
    ['an empty email', { email: '' }, 'input.email', 'must not be empty'],
    ['an empty password', { password: '' }, 'input.password', 'must not be empty'],
    ['an empty storeHash', { storeHash: '' }, 'input.storeHash', 'must not be empty'],
    ['channelId 0', { channelId: 0 }, 'input.channelId', 'must be a positive integer'],
    ['channelId -1', { channelId: -1 }, 'input.channelId', 'must be a positive integer'],
    ['an over-long password', { password: 'x'.repeat(1025) }, 'input.password', 'must be at most 1024 characters'],
  ])('login with %s answers BAD_USER_INPUT naming the field, without calling the upstream', async (_case, override, field, reason) => {
    const reply = await login({ email: buyer.email, password: buyer.password, ...override });

    expect(reply.body).toEqual({
      data: null,
      errors: [{ message: `${field}: ${reason}`, locations: LOCATIONS, path: ['login'], extensions: { code: 'BAD_USER_INPUT', field, requestId: expect.any(String) } }],
    });
    expect(harness.sandbox.requests).toEqual([]);
  });

  it('login without an email answers a request error that does not echo the password back', async () => {
    const reply = await login({ password: 'Secret-Passw0rd!' });

    expect(reply.status).toBe(400);
    expect(reply.body.data).toBeUndefined();
    expect(reply.body.errors).toHaveLength(1);
    expect(JSON.stringify(reply.body)).not.toContain('Secret-Passw0rd!');
    expect(harness.sandbox.requests).toEqual([]);
  });
});
