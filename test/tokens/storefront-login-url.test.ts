// `LoginPayload.storefrontLoginUrl` (src/tokens/storefront-login-url.ts) and the settings behind
// it: `B2B_STOREFRONT_URL`, `storefrontUrl` per store in `GATEWAY_STORES`, and the sandbox's own
// storefront in sandbox mode.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/environment.js';
import { createGateway, type Gateway } from '../../src/gateway.js';
import { createLogger } from '../../src/observability/logger.js';
import { DEMO_BUYER } from '../../src/sandbox/index.js';
import { storefrontLoginUrl } from '../../src/tokens/storefront-login-url.js';
import { CREDENTIAL_LIMITS_OFF, type Harness, startHarness } from '../harness.js';
import { configProblems } from '../support/config.js';

const LOGIN_URL = /* GraphQL */ `
  mutation Login($input: LoginInput!) {
    login(input: $input) { storefrontLoginToken storefrontLoginUrl }
  }
`;

interface LoginUrls {
  storefrontLoginToken: string | null;
  storefrontLoginUrl: string | null;
}

async function loginOn(harness: Harness): Promise<LoginUrls> {
  const reply = await harness.graphql(LOGIN_URL, { input: DEMO_BUYER });
  expect(reply.body.errors).toBeUndefined();
  return reply.body.data?.['login'] as LoginUrls;
}

describe('storefrontLoginUrl', () => {
  let plain: Harness;
  let configured: Harness;
  beforeAll(async () => {
    plain = await startHarness();
    configured = await startHarness({ env: { B2B_STOREFRONT_URL: 'https://shop.example/' } });
  });
  afterAll(async () => {
    await plain.close();
    await configured.close();
  });

  it('is <B2B_STOREFRONT_URL>/login/token/<storefrontLoginToken>, the trailing slash dropped', async () => {
    const { storefrontLoginToken, storefrontLoginUrl: url } = await loginOn(configured);

    expect(storefrontLoginToken).toEqual(expect.any(String));
    expect(url).toBe(`https://shop.example/login/token/${storefrontLoginToken}`);
  });

  it('is null when no storefront URL is configured', async () => {
    const { storefrontLoginToken, storefrontLoginUrl: url } = await loginOn(plain);

    expect({ storefrontLoginToken, storefrontLoginUrl: url }).toEqual({ storefrontLoginToken: expect.any(String), storefrontLoginUrl: null });
  });

  it('is null when the login path issued no storefrontLoginToken (REST while B2B GraphQL is down)', async () => {
    configured.sandbox.injectFault({ match: 'POST /graphql', status: 503, body: 'down', contentType: 'text/plain' });
    try {
      expect(await loginOn(configured)).toEqual({ storefrontLoginToken: null, storefrontLoginUrl: null });
    } finally {
      configured.sandbox.clearFaults();
    }
  });

  it("is the store's own storefrontUrl from GATEWAY_STORES", async () => {
    const sandboxStore = await startHarness({
      env: { B2B_AUTH_TOKEN: '', GATEWAY_STORES: JSON.stringify({ sandbox: { authToken: plain.sandbox.authToken, storefrontUrl: 'https://b2b.shop.example' } }) },
      sandbox: { authToken: plain.sandbox.authToken },
    });
    try {
      const { storefrontLoginToken, storefrontLoginUrl: url } = await loginOn(sandboxStore);
      expect(url).toBe(`https://b2b.shop.example/login/token/${storefrontLoginToken}`);
    } finally {
      await sandboxStore.close();
    }
  });

  it('is null without a token, whatever the store', () => {
    expect(storefrontLoginUrl({ storefrontUrl: 'https://shop.example' }, null)).toBeNull();
    expect(storefrontLoginUrl({ storefrontUrl: 'https://shop.example' }, '')).toBeNull();
    expect(storefrontLoginUrl({}, 'a.b.c')).toBeNull();
  });
});

describe('storefrontLoginUrl in sandbox mode', () => {
  let gateway: Gateway;
  beforeAll(async () => {
    gateway = await createGateway(loadConfig({ ...CREDENTIAL_LIMITS_OFF }), { logger: createLogger({ level: 'error', write: () => {} }) });
  });
  afterAll(() => gateway.close());

  it("points at the sandbox's storefront, where the link signs the buyer in once", async () => {
    const response = await gateway.yoga.fetch('http://gateway/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: LOGIN_URL, variables: { input: DEMO_BUYER } }),
    });
    const { storefrontLoginToken, storefrontLoginUrl: url } = ((await response.json()) as { data: { login: LoginUrls } }).data.login;

    expect(gateway.sandbox?.storefrontUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(url).toBe(`${gateway.sandbox?.storefrontUrl}/login/token/${storefrontLoginToken}`);
    expect(gateway.config.store?.storefrontUrl).toBe(gateway.sandbox?.storefrontUrl);
    const signedIn = await fetch(url as string, { redirect: 'manual' });
    expect({ status: signedIn.status, location: signedIn.headers.get('location') }).toEqual({ status: 302, location: '/account.php' });
  });
});

