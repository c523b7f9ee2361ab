// The B2B GraphQL client's session, masquerade, Storefront API token and checkout calls
// (src/upstream/b2b-graphql/client.ts), over HTTP against the sandbox: what each sends, what it
// returns, and how it reads refusals, partial answers and nulls.
import { decodeJwt } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { InputValidationError, TokenRejectedError, UpstreamGraphQLError, UpstreamResponseShapeError } from '../../../src/errors/gateway-errors.js';
import { createSandbox, SANDBOX_USERS, type Sandbox } from '../../../src/sandbox/index.js';
import { createB2BGraphQLClient, type B2BGraphQLClient } from '../../../src/upstream/b2b-graphql/client.js';
import { createCircuitBreakers } from '../../../src/upstream/circuit-breaker.js';
import { createHttpTransport, type HttpTransport } from '../../../src/upstream/http-transport.js';

let sandbox: Sandbox;
let transport: HttpTransport;
let client: B2BGraphQLClient;
const tokens: Record<'buyer' | 'shopper' | 'superAdmin', string> = { buyer: '', shopper: '', superAdmin: '' };
const { buyer, shopper, superAdmin } = SANDBOX_USERS;
const CART_ID = '0b5e4f2a-3c1d-4e6f-8a9b-0c1d2e3f4a5b';

beforeAll(async () => {
  sandbox = await createSandbox();
  transport = createHttpTransport({ timeoutMs: 2_000 });
  client = createB2BGraphQLClient(`${sandbox.url}/graphql`, transport, createCircuitBreakers());
  for (const name of ['buyer', 'shopper', 'superAdmin'] as const) {
    const { email, password } = SANDBOX_USERS[name];
    tokens[name] = (await client.login({ storeHash: sandbox.storeHash, email, password })).token;
  }
});

afterAll(async () => {
  await transport.close();
  await sandbox.close();
});

afterEach(() => {
  sandbox.clearRequests();
  sandbox.clearFaults();
});

/** What reached the sandbox: one line per request, with the credential it carried. */
const sent = () =>
  sandbox.requests.map((request) => ({
    operationName: (request.body as { operationName?: string }).operationName,
    variables: (request.body as { variables?: unknown }).variables,
    authorization: request.headers['authorization'],
    xAuthToken: request.headers['x-auth-token'],
  }));

const rejection = (promise: Promise<unknown>) => promise.then(() => expect.unreachable('resolved'), (error: unknown) => error);

