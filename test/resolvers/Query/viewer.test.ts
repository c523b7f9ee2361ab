import { beforeEach, describe, expect, it } from 'vitest';
import { SANDBOX_USERS } from '../../../src/sandbox/index.js';
import { LOGIN, useHarness } from '../../harness.js';
import { tamperSignature } from '../../support/jwt.js';

// The sandbox's clock runs `skewMs` ahead of the real one, so a test can let a token expire.
let skewMs = 0;
const harness = useHarness({ sandbox: { now: () => Date.now() + skewMs } });
beforeEach(() => {
  skewMs = 0;
});

const { buyer, shopper } = SANDBOX_USERS;
const DAY_MS = 24 * 60 * 60 * 1000;

const VIEWER = /* GraphQL */ `
  query Viewer {
    viewer { id bcId email firstName lastName role roleCode }
  }
`;

const viewer = (headers: Record<string, string> = {}) => harness.graphql(VIEWER, undefined, headers);

/** Logs a seeded user in through the gateway and answers the storefront token; forgets the requests. */
async function tokenOf(user: { email: string; password: string }): Promise<string> {
  const reply = await harness.graphql(LOGIN, { input: { email: user.email, password: user.password } });
  const token = (reply.body.data?.['login'] as { token: { value: string } } | undefined)?.token.value;
  if (token === undefined) throw new Error(`login failed: ${JSON.stringify(reply.body)}`);
  harness.sandbox.clearRequests();
  return token;
}

/** `viewer` is non-null, so a refused token nulls the whole `data`. */
const UNAUTHENTICATED = {
  data: null,
  errors: [{ message: 'Invalid or expired token.', locations: [{ line: 3, column: 5 }], path: ['viewer'], extensions: { code: 'UNAUTHENTICATED', requestId: expect.any(String) } }],
};

const BUYER = {
  id: String(buyer.userId),
  bcId: buyer.bcId,
  email: buyer.email,
  firstName: 'Marie',
  lastName: 'Curie',
  role: 'SENIOR_BUYER',
  roleCode: 1,
};

