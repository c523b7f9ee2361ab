import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/environment.js';
import { createGateway } from '../../../src/gateway.js';
import { createLogger } from '../../../src/observability/logger.js';
import { SANDBOX_USERS } from '../../../src/sandbox/index.js';
import { CREDENTIAL_LIMITS_OFF, useHarness } from '../../harness.js';
import { tamperSignature } from '../../support/jwt.js';
import { type Account, bearer, BEGIN_MASQUERADE, END_MASQUERADE, expiryOf, SESSION, SESSION_FIELDS, superAdminSession, tokenOf, upstreamCalls, upstreamOperations } from '../../support/session.js';

// The sandbox's clock runs `skewMs` ahead of the real one, so a test can let a token expire.
let skewMs = 0;
const harness = useHarness({ sandbox: { now: () => Date.now() + skewMs } });
const tokens = {} as Record<Account, string>;
beforeAll(async () => {
  for (const account of ['buyer', 'junior', 'shopper', 'superAdmin', 'salesRep'] as const) tokens[account] = await tokenOf(harness, account);
});
beforeEach(() => {
  skewMs = 0;
});

const DAY_MS = 24 * 60 * 60 * 1000;
const { buyer, shopper, superAdmin } = SANDBOX_USERS;

const session = (headers: Record<string, string> = {}, document = SESSION) => harness.graphql(document, undefined, headers);

/** `session` is non-null, so a refusal nulls the whole `data`. */
const refused = (code: string, message: string) => ({
  data: null,
  errors: [{ message, locations: [{ line: 3, column: 5 }], path: ['session'], extensions: { code, requestId: expect.any(String) } }],
});
const UNAUTHENTICATED = refused('UNAUTHENTICATED', 'Invalid or expired token.');
const BAD_RESPONSE = refused('UPSTREAM_BAD_RESPONSE', 'BigCommerce answered in an unexpected shape.');

const BUYER_USER = { id: String(buyer.userId), bcId: buyer.bcId, email: buyer.email, firstName: 'Marie', lastName: 'Curie', role: 'SENIOR_BUYER', roleCode: 1 };
const SENIOR_PERMISSIONS = [
  { code: 'get_orders', permissionLevel: 2 },
  { code: 'get_quotes', permissionLevel: 2 },
  { code: 'create_shopping_list', permissionLevel: 2 },
  { code: 'purchase_enable', permissionLevel: 1 },
];

/** A `Session` answer of the upstream for the buyer, with `userType` as given. */
const upstreamSession = (userType: unknown) =>
  JSON.stringify({
    data: {
      currentUser: { id: String(buyer.userId), bcId: buyer.bcId, email: buyer.email, firstName: 'Marie', lastName: 'Curie', role: 1 },
      customerInfo: { userType, permissions: [{ code: 'get_orders', permissionLevel: 2 }] },
    },
  });

