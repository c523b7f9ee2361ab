import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import type { GatewayConfig, StoreConfig } from './config.js';
import { createContextFactory, type GatewayContext, type GatewayServices } from './context.js';
import { createLogger, type Logger } from './logger.js';
import { corsOptions, SANDBOX_CORS_ORIGINS } from './plugins/cors.js';
import { graphiqlOptions } from './plugins/graphiql.js';
import { useGetParamsGuard } from './plugins/use-get-params-guard.js';
import { bodyLimitOptions, useCloseAfterTooLarge } from './plugins/use-body-limit.js';
import { useErrorMapping } from './plugins/use-error-mapping.js';
import { useProductionGuards } from './plugins/use-production-guards.js';
import { useQueryLimits } from './plugins/use-query-limits.js';
import { openCredentialLimiter } from './rate-limit/open.js';
import type { Sandbox } from './sandbox/index.js';
import { buildGatewaySchema } from './schema.js';
import { createStoreDirectory } from './stores.js';
import { createTrustCheck } from './trusted-callers.js';
import { createB2BGraphQLClient } from './upstream/b2b-graphql/client.js';
import { type CircuitBreakers, createCircuitBreakers } from './upstream/circuit-breaker.js';
import { createHttpTransport, type HttpTransport } from './upstream/http-transport.js';
import { createRestClient } from './upstream/rest/rest-client.js';

/** Options of {@link createGateway} beyond the configuration. */
export interface GatewayOptions {
  /** Where log lines go. @default JSON lines on stderr, level `info` */
  logger?: Logger;
  /** The clock. @default () => new Date() */
  now?: () => Date;
  /** Upstream calls in flight at once for one `_entities` batch. @default 4 */
  entityConcurrency?: number;
}

/** A running gateway and what it owns. */
export interface Gateway {
  /** The Yoga server: a fetch handler and a Node request listener. */
  yoga: YogaServerInstance<Record<string, never>, GatewayContext>;
  /** The embedded sandbox, when the configuration names no upstream. */
  sandbox: Sandbox | undefined;
  /** The configuration in force (with the sandbox's URL and store filled in). */
  config: GatewayConfig;
  /** The upstream connection pool and circuits, for health checks, metrics and tests. */
  upstream: {
    connections: HttpTransport['stats'];
    circuits: CircuitBreakers['states'];
  };
  /**
   * Closes upstream connections, the rate-limit store (Redis) and the embedded sandbox. Does not
   * close an HTTP server you made.
   */
  close(): Promise<void>;
}

/**
 * Builds the gateway: upstream clients, schema and Yoga server. With no `apiUrl` it first
 * starts the embedded sandbox on a loopback port (development only; `loadConfig` refuses that
 * in production).
 */
export async function createGateway(config: GatewayConfig, options: GatewayOptions = {}): Promise<Gateway> {
  let sandbox: Sandbox | undefined;
  let apiUrl = config.apiUrl;
  let store: StoreConfig | undefined = config.store;
  if (apiUrl === undefined) {
    // Loaded only when used, so a production process never even imports the sandbox.
    const { createSandbox } = await import('./sandbox/index.js');
    sandbox = await createSandbox({ host: '127.0.0.1' });
    apiUrl = sandbox.url;
    store = { storeHash: sandbox.storeHash, authToken: sandbox.authToken, defaultChannelId: config.store?.defaultChannelId ?? 1 };
  }
  if (store === undefined) throw new Error('createGateway: a store is required with apiUrl');

  const logger = options.logger ?? createLogger({ secrets: [store.authToken, ...config.trustedKeys] });
  const transport = createHttpTransport({ timeoutMs: config.timeoutMs });
  const breakers = createCircuitBreakers({ failureThreshold: config.breakerThreshold, cooldownMs: config.breakerCooldownMs });
  const credentialLimiter = await openCredentialLimiter(config, logger);
  const services: GatewayServices = {
    stores: createStoreDirectory(store),
    upstream: {
      rest: createRestClient(apiUrl, transport, breakers),
      graphql: createB2BGraphQLClient(`${apiUrl}/graphql`, transport, breakers),
      failover: config.pathFailover,
    },
    logger,
    isTrustedKey: createTrustCheck(config.trustedKeys),
    now: options.now ?? (() => new Date()),
    entityConcurrency: options.entityConcurrency ?? 4,
    credentialLimiter,
    trustedProxyHops: config.trustedProxyHops,
  };

  const yoga = createYoga<Record<string, never>, GatewayContext>({
    schema: buildGatewaySchema(),
    context: createContextFactory(services),
    plugins: [
      useErrorMapping(logger),
      useQueryLimits({ blockFieldSuggestions: config.production }),
      // In every mode, so a client that works in development works in production: a request
      // a browser sends without a CORS preflight (a GET, or a form or text/plain POST) needs an
      // `x-graphql-yoga-csrf` header, or is refused with HTTP 403. JSON POSTs are unaffected.
      useCSRFPrevention(),
      useGetParamsGuard(),
      ...(config.production ? [useProductionGuards({ isTrustedKey: services.isTrustedKey })] : []),
      useCloseAfterTooLarge(),
    ],
    ...bodyLimitOptions(),
    logging: logger,
    // Unexpected errors reach clients as "Unexpected error."; never with a stack, in any mode.
    maskedErrors: { isDev: false },
    ...graphiqlOptions({
      production: config.production,
      sandbox: sandbox !== undefined,
      demo: sandbox && (await import('./sandbox/index.js')).DEMO_BUYER,
    }),
    landingPage: false,
    cors: corsOptions(config.corsOrigins ?? (sandbox ? SANDBOX_CORS_ORIGINS : [])),
  });

  if (sandbox !== undefined) {
    logger.warn(`SANDBOX MODE: B2B_API_URL is not set, so BigCommerce is played by the embedded sandbox at ${sandbox.url}. Never use this in production.`);
  }

  return {
    yoga,
    sandbox,
    config: { ...config, apiUrl, store },
    upstream: { connections: transport.stats, circuits: breakers.states },
    async close() {
      await credentialLimiter.close();
      await transport.close();
      await sandbox?.close();
    },
  };
}