describe('session', () => {
  it('reads currentUser and customerInfo of a Company user in one request carrying only their token', async () => {
    sandbox.clearRequests();
    expect(await client.session(tokens.buyer)).toEqual({
      user: { id: String(buyer.userId), bcId: buyer.bcId, email: buyer.email, firstName: 'Marie', lastName: 'Curie', role: 1 },
      userType: 5,
      permissions: [
        { code: 'get_orders', permissionLevel: 2 },
        { code: 'get_quotes', permissionLevel: 2 },
        { code: 'create_shopping_list', permissionLevel: 2 },
        { code: 'purchase_enable', permissionLevel: 1 },
      ],
    });
    expect(sent()).toEqual([{ operationName: 'Session', variables: {}, authorization: `Bearer ${tokens.buyer}`, xAuthToken: undefined }]);
  });

  it('answers userType 2 for a B2C customer and 6 for a Super Admin', async () => {
    expect(await client.session(tokens.shopper)).toEqual({
      user: { id: String(shopper.userId), bcId: shopper.bcId, email: shopper.email, firstName: 'Ada', lastName: 'Lovelace', role: 99 },
      userType: 2,
      permissions: [],
    });
    expect(await client.session(tokens.superAdmin)).toMatchObject({ user: { id: String(superAdmin.userId), bcId: superAdmin.bcId, role: 3 }, userType: 6 });
  });

  it('turns 40101 and "JWT verification failed" into TokenRejectedError', async () => {
    expect(await rejection(client.session(`${tokens.buyer.slice(0, -4)}AAAA`))).toBeInstanceOf(TokenRejectedError);
    sandbox.injectFault({ match: 'POST /graphql', body: '{"errors":[{"message":"JWT verification failed"}],"data":null}', times: 1 });
    expect(await rejection(client.session(tokens.buyer))).toBeInstanceOf(TokenRejectedError);
  });

  it('never reads a partial answer: data beside errors is a failed call, a token refusal among them wins', async () => {
    const user = { id: '1001', bcId: 201, email: buyer.email, firstName: 'Marie', lastName: 'Curie', role: 1 };
    sandbox.injectFault({
      match: 'POST /graphql',
      body: JSON.stringify({ data: { currentUser: user, customerInfo: null }, errors: [{ message: 'customerInfo is unavailable', path: ['customerInfo'] }] }),
      times: 1,
    });
    const partial = await rejection(client.session(tokens.buyer));
    expect(partial).toBeInstanceOf(UpstreamGraphQLError);
    expect(partial).toMatchObject({ endpoint: 'graphql session', errors: [{ message: 'customerInfo is unavailable', code: undefined }] });

    sandbox.injectFault({
      match: 'POST /graphql',
      body: JSON.stringify({
        data: { currentUser: null, customerInfo: { userType: 2, permissions: [] } },
        errors: [{ message: 'Signature has expired', path: ['currentUser'], extensions: { code: 40101 } }],
      }),
      times: 1,
    });
    expect(await rejection(client.session(tokens.buyer))).toBeInstanceOf(TokenRejectedError);
  });

  it('answers UpstreamResponseShapeError for a null customerInfo or userType, TokenRejectedError for a null user', async () => {
    const user = { id: '1001', bcId: 201, email: buyer.email, firstName: 'Marie', lastName: 'Curie', role: 1 };
    for (const data of [
      { currentUser: user, customerInfo: null },
      { currentUser: user, customerInfo: { userType: null, permissions: [] } },
    ]) {
      sandbox.injectFault({ match: 'POST /graphql', body: JSON.stringify({ data }), times: 1 });
      expect(await rejection(client.session(tokens.buyer))).toBeInstanceOf(UpstreamResponseShapeError);
    }
    sandbox.injectFault({ match: 'POST /graphql', body: JSON.stringify({ data: { currentUser: null, customerInfo: { userType: 2, permissions: [] } } }), times: 1 });
    expect(await rejection(client.session(tokens.buyer))).toBeInstanceOf(TokenRejectedError);
  });
});