describe('session', () => {
  it("answers a Company user's session from one upstream request carrying only their token", async () => {
    const reply = await session(bearer(tokens.buyer));

    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      data: { session: { user: BUYER_USER, kind: 'COMPANY_USER', permissions: SENIOR_PERMISSIONS, expiresAt: expiryOf(tokens.buyer), masquerade: null } },
    });
    expect(upstreamCalls(harness.sandbox)).toEqual([
      { method: 'POST', path: '/graphql', operationName: 'Session', variables: {}, authorization: 'Bearer <redacted>', xAuthToken: false },
    ]);
    expect(harness.sandbox.requests[0]?.headers['authorization']).toBe(`Bearer ${tokens.buyer}`);
  });

  it('answers a B2C customer as B2C_CUSTOMER with no permissions', async () => {
    const reply = await session(bearer(tokens.shopper));

    expect(reply.body).toEqual({
      data: {
        session: {
          user: { id: String(shopper.userId), bcId: shopper.bcId, email: shopper.email, firstName: 'Ada', lastName: 'Lovelace', role: 'B2C_CUSTOMER', roleCode: 99 },
          kind: 'B2C_CUSTOMER',
          permissions: [],
          expiresAt: expiryOf(tokens.shopper),
          masquerade: null,
        },
      },
    });
    expect(upstreamOperations(harness.sandbox)).toEqual(['Session']);
  });

  it.each([
    ['buyer', 'COMPANY_USER', 1],
    ['junior', 'COMPANY_USER', 1],
    ['shopper', 'B2C_CUSTOMER', 1],
    ['superAdmin', 'SUPER_ADMIN', 2],
    ['salesRep', 'SUPER_ADMIN', 2],
  ] as const)('answers the %s account as %s, in %i upstream request(s)', async (account, kind, requests) => {
    const reply = await session(bearer(tokens[account]), '{ session { kind masquerade { id } } }');

    expect(reply.body).toEqual({ data: { session: { kind, masquerade: null } } });
    expect(harness.sandbox.requests).toHaveLength(requests);
  });

  it("answers a Super Admin's session in two requests: the session, then superAdminMasquerading by their BigCommerce customer id", async () => {
    const reply = await session(bearer(tokens.superAdmin));

    expect(reply.body).toEqual({
      data: {
        session: superAdminSession(tokens.superAdmin, null),
      },
    });
    expect(upstreamCalls(harness.sandbox)).toEqual([
      { method: 'POST', path: '/graphql', operationName: 'Session', variables: {}, authorization: 'Bearer <redacted>', xAuthToken: false },
      { method: 'POST', path: '/graphql', operationName: 'SuperAdminMasquerading', variables: { customerId: superAdmin.bcId }, authorization: 'Bearer <redacted>', xAuthToken: false },
    ]);
  });

  it("asks nothing more for a Super Admin's session without `masquerade`", async () => {
    const reply = await session(bearer(tokens.superAdmin), '{ session { kind user { email } } }');

    expect(reply.body).toEqual({ data: { session: { kind: 'SUPER_ADMIN', user: { email: superAdmin.email } } } });
    expect(upstreamOperations(harness.sandbox)).toEqual(['Session']);
  });

  it('asks BigCommerce once per request however many times the document asks for the session', async () => {
    const document = `{ a: session { ${SESSION_FIELDS} } b: session { kind masquerade { name } } c: session { expiresAt } }`;

    const buyerReply = await session(bearer(tokens.buyer), document);
    expect(buyerReply.body.errors).toBeUndefined();
    expect(upstreamOperations(harness.sandbox)).toEqual(['Session']);

    harness.sandbox.clearRequests();
    const adminReply = await session(bearer(tokens.superAdmin), document);
    expect(adminReply.body.errors).toBeUndefined();
    expect(upstreamOperations(harness.sandbox)).toEqual(['Session', 'SuperAdminMasquerading']);
  });

  it('shows the company a Super Admin acts for', async () => {
    await harness.graphql(BEGIN_MASQUERADE, { companyId: '505' }, bearer(tokens.superAdmin));
    harness.sandbox.clearRequests();

    const reply = await session(bearer(tokens.superAdmin), '{ session { kind masquerade { id name } } }');
    await harness.graphql(END_MASQUERADE, undefined, bearer(tokens.superAdmin));

    expect(reply.body).toEqual({ data: { session: { kind: 'SUPER_ADMIN', masquerade: { id: '505', name: 'Initech Office Supply' } } } });
  });

  it.each([
    [2, 'B2C_CUSTOMER'],
    [3, 'B2C_CUSTOMER'],
    [4, 'COMPANY_USER'],
    [5, 'COMPANY_USER'],
    [7, 'COMPANY_USER'],
    [6, 'SUPER_ADMIN'],
  ])('reads customerInfo.userType %i as %s', async (userType, kind) => {
    harness.sandbox.injectFault({ match: 'POST /graphql', status: 200, body: upstreamSession(userType), times: 1 });

    const reply = await session(bearer(tokens.buyer), '{ session { kind } }');

    expect(reply.body).toEqual({ data: { session: { kind } } });
  });

  it.each([1, 0, 8, 99])('answers UPSTREAM_BAD_RESPONSE for userType %i, which names no account kind', async (userType) => {
    harness.sandbox.injectFault({ match: 'POST /graphql', status: 200, body: upstreamSession(userType), times: 1 });

    const reply = await session(bearer(tokens.buyer));

    expect(reply.body).toEqual(BAD_RESPONSE);
    expect(harness.logs.at(-1)).toContain('customerInfo.userType');
  });

  it.each([
    ['a null userType', upstreamSession(null)],
    ['a null customerInfo', JSON.stringify({ data: { currentUser: JSON.parse(upstreamSession(5)).data.currentUser, customerInfo: null } })],
  ])('answers UPSTREAM_BAD_RESPONSE for %s', async (_name, body) => {
    harness.sandbox.injectFault({ match: 'POST /graphql', status: 200, body, times: 1 });

    expect((await session(bearer(tokens.buyer))).body).toEqual(BAD_RESPONSE);
  });

  it("answers expiresAt null for a token without an exp claim (BigCommerce's answer played by the sandbox)", async () => {
    const noExpiry = `${Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url')}.${Buffer.from('{"email":"buyer@example.com"}').toString('base64url')}.c2lnbmF0dXJl`;
    harness.sandbox.injectFault({ match: 'POST /graphql', status: 200, body: upstreamSession(5), times: 1 });

    const reply = await session(bearer(noExpiry), '{ session { kind expiresAt } }');

    expect(reply.body).toEqual({ data: { session: { kind: 'COMPANY_USER', expiresAt: null } } });
  });

  it('answers UNAUTHENTICATED without an Authorization header, without calling BigCommerce', async () => {
    expect((await session()).body).toEqual(UNAUTHENTICATED);
    expect(harness.sandbox.requests).toEqual([]);
  });

  it.each([
    ['another scheme', () => `Basic ${Buffer.from(`${buyer.email}:${buyer.password}`).toString('base64')}`],
    ['a token without a scheme', () => tokens.buyer],
    ['Bearer with no token', () => 'Bearer'],
    ['a token that is not a JWT', () => 'Bearer not-a-jwt'],
  ])('answers UNAUTHENTICATED for %s, without calling BigCommerce', async (_name, header) => {
    expect((await session({ authorization: header() })).body).toEqual(UNAUTHENTICATED);
    expect(harness.sandbox.requests).toEqual([]);
  });

  it('answers UNAUTHENTICATED for a token BigCommerce refuses (40101), after one upstream request', async () => {
    expect((await session(bearer(tamperSignature(tokens.buyer)))).body).toEqual(UNAUTHENTICATED);
    expect(upstreamOperations(harness.sandbox)).toEqual(['Session']);
  });

  it('answers UNAUTHENTICATED once the token has expired', async () => {
    skewMs = 2 * DAY_MS;

    expect((await session(bearer(tokens.superAdmin))).body).toEqual(UNAUTHENTICATED);
    expect(upstreamOperations(harness.sandbox)).toEqual(['Session']);
  });

  it('answers UNAUTHENTICATED for "JWT verification failed", and never echoes the upstream message', async () => {
    harness.sandbox.injectFault({ match: 'POST /graphql', status: 200, body: '{"errors":[{"message":"JWT verification failed"}],"data":null}', times: 1 });

    const reply = await session(bearer(tokens.buyer));

    expect(reply.body).toEqual(UNAUTHENTICATED);
  });

  it("keeps the session when a Super Admin's masquerade cannot be read: masquerade is null, the error beside it", async () => {
    // An upstream that answers the Session request and fails the next: the sandbox's faults match
    // by path only, and both are POST /graphql.
    const answers = [
      { status: 200, body: upstreamSession(6) },
      { status: 502, body: '<html>bad gateway</html>' },
    ];
    const upstream = createServer((request, response) => {
      request.resume();
      const answer = answers.shift() ?? { status: 500, body: '' };
      response.writeHead(answer.status, { 'content-type': answer.status === 200 ? 'application/json' : 'text/html' }).end(answer.body);
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const gateway = await createGateway(
      loadConfig({ B2B_API_URL: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`, B2B_STORE_HASH: 'sandbox', B2B_AUTH_TOKEN: 'unused', ...CREDENTIAL_LIMITS_OFF }),
      { logger: createLogger({ level: 'error', write: () => {} }) },
    );
    try {
      const response = await gateway.yoga.fetch('http://gateway/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer(tokens.superAdmin) },
        body: JSON.stringify({ query: '{ session { kind masquerade { id } } }' }),
      });

      expect(await response.json()).toEqual({
        data: { session: { kind: 'SUPER_ADMIN', masquerade: null } },
        errors: [{ message: 'BigCommerce is unavailable.', locations: [{ line: 1, column: 18 }], path: ['session', 'masquerade'], extensions: { code: 'UPSTREAM_UNAVAILABLE', requestId: expect.any(String) } }],
      });
      expect(answers).toEqual([]);
    } finally {
      await gateway.close();
      upstream.closeAllConnections();
      await new Promise((resolve) => upstream.close(resolve));
    }
  });
});
