import type { SandboxStore } from './store.js';
import type { TokenService } from './tokens.js';

/** What every handler may use: the store, its secrets and the clock. */
export interface SandboxContext {
  storeHash: string;
  /** The `X-Auth-Token` the store accepts. */
  authToken: string;
  store: SandboxStore;
  tokens: TokenService;
  /** The store's storefront origin, e.g. `http://127.0.0.1:34568`: it serves `/login/token/<jwt>`. */
  storefrontUrl: string;
}
