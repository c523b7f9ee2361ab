import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import type { TracerProvider } from '@opentelemetry/api';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import { type GatewayConfig, secretsOf } from './config/environment.js';
import type { StoreConfig } from './config/stores.js';
import { createContextFactory, type GatewayContext, type GatewayContextExtension, type GatewayServices } from './context.js';
import { createLogger, type Logger } from './observability/logger.js';
import { createGatewayMetrics } from './observability/metrics.js';
import { createInstanceReadiness, type InstanceReadiness } from './observability/readiness.js';
import { createTracing } from './observability/tracing.js';
import { createUpstreamCallLog, observeUpstreamCalls } from './observability/upstream-calls.js';
import { startUpstreamProbe } from './observability/upstream-probe.js';
import { originMatcher, SANDBOX_CORS_ORIGINS } from './config/cors-origins.js';
import { corsOptions } from './http/cors.js';
import { graphiqlOptions } from './http/graphiql.js';
import { useCompiledExecution } from './plugins/use-compiled-execution.js';
import { useGetParamsGuard } from './plugins/use-get-params-guard.js';
import { bodyLimitOptions, useRequestBodyLimit } from './plugins/use-body-limit.js';
import { UNEXPECTED_ERROR_MESSAGE, useErrorMapping } from './plugins/use-error-mapping.js';
import { useHealth } from './plugins/use-health.js';
import { useMetrics } from './plugins/use-metrics.js';
import { useProductionGuards } from './plugins/use-production-guards.js';
import { useQueryLimits } from './plugins/use-query-limits.js';
import { useRequestId } from './plugins/use-request-id.js';
import { useTracing } from './plugins/use-tracing.js';
import { useTrustedDocuments } from './plugins/use-trusted-documents.js';
import { openCredentialLimiter } from './rate-limit/from-config.js';
import type { Sandbox } from './sandbox/index.js';
import { buildGatewaySchema } from './schema.js';
import { createStoreDirectory } from './access/store-directory.js';
import { createTrustCheck, GATEWAY_KEY_HEADER } from './access/trusted-callers.js';
import { createB2BGraphQLClient } from './upstream/b2b-graphql/client.js';
import { type CircuitBreakers, createCircuitBreakers } from './upstream/circuit-breaker.js';
import { createHttpTransport, type HttpTransport } from './upstream/http-transport.js';
import { createRestClient } from './upstream/rest/rest-client.js';

/** Options of {@link createGateway} beyond the configuration. */
export interface GatewayOptions {
  /** Where log lines go. @default JSON lines on stderr, from `config.logLevel` up */
  logger?: Logger;
  /** The clock. @default () => new Date() */
  now?: () => Date;
  /** Upstream calls in flight at once for one `_entities` batch. @default 4 */
  entityConcurrency?: number;
  /**
   * Traces on this provider (tests, or an application that set up OpenTelemetry itself) whatever
   * the `OTEL_*` configuration says. The gateway never shuts it down.
   * @default a provider built from `config.observability.tracing`, or no tracing at all
   */
  tracerProvider?: TracerProvider;
  /** How often BigCommerce's reachability (`gateway_upstream_up`) is probed, in ms. @default 2000 */
  upstreamProbeIntervalMs?: number;
}

/**
 * What a server passes to `yoga.handleNodeRequestAndResponse(req, res, { req })` (Node's
 * `createServer(gateway.yoga)` passes `{ req, res }` itself): the socket tells rate limits the
 * client's address. Without it every client counts as one.
 */
export interface GatewayServerContext {
  req?: { socket?: { remoteAddress?: string | undefined } };
}

/** A running gateway and what it owns. */
export interface Gateway {
  /** The Yoga server: a fetch handler and a Node request listener. */
  yoga: YogaServerInstance<GatewayServerContext, GatewayContext>;
  /** The embedded sandbox, when the configuration names no upstream. */
  sandbox: Sandbox | undefined;
  /** The configuration in force (with the sandbox's URL and store filled in). */
  config: GatewayConfig;
  /** Where the gateway logs (`options.logger`, or JSON lines with every configured secret redacted). */
  logger: Logger;
  /**
   * What `/readiness` answers: ready until `readiness.startDraining()`, which `HttpServer.shutdown`
   * calls; an application serving `gateway.yoga` from its own server calls it itself.
   */
  readiness: InstanceReadiness;
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
  let stores: StoreConfig[] = config.stores;
  if (apiUrl === undefined) {
    // Loaded only when used, so a production process never even imports the sandbox.
    const { createSandbox } = await import('./sandbox/index.js');
    sandbox = await createSandbox({ host: '127.0.0.1' });
    apiUrl = sandbox.url;
    store = { storeHash: sandbox.storeHash, authToken: sandbox.authToken, defaultChannelId: config.store?.defaultChannelId ?? 1, storefrontUrl: sandbox.storefrontUrl };
    stores = [store];
  }
  if (store === undefined) throw new Error('createGateway: a store is required with apiUrl');

