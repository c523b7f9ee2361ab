// The sandbox's buyer-session operations over HTTP: customerInfo, the Super Admin's companies and
// masquerade (kept per Super Admin), storeFrontToken and checkoutLogin, and 40101 for a bad token.
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, SANDBOX_USERS, type Sandbox } from '../../src/sandbox/index.js';
import { graphql, LOGIN } from './harness.js';

let sandbox: Sandbox;
const bearer: Record<string, Record<string, string>> = {};
const { buyer, junior, shopper, superAdmin, salesRep } = SANDBOX_USERS;

beforeAll(async () => {
  sandbox = await createSandbox();
  for (const { email, password } of [buyer, junior, shopper, superAdmin, salesRep]) {
    const reply = await graphql(sandbox, LOGIN, { loginData: { storeHash: sandbox.storeHash, email, password } });
    const { token } = (reply.body as { data: { login: { result: { token: string } } } }).data.login.result;
    bearer[email] = { authorization: `Bearer ${token}` };
  }
});
afterAll(() => sandbox.close());

const as = (user: { email: string }) => bearer[user.email] ?? {};

const CUSTOMER_INFO = /* GraphQL */ `
  query { customerInfo { userType permissions { code permissionLevel } userInfo { id email firstName lastName phoneNumber role companyRoleId companyRoleName } } }
`;
const COMPANIES = /* GraphQL */ `
  query Companies($superAdminId: Int!, $search: String, $first: Int, $offset: Int) {
    superAdminCompanies(superAdminId: $superAdminId, search: $search, first: $first, offset: $offset) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { id companyId companyName companyEmail companyAdminName bcGroupName } }
    }
  }
`;
const MASQUERADING = /* GraphQL */ `
  query Masquerading($customerId: Int!) { superAdminMasquerading(customerId: $customerId) { id companyName companyStatus customerGroupId bcGroupName } }
`;
const BEGIN = /* GraphQL */ `
  mutation Begin($companyId: Int!) { superAdminBeginMasquerade(companyId: $companyId) { userInfo { email firstName lastName phoneNumber } } }
`;
const END = /* GraphQL */ `
  mutation End($companyId: Int!) { superAdminEndMasquerade(companyId: $companyId) { message } }
`;
const STOREFRONT_TOKEN = /* GraphQL */ `
  mutation Token($data: CustomerStoreFrontTokenInputType!) { storeFrontToken(storeFrontTokenData: $data) { token } }
`;
const CHECKOUT_LOGIN = /* GraphQL */ `
  mutation Checkout($cartId: String!) { checkoutLogin(cartData: { cartId: $cartId }) { result { redirectUrl } } }
`;
const CART_ID = '0b5e4f2a-3c1d-4e6f-8a9b-0c1d2e3f4a5b';

const PERMISSION_DENIED = { message: 'You do not have permission to perform this action.', extensions: { code: 40301 } };
const COMPANY_NOT_FOUND = { message: 'Company not found.', extensions: { code: 40401 } };
const masquerading = async (admin: { email: string; bcId: number }) =>
  (await graphql(sandbox, MASQUERADING, { customerId: admin.bcId }, as(admin))).body;

describe('customerInfo', () => {
  it('answers a Company user with userType 5, their company role and permissions', async () => {
    const reply = await graphql(sandbox, CUSTOMER_INFO, undefined, as(junior));
    expect(reply.body).toEqual({
      data: {
        customerInfo: {
          userType: 5,
          permissions: [
            { code: 'get_orders', permissionLevel: 1 },
            { code: 'create_shopping_list', permissionLevel: 1 },
          ],
          userInfo: {
            id: junior.userId,
            email: junior.email,
            firstName: 'Pierre',
            lastName: 'Curie',
            phoneNumber: null,
            role: 2,
            companyRoleId: 3,
            companyRoleName: 'Junior Buyer',
          },
        },
      },
    });
  });

  it('answers userType 2 and no permissions for a B2C customer, 6 for a Super Admin', async () => {
    const shopperInfo = await graphql(sandbox, CUSTOMER_INFO, undefined, as(shopper));
    expect(shopperInfo.body).toMatchObject({ data: { customerInfo: { userType: 2, permissions: [], userInfo: { id: shopper.userId, role: 99 } } } });
    const adminInfo = await graphql(sandbox, CUSTOMER_INFO, undefined, as(superAdmin));
    expect(adminInfo.body).toEqual({
      data: {
        customerInfo: {
          userType: 6,
          permissions: [
            { code: 'get_orders', permissionLevel: 2 },
            { code: 'get_quotes', permissionLevel: 2 },
            { code: 'purchase_enable', permissionLevel: 1 },
          ],
          userInfo: {
            id: superAdmin.userId,
            email: superAdmin.email,
            firstName: 'Grace',
            lastName: 'Hopper',
            phoneNumber: '+1 555 0103',
            role: 3,
            companyRoleId: null,
            companyRoleName: null,
          },
        },
      },
    });
  });
});

