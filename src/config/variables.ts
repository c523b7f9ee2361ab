import type { environmentSchema } from './environment.js';
import type { observabilitySchema } from './observability.js';

/** One environment variable as `b2b-auth-gateway --help` and docs/configuration.md#every-variable describe it. */
export interface EnvironmentVariable {
  /** What it does; `code` in backticks. */
  meaning: string;
  /** The default as an operator reads it; `''` when unset means nothing happens. */
  default: string;
}

// The signal-specific twins of these OTLP variables are described in their general variable's line.
type DescribedWithTwin = 'OTEL_EXPORTER_OTLP_TRACES_HEADERS' | 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL' | 'OTEL_EXPORTER_OTLP_TRACES_TIMEOUT';

/**
 * Every variable `loadConfig` reads, in the order `--help` lists them: the one place they are
 * described. Typed so that a variable added to a schema (`environment.ts`, `observability.ts`)
 * without a line here fails the type check, and so does a line for a variable no schema reads.
 * `<NAME>_FILE` twins of the secrets (`secret-files.ts`) are listed by the help from
 * `SECRET_VARIABLES`.
 */
export const ENVIRONMENT_VARIABLES = {
  B2B_API_URL: {
    meaning:
      'Upstream base: REST at `$B2B_API_URL/api/io/…`, GraphQL at `$B2B_API_URL/graphql`. Unset: the gateway starts the embedded sandbox on a loopback port (a start-up error with `NODE_ENV=production`).',
    default: 'unset (sandbox)',
  },
  B2B_STORE_HASH: { meaning: 'The store served (the default store with `GATEWAY_STORES`). Required with `B2B_API_URL` unless `GATEWAY_STORES` is set.', default: '' },
  B2B_AUTH_TOKEN: { meaning: "The store's X-Auth-Token. Required with `B2B_STORE_HASH` unless that store is listed in `GATEWAY_STORES`. A secret.", default: '' },
  B2B_CHANNEL_ID: { meaning: 'Storefront channel used when an input names none.', default: '1' },
  B2B_TIMEOUT_MS: { meaning: 'Deadline of one upstream call, request to last byte, retries included.', default: '10000' },
  B2B_MAX_CONNECTIONS: {
    meaning:
      'Most keep-alive connections open to the upstream at once; a call finding them all busy waits for one. Raise it when upstream latency × logins per second comes near it (200 ms × 500 logins/s needs 100).',
    default: '256',
  },
  B2B_STOREFRONT_URL: {
    meaning:
      "The storefront of the store `B2B_STORE_HASH` names (http or https), e.g. `https://shop.example`: `login` then answers `storefrontLoginUrl`, `<URL>/login/token/<storefrontLoginToken>`. With `GATEWAY_STORES`, each store's `storefrontUrl`.",
    default: 'unset (no `storefrontLoginUrl`)',
  },
  GATEWAY_STORES: {
    meaning:
      'More stores: a JSON object `{ "<store hash>": { "authToken" | "authTokenFile", "channels"?, "defaultChannelId"?, "storefrontUrl"? } }`, or the path of a file holding it. An input naming another store answers `FORBIDDEN`.',
    default: 'unset (one store)',
  },
  GATEWAY_TRUSTED_KEYS: {
    meaning: 'Comma-separated keys (16+ characters each). A request with `X-Gateway-Key: <key>` is a trusted server caller. Secrets.',
    default: 'none',
  },
  GATEWAY_PERSISTED_DOCUMENTS: {
    meaning:
      'Path of a JSON manifest `{ "<sha256 hash>": "<document>" }` (GraphQL Code Generator\'s `persisted-documents.json`). Set: untrusted callers may run only these operations, by hash; trusted callers may run any. A missing or bad file is a start-up error.',
    default: 'unset (any document)',
  },
  GATEWAY_CORS_ORIGINS: {
    meaning:
      'Comma-separated browser origins granted CORS; `http://host:*` allows any port, `*` any origin without credentials. `issueStorefrontApiToken` admits only concrete origins these grant (none through `*`).',
    default: 'none; `http://localhost:*`, `http://127.0.0.1:*` on the sandbox',
  },
  GATEWAY_STOREFRONT_API_TOKEN_MAX_TTL_DAYS: {
    meaning: 'How many days ahead `issueStorefrontApiToken` may set a GraphQL Storefront API token to expire (1 to 365); a later `expiresAt` answers `BAD_USER_INPUT`.',
    default: '30',
  },
  GATEWAY_PATH_FAILOVER: { meaning: '`false` turns off serving `login`/`authorization` over REST while B2B GraphQL is down.', default: 'true' },
  GATEWAY_BREAKER_THRESHOLD: { meaning: "Consecutive upstream outages that open a path's circuit.", default: '5' },
  GATEWAY_BREAKER_COOLDOWN_MS: { meaning: 'How long an open circuit fails fast before letting one probe through.', default: '10000' },
  GATEWAY_RATE_LIMIT_ACCOUNT_PER_MINUTE: {
    meaning:
      'Refused credential attempts per account (email, case-folded; one budget across all credential paths) per minute. Attempts in flight count too; one finding the budget full of them waits (up to `B2B_TIMEOUT_MS`) rather than being refused. `0` turns it off.',
    default: '5',
  },
  GATEWAY_RATE_LIMIT_ACCOUNT_PER_HOUR: { meaning: 'The same per hour.', default: '20' },
  GATEWAY_RATE_LIMIT_ADDRESS_PER_MINUTE: {
    meaning:
      'Refused credential attempts per client address per minute, attempts in flight counted and waited for as above. Trusted callers (`X-Gateway-Key`), who sign many buyers in from one address, are not held to it. `0` turns it off.',
    default: '20',
  },
  GATEWAY_RATE_LIMIT_ADDRESS_PER_HOUR: { meaning: 'The same per hour.', default: '200' },
  GATEWAY_MIN_FAILED_LOGIN_MS: {
    meaning: 'Shortest answer time of a failed or rate-limited credential attempt, so timing does not tell which accounts exist. `0` turns it off.',
    default: '400',
  },
  GATEWAY_REDIS_URL: {
    meaning: '`redis://` or `rediss://`: rate-limit counters shared by every gateway instance. A secret if it holds a password.',
    default: 'unset (memory)',
  },
  GATEWAY_TRUST_PROXY: {
    meaning: '`true` or the number of proxies in front: the client address is read from `X-Forwarded-For` that many hops from the right.',
    default: 'false',
  },
  GATEWAY_SHUTDOWN_DELAY_MS: {
    meaning:
      'After SIGTERM, how long `/readiness` answers 503 while requests are still served (with `Connection: close`) before the listener closes. At least a balancer\'s health-check interval × (its fall count + 1); with Kubernetes, a few seconds for the endpoint removal to reach every proxy. `0`: close at once.',
    default: '5000',
  },
  LOG_LEVEL: { meaning: 'Lowest level logged: `debug` (adds one line per upstream call), `info`, `warn` or `error`.', default: 'info' },
  PORT: { meaning: 'Listen port (`0`: any free port).', default: '4000' },
  HOST: { meaning: 'Listen address (`0.0.0.0` for every interface, e.g. in a container).', default: '127.0.0.1' },
  NODE_ENV: {
    meaning:
      '`production`: GraphiQL off, introspection and `_service` only for trusted callers, no field suggestions, no sandbox. The `b2b-auth-gateway` command sets it to `production` when unset.',
    default: 'unset (`production` for the command)',
  },
  GATEWAY_METRICS_PUBLIC: {
    meaning:
      '`true` serves `/metrics` to anyone in production too. Otherwise production answers it only with a trusted key (`X-Gateway-Key: <key>` or `Authorization: Bearer <key>`); development always serves it.',
    default: 'false',
  },
  OTEL_TRACES_EXPORTER: {
    meaning:
      'OpenTelemetry tracing: `otlp` (OTLP over HTTP), `console` (spans on stdout) or `none`. Unset: tracing is on only when an OTLP endpoint below is set.',
    default: 'unset (off)',
  },
  OTEL_EXPORTER_OTLP_ENDPOINT: {
    meaning: 'OTLP/HTTP base URL of the collector; traces go to `<endpoint>/v1/traces`. Setting it turns tracing on.',
    default: '`http://localhost:4318` when `OTEL_TRACES_EXPORTER=otlp`',
  },
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: { meaning: 'The whole OTLP/HTTP traces URL; wins over `OTEL_EXPORTER_OTLP_ENDPOINT`. Setting it turns tracing on.', default: '' },
  OTEL_EXPORTER_OTLP_HEADERS: {
    meaning: '`key=value,…` (values percent-encoded) sent with every export, e.g. a vendor API key; `OTEL_EXPORTER_OTLP_TRACES_HEADERS` adds or overrides. Secrets.',
    default: 'none',
  },
  OTEL_EXPORTER_OTLP_PROTOCOL: {
    meaning: '`http/protobuf` or `http/json` (`OTEL_EXPORTER_OTLP_TRACES_PROTOCOL` too); spans are sent as OTLP/HTTP JSON, which collectors take on the same port. `grpc` is refused.',
    default: 'unset (OTLP/HTTP JSON)',
  },
  OTEL_EXPORTER_OTLP_TIMEOUT: { meaning: 'Deadline of one export in ms (`OTEL_EXPORTER_OTLP_TRACES_TIMEOUT` too).', default: '10000' },
  OTEL_SERVICE_NAME: { meaning: '`service.name` of every span.', default: 'b2b-auth-gateway' },
  OTEL_RESOURCE_ATTRIBUTES: { meaning: 'More resource attributes, `key=value,…`, e.g. `deployment.environment=prod`.', default: 'none' },
  OTEL_TRACES_SAMPLER: {
    meaning: '`always_on`, `always_off`, `traceidratio`, `parentbased_always_on`, `parentbased_always_off` or `parentbased_traceidratio`; parent-based samplers follow an incoming `traceparent`.',
    default: 'parentbased_always_on',
  },
  OTEL_TRACES_SAMPLER_ARG: { meaning: 'The ratio (0 to 1) of the `*traceidratio` samplers.', default: '1' },
  OTEL_SDK_DISABLED: { meaning: '`true` turns tracing off whatever else is set.', default: 'false' },
} satisfies Record<Exclude<keyof typeof environmentSchema.shape | keyof typeof observabilitySchema.shape, DescribedWithTwin>, EnvironmentVariable>;