  // Every store's X-Auth-Token, the trusted keys and a Redis password: never in a log line.
  const logger = options.logger ?? createLogger({ level: config.logLevel, secrets: secretsOf({ ...config, stores }) });
  // `undefined` unless configured: then upstream calls carry no span and no `traceparent`.
  const tracing = await createTracing(config.observability.tracing, options.tracerProvider);
  const metrics = createGatewayMetrics();
  // `undefined` below debug level: upstream calls then cost no log line and no request tracking.
  const upstreamCallLog = createUpstreamCallLog(logger);
  const transport = createHttpTransport({ timeoutMs: config.timeoutMs, connections: config.maxConnections, observe: observeUpstreamCalls(metrics, tracing, upstreamCallLog) });
  const breakers = createCircuitBreakers({ failureThreshold: config.breakerThreshold, cooldownMs: config.breakerCooldownMs, logger });
  metrics.watchCircuits(breakers.states);
  const upstreamProbe = startUpstreamProbe(apiUrl, { intervalMs: options.upstreamProbeIntervalMs ?? 2_000 });
  metrics.watchUpstream(upstreamProbe.reachable);
  const readiness = createInstanceReadiness();
  const credentialLimiter = await openCredentialLimiter(config, logger);
  const corsOrigins = config.corsOrigins ?? (sandbox ? SANDBOX_CORS_ORIGINS : []);
  const services: GatewayServices = {
    stores: createStoreDirectory(store, stores),
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
    storefrontApiTokens: { servesOrigin: originMatcher(corsOrigins), maxTtlMs: config.storefrontApiTokenMaxTtlMs },
  };

  const yoga = createYoga<GatewayServerContext, GatewayContextExtension>({
    schema: buildGatewaySchema(),
    context: createContextFactory(services),
    plugins: [
      // `/health`, `/readiness` and `/metrics`, answered before any GraphQL work.
      useHealth({ readiness: readiness.current }),
      // Before the error mapping: it tells rate-limit sources apart by the causes the mapping replaces.
      useMetrics(metrics, { trustedOnly: config.production && !config.observability.metricsPublic, isTrustedKey: services.isTrustedKey }),
      ...(tracing ? [useTracing(tracing, { graphqlEndpoint: '/graphql' })] : []),
      ...(upstreamCallLog ? [upstreamCallLog.plugin] : []),
      useErrorMapping(logger),
      useCompiledExecution(),
      useQueryLimits({ blockFieldSuggestions: config.production }),
      // In every mode, so a client that works in development works in production: a request
      // a browser sends without a CORS preflight (a GET, or a form or text/plain POST) is
      // refused with HTTP 403 unless it carries one of these headers, which a cross-site form,
      // link or image cannot send; JSON POSTs are unaffected. So urql's and Apollo Client's GET
      // queries pass with the buyer's `Authorization`, and mutations stay POST-only (405).
      // `Authorization` is a sound signal only while browsers hold no ambient HTTP credentials
      // for the gateway: it never asks for Basic or Digest ones (no such WWW-Authenticate).
      useCSRFPrevention({ requestHeaders: ['x-graphql-yoga-csrf', 'apollo-require-preflight', 'authorization', GATEWAY_KEY_HEADER] }),
      useGetParamsGuard(),
      // In every mode too: a frontend whose operations are missing from the manifest fails in
      // development, not first in production.
      ...(config.persistedDocuments
        ? [useTrustedDocuments({ documents: config.persistedDocuments, isTrustedRequest: (request) => services.isTrustedKey(request.headers.get(GATEWAY_KEY_HEADER)) })]
        : []),
      ...(config.production ? [useProductionGuards({ isTrustedKey: services.isTrustedKey })] : []),
      useRequestBodyLimit(),
      // Last: the request id goes into every error in its final form, mapped or masked.
      useRequestId(),
    ],
    ...bodyLimitOptions(),
    // Yoga's debug lines ("Processing GraphQL Parameters") name no request: left out. Lines about
    // a request carry its id, and are written by the gateway's plugins, which know the request.
    logging: { debug: () => {}, info: (...args) => logger.info(...args), warn: (...args) => logger.warn(...args), error: (...args) => logger.error(...args) },
    // Unexpected errors reach clients as "Unexpected error."; never with a stack, in any mode.
    maskedErrors: { isDev: false, errorMessage: UNEXPECTED_ERROR_MESSAGE },
    ...graphiqlOptions({
      production: config.production,
      sandbox: sandbox !== undefined,
      demo: sandbox && (await import('./sandbox/index.js')).DEMO_BUYER,
      trustedOnly: config.persistedDocuments !== undefined,
    }),
    landingPage: false,
    cors: corsOptions(corsOrigins),
  });

  if (sandbox !== undefined) {
    logger.warn(`SANDBOX MODE: B2B_API_URL is not set, so BigCommerce is played by the embedded sandbox at ${sandbox.url}. Never use this in production.`);
  }

  return {
    yoga,
    sandbox,
    config: { ...config, apiUrl, store, stores },
    logger,
    readiness,
    upstream: { connections: transport.stats, circuits: breakers.states },
    async close() {
      upstreamProbe.stop();
      await credentialLimiter.close();
      await transport.close();
      await tracing?.shutdown();
      await sandbox?.close();
    },
  };
}