describe('B2B_STOREFRONT_URL and storefrontUrl', () => {
  const API = { B2B_API_URL: 'https://api-b2b.bigcommerce.com' };
  const SECRET = 'tok-Sup3rSecret-0123456789abcdef';
  const SINGLE = { ...API, B2B_STORE_HASH: 'abc123', B2B_AUTH_TOKEN: SECRET };

  it.each([
    ['https://Shop.Example/', 'https://shop.example'],
    ['https://shop.example/?', 'https://shop.example'],
    ['http://shop.example:8080/b2b//#', 'http://shop.example:8080/b2b'],
  ])('reads %s as %s, ready for a path', (value, read) => {
    expect(loadConfig({ ...SINGLE, B2B_STOREFRONT_URL: value }).store?.storefrontUrl).toBe(read);
  });

  it('belongs to the store B2B_STORE_HASH names, with its path kept', () => {
    expect(loadConfig({ ...SINGLE, B2B_STOREFRONT_URL: 'https://shop.example/store/' }).store).toEqual({
      storeHash: 'abc123',
      authToken: SECRET,
      defaultChannelId: 1,
      storefrontUrl: 'https://shop.example/store',
    });
  });

  it('is the default store of GATEWAY_STORES when B2B_STORE_HASH names it, and each store may give its own', () => {
    const config = loadConfig({
      ...API,
      B2B_STORE_HASH: 'storeB',
      B2B_STOREFRONT_URL: 'https://b.example',
      GATEWAY_STORES: JSON.stringify({ storeA: { authToken: SECRET, storefrontUrl: 'http://a.example:8080' }, storeB: { authToken: SECRET } }),
    });
    expect(config.stores.map((store) => [store.storeHash, store.storefrontUrl])).toEqual([
      ['storeB', 'https://b.example'],
      ['storeA', 'http://a.example:8080'],
    ]);
  });

  it.each([
    ['not a URL', 'shop.example'],
    ['another scheme', 'ftp://shop.example'],
    ['credentials', 'https://user:pw@shop.example'],
    ['a query', 'https://shop.example/?channel=1'],
    ['a fragment', 'https://shop.example/#top'],
  ])('refuses %s, naming the variable', (_name, value) => {
    expect(configProblems({ ...SINGLE, B2B_STOREFRONT_URL: value }, SECRET)).toEqual([
      expect.stringMatching(/^B2B_STOREFRONT_URL: must (be an http:\/\/ or https:\/\/ URL|not hold credentials, a query or a fragment)$/),
    ]);
  });

  it('refuses a bad storefrontUrl in GATEWAY_STORES, naming the store', () => {
    expect(configProblems({ ...API, GATEWAY_STORES: JSON.stringify({ storeA: { authToken: SECRET, storefrontUrl: 'javascript:alert(1)' } }) }, SECRET)).toEqual([
      'GATEWAY_STORES.storeA.storefrontUrl: must be an http:// or https:// URL',
    ]);
  });

  it('refuses one storefront given in two places', () => {
    expect(
      configProblems(
        { ...API, B2B_STORE_HASH: 'storeA', B2B_STOREFRONT_URL: 'https://a.example', GATEWAY_STORES: JSON.stringify({ storeA: { authToken: SECRET, storefrontUrl: 'https://a2.example' } }) },
        SECRET,
      ),
    ).toEqual(['B2B_STOREFRONT_URL: store "storeA" gives storefrontUrl in GATEWAY_STORES too; give it in one place only']);
  });

  it('needs the store it belongs to', () => {
    expect(configProblems({ ...API, B2B_STOREFRONT_URL: 'https://a.example', GATEWAY_STORES: JSON.stringify({ storeA: { authToken: SECRET } }) }, SECRET)).toEqual([
      'B2B_STOREFRONT_URL: needs B2B_STORE_HASH, the store it belongs to (or give storefrontUrl in GATEWAY_STORES)',
    ]);
    expect(configProblems({ B2B_STOREFRONT_URL: 'https://a.example' }, SECRET)).toEqual([
      'B2B_STOREFRONT_URL: needs B2B_API_URL (the embedded sandbox serves its own storefront)',
    ]);
  });
});
