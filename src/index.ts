/**
 * The library entry (`import { createGateway, loadConfig } from 'b2b-auth-gateway'`): build the
 * gateway from a configuration and mount `gateway.yoga` in any Node server or framework.
 *
 * ```ts
 * const gateway = await createGateway(loadConfig(process.env));
 * createServer(gateway.yoga).listen(4000);
 * ```
 */
export { ConfigError, type GatewayConfig, loadConfig } from './config/environment.js';
export type { PersistedDocuments } from './config/persisted-documents.js';
export type { StoreConfig } from './config/stores.js';
export { ENVIRONMENT_VARIABLES, type EnvironmentVariable } from './config/variables.js';
export { createGateway, type Gateway, type GatewayOptions, type GatewayServerContext } from './gateway.js';
export { createLogger, type Logger, type LoggerOptions, type LogLevel } from './observability/logger.js';
export type { InstanceReadiness, Readiness } from './observability/readiness.js';
export { createHttpServer, DEFAULT_HTTP_SERVER_OPTIONS, type DrainResult, type HttpServer, type HttpServerOptions, type ShutdownOptions } from './http/server.js';