describe('a bad token', () => {
  const calls: [string, string, Record<string, unknown> | undefined][] = [
    ['customerInfo', CUSTOMER_INFO, undefined],
    ['superAdminCompanies', COMPANIES, { superAdminId: superAdmin.userId }],
    ['superAdminMasquerading', MASQUERADING, { customerId: superAdmin.bcId }],
    ['superAdminBeginMasquerade', BEGIN, { companyId: 504 }],
    ['superAdminEndMasquerade', END, { companyId: 504 }],
    ['checkoutLogin', CHECKOUT_LOGIN, { cartId: CART_ID }],
  ];

  it.each(calls)('answers 40101 and null for %s', async (field, query, variables) => {
    const forged = { authorization: `${as(superAdmin)['authorization']?.slice(0, -4)}AAAA` };
    for (const [headers, message] of [
      [forged, 'Error decoding signature'],
      [{}, 'Authentication credentials were not provided.'],
    ] as const) {
      const reply = await graphql(sandbox, query, variables, headers);
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual({ errors: [{ message, extensions: { code: 40101 } }], data: { [field]: null } });
    }
  });
});

describe('superAdminCompanies', () => {
  it('answers the companies a Super Admin may act for, by name, as a relay connection', async () => {
    const reply = await graphql(sandbox, COMPANIES, { superAdminId: superAdmin.userId, first: 2 }, as(superAdmin));
    const cursor = (index: number) => Buffer.from(`arrayconnection:${index}`).toString('base64');
    expect(reply.body).toEqual({
      data: {
        superAdminCompanies: {
          totalCount: 4,
          pageInfo: { hasNextPage: true, hasPreviousPage: false, startCursor: cursor(0), endCursor: cursor(1) },
          edges: [
            {
              cursor: cursor(0),
              node: {
                id: Buffer.from('SuperAdminCompanyType:501').toString('base64'),
                companyId: 501,
                companyName: 'Acme Industrial Supply',
                companyEmail: 'orders@acme.example.com',
                companyAdminName: 'Marie Curie',
                bcGroupName: 'Acme Industrial Supply',
              },
            },
            {
              cursor: cursor(1),
              node: {
                id: Buffer.from('SuperAdminCompanyType:503').toString('base64'),
                companyId: 503,
                companyName: 'Dormant Goods Ltd.',
                companyEmail: 'info@dormant.example.com',
                companyAdminName: 'Ivan Idle',
                bcGroupName: 'Dormant Goods Ltd.',
              },
            },
          ],
        },
      },
    });
  });

  it('searches names and emails ignoring case, and pages with first and offset over the matches', async () => {
    const names = async (variables: Record<string, unknown>) => {
      const reply = await graphql(sandbox, COMPANIES, { superAdminId: superAdmin.userId, ...variables }, as(superAdmin));
      const { totalCount, edges, pageInfo } = (reply.body as { data: { superAdminCompanies: { totalCount: number; edges: { node: { companyName: string } }[]; pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean } } } }).data.superAdminCompanies;
      return { totalCount, names: edges.map((edge) => edge.node.companyName), hasNextPage: pageInfo.hasNextPage, hasPreviousPage: pageInfo.hasPreviousPage };
    };
    expect(await names({ search: 'SUPPLY' })).toEqual({ totalCount: 2, names: ['Acme Industrial Supply', 'Initech Office Supply'], hasNextPage: false, hasPreviousPage: false });
    expect(await names({ search: 'globex.example' })).toEqual({ totalCount: 1, names: ['Globex Wholesale'], hasNextPage: false, hasPreviousPage: false });
    expect(await names({ offset: 3, first: 5 })).toEqual({ totalCount: 4, names: ['Initech Office Supply'], hasNextPage: false, hasPreviousPage: true });
    expect(await names({ search: 'nothing like this' })).toEqual({ totalCount: 0, names: [], hasNextPage: false, hasPreviousPage: false });
  });

  it('refuses another Super Admin’s id, and anyone who is not a Super Admin', async () => {
    const otherId = await graphql(sandbox, COMPANIES, { superAdminId: salesRep.userId }, as(superAdmin));
    expect(otherId.body).toEqual({ errors: [PERMISSION_DENIED], data: { superAdminCompanies: null } });
    const buyerReply = await graphql(sandbox, COMPANIES, { superAdminId: buyer.userId }, as(buyer));
    expect(buyerReply.body).toEqual({ errors: [PERMISSION_DENIED], data: { superAdminCompanies: null } });
  });
});

