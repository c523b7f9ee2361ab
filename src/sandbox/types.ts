/** Options of {@link createSandbox}. Every field is optional. */
export interface SandboxOptions {
  /**
   * TCP port to listen on.
   * @default 0 (any free port)
   */
  port?: number;
  /**
   * Interface to listen on (the API and the storefront).
   * @default '127.0.0.1'
   */
  host?: string;
  /**
   * TCP port of the store's storefront, which serves BigCommerce's Customer Login links
   * (`/login/token/<jwt>`); see `Sandbox.storefrontUrl`.
   * @default 0 (any free port)
   */
  storefrontPort?: number;
  /**
   * The store hash served: the value `X-Store-Hash`, `storeHash` fields and token claims must carry.
   * 1-64 letters, digits, `-` and `_`, as the gateway accepts (`config/store-hash.ts`).
   * @default 'sandbox'
   */
  storeHash?: string;
  /**
   * The `X-Auth-Token` (store-level API account access token) this store accepts.
   * @default a random 40-hex string per instance
   */
  authToken?: string;
  /**
   * Requests allowed per window per store (BigCommerce: 150 per minute, shared by all integrations).
   * @default 150
   */
  rateLimit?: number;
  /**
   * Length of the fixed rate-limit window, in milliseconds.
   * @default 60_000
   */
  rateLimitWindowMs?: number;
  /**
   * Extra company users to seed, for load and concurrency tests: `buyer-1@example.com` …
   * `buyer-N@example.com`, each with the demo password (`Passw0rd!`), a senior buyer of the
   * approved company 501 (ids in `SEEDED_BUYER_IDS`, apart from the users of `SANDBOX_USERS`).
   * @default 0
   */
  buyers?: number;
  /**
   * Clock used for token claims, token verification and the rate-limit window; for tests.
   * @default Date.now
   */
  now?: () => number;
}

/** One request the sandbox received (control routes under `/sandbox/*` excluded). */
export interface RecordedRequest {
  method: string;
  /** The URL path without the query string. */
  path: string;
  query: Record<string, string>;
  /** Header names lower-cased; repeated headers joined with `, `. */
  headers: Record<string, string | undefined>;
  /** Parsed JSON when the body is JSON, the raw string when it is not, `undefined` when empty. */
  body: unknown;
}

/** A misbehaviour the sandbox applies to matching requests, to imitate a failing upstream. */
export interface FaultSpec {
  /**
   * Which requests: compared with `${METHOD} ${pathname}` (e.g. `'POST /graphql'`), or tested by a RegExp.
   * @default every request except the `/sandbox/*` control routes
   */
  match?: string | RegExp;
  /**
   * Delay before answering, in milliseconds.
   * @default 0
   */
  latencyMs?: number;
  /**
   * Answer with this HTTP status (and `body`, `contentType`) instead of running the real handler.
   * @default the real handler's status (200 when only `body` is given)
   */
  status?: number;
  /**
   * Body sent verbatim with `status`.
   * @default ''
   */
  body?: string;
  /**
   * Content type of `body`.
   * @default 'application/json'
   */
  contentType?: string;
  /**
   * Extra response headers (added to the real or the faulted response).
   * @default {}
   */
  headers?: Record<string, string>;
  /**
   * `'before-headers'`: destroy the socket without answering. `'mid-body'`: send the headers and
   * part of the real (or given) body, then destroy the socket.
   * @default undefined (answer normally)
   */
  drop?: 'before-headers' | 'mid-body';
  /**
   * How many matching requests the fault applies to.
   * @default Infinity
   */
  times?: number;
}

/** A running sandbox upstream. */
export interface Sandbox {
  /** Base URL, e.g. `http://127.0.0.1:34567`: REST under `${url}/api/io/…`, GraphQL at `${url}/graphql`. */
  url: string;
  /**
   * The store's storefront origin, e.g. `http://127.0.0.1:34568`, on its own port as a store's
   * domain is not the B2B API's. `GET ${storefrontUrl}/login/token/<jwt>` signs a shopper in once
   * with a `storefrontLoginToken` (or the link `checkoutLogin` answers) and redirects (302) to the
   * token's `redirect_to`, else `/account.php`; a token that is invalid or already used answers 401.
   * Its requests are not recorded in `requests`.
   */
  storefrontUrl: string;
  storeHash: string;
  /** The `X-Auth-Token` the store accepts. */
  authToken: string;
  /** Every request the API received, in order, including rejected ones (control routes and the storefront excluded). */
  requests: RecordedRequest[];
  clearRequests(): void;
  injectFault(fault: FaultSpec): void;
  clearFaults(): void;
  /**
   * Signs a Current Customer JWT (as the store's `/customer/current.jwt` would) for a seeded
   * storefront customer. Rejects for an unknown email.
   */
  currentCustomerJwt(email: string, options?: { expiresInSeconds?: number }): Promise<string>;
  /** Closes the server and destroys every open socket (keep-alive included). */
  close(): Promise<void>;
}
