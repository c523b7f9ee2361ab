// The store's storefront, as far as B2B Edition's flows reach it: BigCommerce's Customer Login
// endpoint `GET /login/token/<jwt>` (the `storefrontLoginToken` of `login`, the redirect of
// `checkoutLogin`) signs a shopper in once and redirects; every other page only says who is
// signed in. It listens on its own port, as a store's domain is not the B2B API's.
import { randomUUID } from 'node:crypto';
import type { SandboxResponse } from './exchange.js';
import type { SandboxStore } from './store.js';
import type { TokenService } from './tokens.js';

/** BigCommerce's storefront session cookie. */
export const STOREFRONT_SESSION_COOKIE = 'SHOP_SESSION_TOKEN';

export interface StorefrontRequest {
  method: string;
  pathname: string;
  /** Lower-cased names. */
  headers: Record<string, string | undefined>;
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

const page = (status: number, body: string, headers: Record<string, string> = {}): SandboxResponse => ({
  status,
  headers: { 'content-type': 'text/html; charset=utf-8', ...headers },
  body: `<!doctype html><title>Sandbox storefront</title>${body}`,
});

function cookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

export function createStorefront(store: SandboxStore, tokens: TokenService) {
  /** Session cookie value → BigCommerce customer id. */
  const sessions = new Map<string, number>();

  return async function storefront(request: StorefrontRequest): Promise<SandboxResponse> {
    if (request.method !== 'GET' && request.method !== 'HEAD') return page(405, '<p>Method not allowed.</p>', { allow: 'GET, HEAD' });
    const login = /^\/login\/token\/([^/]+)$/.exec(request.pathname);
    if (login !== null) {
      const redeemed = await tokens.redeemStorefrontLoginToken(decodeURIComponent(login[1] ?? ''));
      const customer = redeemed.ok ? store.customerByBcId(redeemed.value.customerId) : undefined;
      if (!redeemed.ok || customer === undefined) return page(401, '<p>This sign-in link is invalid, expired or already used.</p>');
      const session = randomUUID();
      sessions.set(session, customer.bcId);
      return {
        status: 302,
        headers: {
          location: redeemed.value.redirectTo ?? '/account.php',
          'set-cookie': `${STOREFRONT_SESSION_COOKIE}=${session}; Path=/; HttpOnly; SameSite=Lax`,
        },
        body: '',
      };
    }
    const bcId = sessions.get(cookie(request.headers['cookie'], STOREFRONT_SESSION_COOKIE) ?? '');
    const customer = bcId === undefined ? undefined : store.customerByBcId(bcId);
    return page(200, customer ? `<p>Signed in as ${escapeHtml(customer.email)}.</p>` : '<p>Not signed in.</p>');
  };
}