describe('masquerade', () => {
  it('is begun, reported and ended per Super Admin', async () => {
    expect(await masquerading(superAdmin)).toEqual({ data: { superAdminMasquerading: null } });

    const begun = await graphql(sandbox, BEGIN, { companyId: 504 }, as(superAdmin));
    expect(begun.body).toEqual({
      data: { superAdminBeginMasquerade: { userInfo: { email: superAdmin.email, firstName: 'Grace', lastName: 'Hopper', phoneNumber: '+1 555 0103' } } },
    });
    const globex = { id: '504', companyName: 'Globex Wholesale', companyStatus: 1, customerGroupId: 14, bcGroupName: 'Globex Wholesale' };
    expect(await masquerading(superAdmin)).toEqual({ data: { superAdminMasquerading: globex } });
    // Another Super Admin of the same company is not masquerading.
    expect(await masquerading(salesRep)).toEqual({ data: { superAdminMasquerading: null } });

    await graphql(sandbox, BEGIN, { companyId: 506 }, as(salesRep));
    expect(await masquerading(salesRep)).toMatchObject({ data: { superAdminMasquerading: { id: '506', companyName: 'Umbrella Medical' } } });
    expect(await masquerading(superAdmin)).toEqual({ data: { superAdminMasquerading: globex } });

    const ended = await graphql(sandbox, END, { companyId: 504 }, as(superAdmin));
    expect(ended.body).toEqual({ data: { superAdminEndMasquerade: { message: 'Masquerade ended.' } } });
    expect(await masquerading(superAdmin)).toEqual({ data: { superAdminMasquerading: null } });
    expect(await masquerading(salesRep)).toMatchObject({ data: { superAdminMasquerading: { id: '506' } } });
    await graphql(sandbox, END, { companyId: 506 }, as(salesRep));
  });

  it('switches company when begun again, and ending a company not masqueraded as changes nothing', async () => {
    await graphql(sandbox, BEGIN, { companyId: 504 }, as(superAdmin));
    await graphql(sandbox, BEGIN, { companyId: 505 }, as(superAdmin));
    expect(await masquerading(superAdmin)).toMatchObject({ data: { superAdminMasquerading: { id: '505' } } });
    const other = await graphql(sandbox, END, { companyId: 501 }, as(superAdmin));
    expect(other.body).toEqual({ data: { superAdminEndMasquerade: { message: 'Masquerade ended.' } } });
    expect(await masquerading(superAdmin)).toMatchObject({ data: { superAdminMasquerading: { id: '505' } } });
    await graphql(sandbox, END, { companyId: 505 }, as(superAdmin));
    expect(await masquerading(superAdmin)).toEqual({ data: { superAdminMasquerading: null } });
  });

  it('refuses a company the Super Admin may not act for, an unknown one, and an inactive one', async () => {
    for (const companyId of [506, 999]) {
      const reply = await graphql(sandbox, BEGIN, { companyId }, as(superAdmin));
      expect(reply.body).toEqual({ errors: [COMPANY_NOT_FOUND], data: { superAdminBeginMasquerade: null } });
    }
    const inactive = await graphql(sandbox, BEGIN, { companyId: 503 }, as(superAdmin));
    expect(inactive.body).toEqual({
      errors: [{ message: 'This business account is inactive. Reach out to our support team to reactivate your account.' }],
      data: { superAdminBeginMasquerade: null },
    });
    const end = await graphql(sandbox, END, { companyId: 506 }, as(superAdmin));
    expect(end.body).toEqual({ errors: [COMPANY_NOT_FOUND], data: { superAdminEndMasquerade: null } });
    expect(await masquerading(superAdmin)).toEqual({ data: { superAdminMasquerading: null } });
  });

  it('is refused to anyone who is not a Super Admin, and to a Super Admin asking about someone else', async () => {
    for (const [query, variables, field] of [
      [BEGIN, { companyId: 501 }, 'superAdminBeginMasquerade'],
      [END, { companyId: 501 }, 'superAdminEndMasquerade'],
      [MASQUERADING, { customerId: buyer.bcId }, 'superAdminMasquerading'],
    ] as const) {
      const reply = await graphql(sandbox, query, variables, as(buyer));
      expect(reply.body).toEqual({ errors: [PERMISSION_DENIED], data: { [field]: null } });
    }
    const someoneElse = await graphql(sandbox, MASQUERADING, { customerId: salesRep.bcId }, as(superAdmin));
    expect(someoneElse.body).toEqual({ errors: [PERMISSION_DENIED], data: { superAdminMasquerading: null } });
  });
});