describe('Super Admin calls', () => {
  it('lists the companies matching a search, the search sent as a variable', async () => {
    const page = { superAdminId: superAdmin.userId, search: 'supply', first: 20, offset: 0 };
    expect(await client.superAdminCompanies(tokens.superAdmin, page)).toEqual({
      totalCount: 2,
      companies: [
        { id: 501, name: 'Acme Industrial Supply' },
        { id: 505, name: 'Initech Office Supply' },
      ],
    });
    expect(sent()).toEqual([{ operationName: 'SuperAdminCompanies', variables: page, authorization: `Bearer ${tokens.superAdmin}`, xAuthToken: undefined }]);
  });

  it('pages with first and offset, totalCount counting every match', async () => {
    expect(await client.superAdminCompanies(tokens.superAdmin, { superAdminId: superAdmin.userId, search: null, first: 2, offset: 2 })).toEqual({
      totalCount: 4,
      companies: [
        { id: 504, name: 'Globex Wholesale' },
        { id: 505, name: 'Initech Office Supply' },
      ],
    });
  });

  it('begins, reports and ends a masquerade', async () => {
    expect(await client.superAdminMasquerading(tokens.superAdmin, superAdmin.bcId)).toBeNull();
    await client.superAdminBeginMasquerade(tokens.superAdmin, 504);
    expect(await client.superAdminMasquerading(tokens.superAdmin, superAdmin.bcId)).toEqual({ id: 504, name: 'Globex Wholesale' });
    await client.superAdminEndMasquerade(tokens.superAdmin, 504);
    expect(await client.superAdminMasquerading(tokens.superAdmin, superAdmin.bcId)).toBeNull();
    expect(sent().map(({ operationName, variables }) => [operationName, variables])).toEqual([
      ['SuperAdminMasquerading', { customerId: superAdmin.bcId }],
      ['SuperAdminBeginMasquerade', { companyId: 504 }],
      ['SuperAdminMasquerading', { customerId: superAdmin.bcId }],
      ['SuperAdminEndMasquerade', { companyId: 504 }],
      ['SuperAdminMasquerading', { customerId: superAdmin.bcId }],
    ]);
  });

  it('turns a refused company into InputValidationError on companyId', async () => {
    for (const companyId of [506, 503, 999]) {
      const error = await rejection(client.superAdminBeginMasquerade(tokens.superAdmin, companyId));
      expect(error).toBeInstanceOf(InputValidationError);
      expect(error).toMatchObject({ field: 'companyId' });
    }
  });

  it('answers UpstreamResponseShapeError for a company without a name or a numeric id', async () => {
    for (const company of [
      { id: '504', companyName: null },
      { id: 'U3VwZXJBZG1pbjo1MDQ=', companyName: 'Globex Wholesale' },
    ]) {
      sandbox.injectFault({ match: 'POST /graphql', body: JSON.stringify({ data: { superAdminMasquerading: company } }), times: 1 });
      expect(await rejection(client.superAdminMasquerading(tokens.superAdmin, superAdmin.bcId))).toBeInstanceOf(UpstreamResponseShapeError);
    }
    sandbox.injectFault({ match: 'POST /graphql', body: JSON.stringify({ data: { superAdminCompanies: { totalCount: null, edges: [] } } }), times: 1 });
    expect(await rejection(client.superAdminCompanies(tokens.superAdmin, { superAdminId: superAdmin.userId, search: null, first: 20, offset: 0 }))).toBeInstanceOf(
      UpstreamResponseShapeError,
    );
  });
});

describe('storeFrontToken', () => {
  it('is anonymous and returns the Storefront API token for the origins and expiry sent', async () => {
    const data = { storeHash: sandbox.storeHash, channelId: 1, expiresAt: Math.floor(Date.now() / 1000) + 3600, allowedCorsOrigins: ['https://shop.example.com'] };
    const token = await client.storeFrontToken(data);
    expect(decodeJwt(token)).toMatchObject({ cid: [1], cors: ['https://shop.example.com'], eat: data.expiresAt, iss: 'BC' });
    expect(sent()).toEqual([{ operationName: 'StoreFrontToken', variables: { storeFrontTokenData: data }, authorization: undefined, xAuthToken: undefined }]);
  });

  it('answers UpstreamResponseShapeError for a null token', async () => {
    sandbox.injectFault({ match: 'POST /graphql', body: '{"data":{"storeFrontToken":{"token":null}}}', times: 1 });
    const data = { storeHash: sandbox.storeHash, channelId: 1, expiresAt: Math.floor(Date.now() / 1000) + 3600, allowedCorsOrigins: [] };
    expect(await rejection(client.storeFrontToken(data))).toBeInstanceOf(UpstreamResponseShapeError);
  });
});

describe('checkoutLogin', () => {
  it('returns a storefront link that signs the buyer in once and opens checkout with the cart', async () => {
    const { redirectUrl } = await client.checkoutLogin(tokens.buyer, CART_ID);
    expect(redirectUrl.startsWith(`${sandbox.storefrontUrl}/login/token/`)).toBe(true);
    expect(sent()).toEqual([{ operationName: 'CheckoutLogin', variables: { cartData: { cartId: CART_ID } }, authorization: `Bearer ${tokens.buyer}`, xAuthToken: undefined }]);
    const opened = await fetch(redirectUrl, { redirect: 'manual' });
    expect([opened.status, opened.headers.get('location')]).toEqual([302, `/cart.php?action=loadInCheckout&id=${CART_ID}`]);
  });

  it('turns a refused cart into InputValidationError on cartId', async () => {
    const error = await rejection(client.checkoutLogin(tokens.buyer, 'not-a-cart'));
    expect(error).toBeInstanceOf(InputValidationError);
    expect(error).toMatchObject({ field: 'cartId' });
  });
});
