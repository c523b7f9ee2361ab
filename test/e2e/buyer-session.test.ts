// The buyer session end to end: each operation once, as a frontend uses them in turn, with the
// upstream requests each one made (printed, tokens redacted, for a reader to check) and nothing
// secret in the gateway's log.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_USERS } from '../../src/sandbox/index.js';
import { type Harness, startHarness } from '../harness.js';
import {
  bearer,
  BEGIN_MASQUERADE,
  CART_ID,
  CHECKOUT_LOGIN,
  END_MASQUERADE,
  ISSUE_STOREFRONT_API_TOKEN,
  MASQUERADE_COMPANIES,
  SESSION,
  type UpstreamCall,
  upstreamCalls,
} from '../support/session.js';

const LOGIN = /* GraphQL */ `
  mutation Login($input: LoginInput!) {
    login(input: $input) { token { value } storefrontLoginToken storefrontLoginUrl }
  }
`;

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness({ env: { GATEWAY_CORS_ORIGINS: 'https://shop.example', B2B_STOREFRONT_URL: 'https://shop.example' } });
});
afterAll(() => harness.close());

/** Every value a test obtained that must never reach a log line. */
const secrets = new Set<string>();

/** Runs one operation and answers its data with the upstream requests it made. */
async function run(query: string, variables: Record<string, unknown> | undefined, headers?: Record<string, string>) {
  harness.sandbox.clearRequests();
  const reply = await harness.graphql(query, variables, headers);
  expect(reply.body.errors).toBeUndefined();
  return { data: reply.body.data as Record<string, Record<string, unknown>>, calls: upstreamCalls(harness.sandbox) };
}

/** `<method> <path> <operationName> <variables>`: one upstream request as the closing note lists it. */
const line = (call: UpstreamCall) =>
  `${call.method} ${call.path} ${call.operationName} ${JSON.stringify(call.variables)}${call.authorization ? ` (${call.authorization})` : ' (anonymous)'}`;

describe('the buyer session, operation by operation', () => {
  it('makes these upstream requests, each with only the caller\'s token or none', async () => {
    const { superAdmin, buyer } = SANDBOX_USERS;
    const made: Array<[string, UpstreamCall[]]> = [];

    const login = await run(LOGIN, { input: { email: buyer.email, password: buyer.password } });
    const buyerToken = String((login.data['login']?.['token'] as { value: string }).value);
    const loginToken = String(login.data['login']?.['storefrontLoginToken']);
    expect(login.data['login']?.['storefrontLoginUrl']).toBe(`https://shop.example/login/token/${loginToken}`);
    made.push(['login (storefrontLoginUrl)', login.calls]);
    const admin = await run(LOGIN, { input: { email: superAdmin.email, password: superAdmin.password } });
    const adminToken = String((admin.data['login']?.['token'] as { value: string }).value);
    secrets.add(buyerToken).add(adminToken).add(loginToken).add(String(admin.data['login']?.['storefrontLoginToken']));

    made.push(['session (company user)', (await run(SESSION, undefined, bearer(buyerToken))).calls]);
    made.push(['session (Super Admin)', (await run(SESSION, undefined, bearer(adminToken))).calls]);
    made.push(['masqueradeCompanies(search: "glo")', (await run(MASQUERADE_COMPANIES, { search: 'glo' }, bearer(adminToken))).calls]);
    made.push(['beginMasquerade(companyId: "504")', (await run(BEGIN_MASQUERADE, { companyId: '504' }, bearer(adminToken))).calls]);
    made.push(['endMasquerade', (await run(END_MASQUERADE, undefined, bearer(adminToken))).calls]);
    const expiresAt = new Date(Math.floor(Date.now() / 1000) * 1000 + 3_600_000);
    const apiToken = await run(ISSUE_STOREFRONT_API_TOKEN, { input: { expiresAt: expiresAt.toISOString(), allowedCorsOrigins: ['https://shop.example'] } });
    secrets.add(String(apiToken.data['issueStorefrontApiToken']?.['value']));
    made.push(['issueStorefrontApiToken', apiToken.calls]);
    const checkout = await run(CHECKOUT_LOGIN, { cartId: CART_ID }, bearer(buyerToken));
    secrets.add(String(checkout.data['checkoutLogin']?.['redirectUrl']).split('/').at(-1) ?? '');
    made.push(['checkoutLogin', checkout.calls]);

    console.log(made.map(([operation, calls]) => `${operation}\n${calls.map((call) => `  ${line(call)}`).join('\n')}`).join('\n'));

    const BUYER = 'Bearer <redacted>';
    expect(made.map(([operation, calls]) => [operation, calls.map((call) => [call.operationName, call.variables, call.authorization ?? null])])).toEqual([
      ['login (storefrontLoginUrl)', [['Login', { loginData: { storeHash: 'sandbox', channelId: 1, email: buyer.email, password: '<redacted>' } }, null]]],
      ['session (company user)', [['Session', {}, BUYER]]],
      ['session (Super Admin)', [['Session', {}, BUYER], ['SuperAdminMasquerading', { customerId: superAdmin.bcId }, BUYER]]],
      ['masqueradeCompanies(search: "glo")', [['Session', {}, BUYER], ['SuperAdminCompanies', { superAdminId: superAdmin.userId, search: 'glo', first: 20, offset: 0 }, BUYER]]],
      [
        'beginMasquerade(companyId: "504")',
        [['Session', {}, BUYER], ['SuperAdminBeginMasquerade', { companyId: 504 }, BUYER], ['SuperAdminMasquerading', { customerId: superAdmin.bcId }, BUYER]],
      ],
      ['endMasquerade', [['Session', {}, BUYER], ['SuperAdminMasquerading', { customerId: superAdmin.bcId }, BUYER], ['SuperAdminEndMasquerade', { companyId: 504 }, BUYER]]],
      [
        'issueStorefrontApiToken',
        [['StoreFrontToken', { storeFrontTokenData: { storeHash: 'sandbox', channelId: 1, expiresAt: expiresAt.getTime() / 1000, allowedCorsOrigins: ['https://shop.example'] } }, null]],
      ],
      ['checkoutLogin', [['CheckoutLogin', { cartData: { cartId: CART_ID } }, BUYER]]],
    ]);
    expect(made.flatMap(([, calls]) => calls).every((call) => call.method === 'POST' && call.path === '/graphql' && !call.xAuthToken)).toBe(true);
  });

  it('writes no token, link or password into the log', () => {
    expect(secrets.size).toBe(6);
    const logs = harness.logs.join('\n');
    expect(logs).toContain('"operation":"superAdminBeginMasquerade"');
    for (const secret of [...secrets, SANDBOX_USERS.buyer.password]) {
      for (const part of secret.split('.')) if (part.length > 20) expect(logs).not.toContain(part);
      expect(logs).not.toContain(secret);
    }
  });
});