describe('storeFrontToken', () => {
  const data = (overrides: Record<string, unknown> = {}) => ({
    data: { storeHash: 'sandbox', channelId: 1, expiresAt: Math.floor(Date.now() / 1000) + 3600, allowedCorsOrigins: ['https://shop.example.com'], ...overrides },
  });

  it('needs no token and answers a Storefront API token for the channel, origins and expiry sent', async () => {
    const variables = data();
    const reply = await graphql(sandbox, STOREFRONT_TOKEN, variables);
    expect(reply.body).toEqual({ data: { storeFrontToken: { token: expect.any(String) } } });
    const { token } = (reply.body as { data: { storeFrontToken: { token: string } } }).data.storeFrontToken;
    expect(decodeJwt(token)).toEqual({
      cid: [1],
      cors: ['https://shop.example.com'],
      eat: variables.data.expiresAt,
      iat: expect.any(Number),
      iss: 'BC',
      sub: 'sandbox',
      sub_type: 2,
      token_type: 1,
      jti: expect.any(String),
    });
  });

  it.each([
    ['another store', { storeHash: 'elsewhere' }, 'Store not found'],
    ['an expiry in the past', { expiresAt: 1_000 }, 'The expiration time must be in the future.'],
    ['an origin with a path', { allowedCorsOrigins: ['https://shop.example.com/cart'] }, 'Each allowed CORS origin must be an origin, e.g. https://shop.example.com.'],
  ])('refuses %s', async (_, overrides, message) => {
    const reply = await graphql(sandbox, STOREFRONT_TOKEN, data(overrides));
    expect(reply.body).toEqual({ errors: [{ message }], data: { storeFrontToken: null } });
  });
});

describe('checkoutLogin', () => {
  it('answers a storefront Customer Login link that opens checkout with the cart', async () => {
    const reply = await graphql(sandbox, CHECKOUT_LOGIN, { cartId: CART_ID }, as(buyer));
    expect(reply.body).toEqual({ data: { checkoutLogin: { result: { redirectUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/login\/token\/[\w-]+\.[\w-]+\.[\w-]+$/) } } } });
    const { redirectUrl } = (reply.body as { data: { checkoutLogin: { result: { redirectUrl: string } } } }).data.checkoutLogin.result;
    expect(redirectUrl.startsWith(`${sandbox.storefrontUrl}/login/token/`)).toBe(true);
    expect(decodeJwt(redirectUrl.split('/').at(-1) ?? '')).toMatchObject({
      operation: 'customer_login',
      customer_id: buyer.bcId,
      store_hash: 'sandbox',
      redirect_to: `/cart.php?action=loadInCheckout&id=${CART_ID}`,
    });
  });

  it('answers 40401 for a cart id that is not a BigCommerce cart id', async () => {
    const reply = await graphql(sandbox, CHECKOUT_LOGIN, { cartId: 'not-a-cart' }, as(buyer));
    expect(reply.body).toEqual({ errors: [{ message: 'Cart not found.', extensions: { code: 40401 } }], data: { checkoutLogin: null } });
  });
});
