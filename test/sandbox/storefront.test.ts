// The sandbox store's storefront (Sandbox.storefrontUrl): BigCommerce's Customer Login endpoint,
// `GET /login/token/<jwt>`, signs a shopper in once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, SANDBOX_USERS, type Sandbox } from '../../src/sandbox/index.js';
import { graphql, LOGIN } from './harness.js';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await createSandbox();
});
afterAll(() => sandbox.close());

async function storefrontLoginToken(): Promise<string> {
  const { email, password } = SANDBOX_USERS.buyer;
  const reply = await graphql(sandbox, LOGIN, { loginData: { storeHash: sandbox.storeHash, email, password } });
  return (reply.body as { data: { login: { result: { storefrontLoginToken: string } } } }).data.login.result.storefrontLoginToken;
}

const page = async (path: string, headers: Record<string, string> = {}) => {
  const response = await fetch(`${sandbox.storefrontUrl}${path}`, { headers, redirect: 'manual' });
  return { status: response.status, location: response.headers.get('location'), cookie: response.headers.get('set-cookie'), text: await response.text() };
};

describe('the sandbox storefront', () => {
  it('is its own loopback origin, apart from the API', () => {
    expect(sandbox.storefrontUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(sandbox.storefrontUrl).not.toBe(sandbox.url);
  });

  it('signs the shopper in with a storefrontLoginToken once, then redirects to their account', async () => {
    const token = await storefrontLoginToken();
    sandbox.clearRequests();
    const signedIn = await page(`/login/token/${token}`);
    expect(signedIn).toEqual({
      status: 302,
      location: '/account.php',
      cookie: expect.stringMatching(/^SHOP_SESSION_TOKEN=[\w-]+; Path=\/; HttpOnly; SameSite=Lax$/),
      text: '',
    });
    const session = signedIn.cookie?.split(';')[0] ?? '';
    expect((await page('/account.php', { cookie: session })).text).toContain('Signed in as buyer@example.com.');
    expect((await page('/account.php')).text).toContain('Not signed in.');

    const again = await page(`/login/token/${token}`);
    expect([again.status, again.text]).toEqual([401, expect.stringContaining('This sign-in link is invalid, expired or already used.')]);
    // The storefront is not the B2B API: its requests are not recorded with the API's.
    expect(sandbox.requests).toEqual([]);
  });

  it('refuses a token it did not sign, and any method but GET', async () => {
    const token = await storefrontLoginToken();
    expect((await page(`/login/token/${token.slice(0, -4)}AAAA`)).status).toBe(401);
    expect((await page('/login/token/not-a-jwt')).status).toBe(401);
    const posted = await fetch(`${sandbox.storefrontUrl}/login/token/${token}`, { method: 'POST' });
    expect([posted.status, posted.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
    // Refused attempts do not use the token up.
    expect((await page(`/login/token/${token}`)).status).toBe(302);
  });
});