describe('viewer', () => {
  it('answers the logged-in buyer for the token in Authorization: Bearer', async () => {
    const token = await tokenOf(buyer);

    const reply = await viewer({ authorization: `Bearer ${token}` });

    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ data: { viewer: BUYER } });
  });

  it('answers a B2C shopper as B2C_CUSTOMER', async () => {
    const token = await tokenOf(shopper);

    const reply = await viewer({ authorization: `Bearer ${token}` });

    expect(reply.body).toEqual({
      data: {
        viewer: {
          id: String(shopper.userId),
          bcId: shopper.bcId,
          email: shopper.email,
          firstName: 'Ada',
          lastName: 'Lovelace',
          role: 'B2C_CUSTOMER',
          roleCode: 99,
        },
      },
    });
  });

  it('asks POST /graphql currentUser with the caller\'s Authorization and never the X-Auth-Token', async () => {
    const token = await tokenOf(buyer);

    await viewer({ authorization: `Bearer ${token}` });

    expect(harness.sandbox.requests).toHaveLength(1);
    const [request] = harness.sandbox.requests;
    expect(request).toMatchObject({ method: 'POST', path: '/graphql', body: { operationName: 'CurrentUser' } });
    expect(request?.headers['authorization']).toBe(`Bearer ${token}`);
    expect(request?.headers).not.toHaveProperty('x-auth-token');
    expect(JSON.stringify(request)).not.toContain(harness.sandbox.authToken);
  });

  it.each([
    ['two spaces after Bearer, as BigCommerce\'s buyer portal sends', (token: string) => `Bearer  ${token}`],
    ['a lower-case scheme', (token: string) => `bearer ${token}`],
    ['a tab and trailing white space', (token: string) => `Bearer\t${token}  `],
  ])('accepts %s and forwards `Bearer <token>`', async (_name, header) => {
    const token = await tokenOf(buyer);

    const reply = await viewer({ authorization: header(token) });

    expect(reply.body).toEqual({ data: { viewer: BUYER } });
    expect(harness.sandbox.requests.map((request) => request.headers['authorization'])).toEqual([`Bearer ${token}`]);
  });

  it('answers UNAUTHENTICATED without an Authorization header, without calling BigCommerce', async () => {
    const reply = await viewer();

    expect(reply.body).toEqual(UNAUTHENTICATED);
    expect(harness.sandbox.requests).toEqual([]);
  });

  it.each([
    ['another scheme', async () => `Basic ${Buffer.from(`${buyer.email}:${buyer.password}`).toString('base64')}`],
    ['a token without a scheme', async () => tokenOf(buyer)],
    ['Bearer with no token', async () => 'Bearer'],
    ['Bearer with two tokens', async () => `Bearer ${await tokenOf(buyer)} extra`],
    ['a token that is not a JWT', async () => 'Bearer garbage'],
  ])('answers UNAUTHENTICATED for %s, without calling BigCommerce', async (_name, header) => {
    const reply = await viewer({ authorization: await header() });

    expect(reply.body).toEqual(UNAUTHENTICATED);
    expect(harness.sandbox.requests).toEqual([]);
  });

  it('answers UNAUTHENTICATED for a token whose signature BigCommerce refuses (40101)', async () => {
    const token = tamperSignature(await tokenOf(buyer));

    const reply = await viewer({ authorization: `Bearer ${token}` });

    expect(reply.body).toEqual(UNAUTHENTICATED);
    expect(harness.sandbox.requests).toHaveLength(1);
  });

  it('answers UNAUTHENTICATED once the token has expired', async () => {
    const token = await tokenOf(buyer);
    skewMs = 2 * DAY_MS;

    const reply = await viewer({ authorization: `Bearer ${token}` });

    expect(reply.body).toEqual(UNAUTHENTICATED);
    expect(harness.sandbox.requests).toHaveLength(1);
    expect(harness.logs.join('\n')).toContain('Signature has expired');
  });

  it('answers UNAUTHENTICATED when BigCommerce names no current user', async () => {
    const token = await tokenOf(buyer);
    harness.sandbox.injectFault({ match: 'POST /graphql', status: 200, body: '{"data":{"currentUser":null}}', times: 1 });

    const reply = await viewer({ authorization: `Bearer ${token}` });

    expect(reply.body).toEqual(UNAUTHENTICATED);
    expect(harness.sandbox.requests).toHaveLength(1);
  });

  it('does not blame the buyer for an upstream error that is not about the token: "Unexpected error."', async () => {
    const token = await tokenOf(buyer);
    harness.sandbox.injectFault({
      match: 'POST /graphql',
      status: 200,
      body: '{"errors":[{"message":"Something broke","extensions":{"code":50000}}],"data":{"currentUser":null}}',
      times: 1,
    });

    const reply = await viewer({ authorization: `Bearer ${token}` });

    expect(reply.body).toEqual({
      data: null,
      errors: [{ message: 'Unexpected error.', locations: [{ line: 3, column: 5 }], path: ['viewer'], extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: expect.any(String) } }],
    });
    expect(harness.sandbox.requests).toHaveLength(1);
  });

  it('answers UPSTREAM_UNAVAILABLE when BigCommerce answers 502', async () => {
    const token = await tokenOf(buyer);
    harness.sandbox.injectFault({ match: 'POST /graphql', status: 502, body: '<html>bad gateway</html>', contentType: 'text/html', times: 1 });

    const reply = await viewer({ authorization: `Bearer ${token}` });

    expect(reply.body).toEqual({
      data: null,
      errors: [{ message: 'BigCommerce is unavailable.', locations: [{ line: 3, column: 5 }], path: ['viewer'], extensions: { code: 'UPSTREAM_UNAVAILABLE', requestId: expect.any(String) } }],
    });
  });

  it('never writes the token into the log', async () => {
    const token = await tokenOf(buyer);
    harness.logs.length = 0;

    await viewer({ authorization: `Bearer ${tamperSignature(token)}` });
    await viewer({ authorization: `Bearer ${token}` });

    expect(harness.logs.length).toBeGreaterThan(0);
    expect(harness.logs.join('\n')).not.toContain(token.split('.')[2]);
  });
});
