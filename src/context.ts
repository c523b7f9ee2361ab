import type { YogaInitialContext } from 'graphql-yoga';
import { SessionLoader } from './loaders/session.js';
import { createUserLoader, type UserLoader } from './loaders/users.js';
import type { Logger } from './observability/logger.js';
import { clientAddressOf } from './rate-limit/client-address.js';
import type { CredentialLimiter } from './rate-limit/credential-limiter.js';
import type { StoreDirectory } from './access/store-directory.js';
import { GATEWAY_KEY_HEADER } from './access/trusted-callers.js';
import type { B2BGraphQLClient } from './upstream/b2b-graphql/client.js';
import type { RestClient } from './upstream/rest/rest-client.js';

/** What lives as long as the gateway: built once by `createGateway`, shared by every request. */
export interface GatewayServices {
  stores: StoreDirectory;
  upstream: {
    /** B2B REST (`/api/io/…`), with the server-held X-Auth-Token where an endpoint needs it. */
    rest: RestClient;
    /** B2B GraphQL Storefront API: anonymous operations, and `currentUser` with the buyer's own token. */
    graphql: B2BGraphQLClient;
    /** Serve `login`/`authorization` over REST while B2B GraphQL is down (`config.pathFailover`). */
    failover: boolean;
  };
  logger: Logger;
  isTrustedKey: (presented: string | null) => boolean;
  /** The clock. @default () => new Date() */
  now: () => Date;
  /** Upstream calls in flight at once for one `_entities` batch. @default 4 */
  entityConcurrency: number;
  /**
   * Wraps each upstream call of a credential path (`login`, `authorization`,
   * `issueStorefrontToken` by credentials or session JWT): budgets per account and per client
   * address, and a floor on the time a failed answer takes.
   */
  credentialLimiter: CredentialLimiter;
  /** Reverse proxies whose `X-Forwarded-For` entries name the client (`GATEWAY_TRUST_PROXY`). @default 0 */
  trustedProxyHops: number;
  /** What `issueStorefrontApiToken` may create. */
  storefrontApiTokens: StorefrontApiTokenPolicy;
}

/** The limits on the GraphQL Storefront API tokens `issueStorefrontApiToken` creates. */
export interface StorefrontApiTokenPolicy {
  /**
   * Whether the gateway itself grants CORS to a concrete origin (`GATEWAY_CORS_ORIGINS`, or the
   * sandbox's defaults): a token may name no other.
   */
  servesOrigin: (origin: string) => boolean;
  /** How far ahead a token may expire, in ms (`GATEWAY_STOREFRONT_API_TOKEN_MAX_TTL_DAYS`). @default 30 days */
  maxTtlMs: number;
}

/** Per-request DataLoaders, built on first use. */
export interface GatewayLoaders {
  /** B2B users by id, from REST Management v3, for federation entity lookups. */
  readonly users: UserLoader;
  /** The buyer session of a storefront authToken and a Super Admin's masquerade, asked once per request. */
  readonly sessions: SessionLoader;
}

/** The shared services resolvers reach through the context; the rest build per-request values. */
export type ResolverServices = Pick<GatewayServices, 'stores' | 'upstream' | 'credentialLimiter' | 'now' | 'storefrontApiTokens'>;

/** The context every resolver receives. */
export interface GatewayContext extends YogaInitialContext, ResolverServices {
  /** The request carries a valid `X-Gateway-Key`: a server caller, not a browser. */
  trusted: boolean;
  loaders: GatewayLoaders;
  /**
   * The client's address as rate limits count it: the TCP peer (or the trusted proxies'
   * `X-Forwarded-For` entry), IPv6 by /64; `'unknown'` without a socket (`yoga.fetch`).
   */
  clientAddress: string;
}

/** What the context factory adds to Yoga's initial context (the request, the parameters). */
export type GatewayContextExtension = Omit<GatewayContext, keyof YogaInitialContext>;

/**
 * Yoga's `context` factory: per-request values beside the services resolvers use. What it
 * returns Yoga assigns onto its initial context (request, params, the server's `req`), so that is
 * not copied here, and neither is a service no resolver reads (the logger, the trust check, the
 * proxy hops, the entity concurrency): each service more on every request's context costs CPU
 * per login (docs/decisions/008-lean-context.md).
 */
export function createContextFactory(services: GatewayServices) {
  const { stores, upstream, credentialLimiter, now, storefrontApiTokens } = services;
  return (initial: YogaInitialContext): GatewayContextExtension => ({
    stores,
    upstream,
    credentialLimiter,
    now,
    storefrontApiTokens,
    trusted: services.isTrustedKey(initial.request.headers.get(GATEWAY_KEY_HEADER)),
    loaders: new LazyLoaders(services),
    clientAddress: clientAddressOf(initial, services.trustedProxyHops),
  });
}

/**
 * Most requests are logins that never look an entity up: loaders are built only when asked for.
 * A class, so a request costs one small object: a getter in an object literal is defined anew,
 * with its closure, on every request.
 */
class LazyLoaders implements GatewayLoaders {
  readonly #services: GatewayServices;
  #users: UserLoader | undefined;
  #sessions: SessionLoader | undefined;

  constructor(services: GatewayServices) {
    this.#services = services;
  }

  get users(): UserLoader {
    this.#users ??= createUserLoader(this.#services.upstream.rest, this.#services.stores.resolve(undefined), this.#services.entityConcurrency);
    return this.#users;
  }

  get sessions(): SessionLoader {
    this.#sessions ??= new SessionLoader(this.#services.upstream.graphql);
    return this.#sessions;
  }
}
