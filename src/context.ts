import type { YogaInitialContext } from 'graphql-yoga';
import type { Logger } from './logger.js';
import type { StoreDirectory } from './stores.js';
import { GATEWAY_KEY_HEADER } from './trusted-callers.js';
import type { B2BGraphQLClient } from './upstream/b2b-graphql/client.js';
import type { RestClient } from './upstream/rest/rest-client.js';

/** What lives as long as the gateway: built once by `createGateway`, shared by every request. */
export interface GatewayServices {
  stores: StoreDirectory;
  upstream: {
    /** B2B REST (`/api/io/…`), with the server-held X-Auth-Token where an endpoint needs it. */
    rest: RestClient;
    /** B2B GraphQL Storefront API, anonymous operations only. */
    graphql: B2BGraphQLClient;
  };
  logger: Logger;
  isTrustedKey: (presented: string | null) => boolean;
  /** The clock. @default () => new Date() */
  now: () => Date;
}

/** The context every resolver receives. */
export interface GatewayContext extends YogaInitialContext, GatewayServices {
  /** The request carries a valid `X-Gateway-Key`: a server caller, not a browser. */
  trusted: boolean;
}

/** Yoga's `context` factory: per-request values on top of the shared services. */
export function createContextFactory(services: GatewayServices) {
  return (initial: YogaInitialContext): GatewayContext => ({
    ...initial,
    ...services,
    trusted: services.isTrustedKey(initial.request.headers.get(GATEWAY_KEY_HEADER)),
  });
}
