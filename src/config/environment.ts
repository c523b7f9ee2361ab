import { z } from 'zod';
import { LOG_LEVELS, type LogLevel } from '../observability/logger.js';
import { ORIGIN_PATTERN } from './cors-origins.js';
import { type ObservabilityConfig, readObservabilityConfig } from './observability.js';
import { optionalText } from './optional-text.js';
import { type PersistedDocuments, readPersistedDocuments } from './persisted-documents.js';
import { resolveSecretFiles } from './secret-files.js';
import { storeHashSchema } from './store-hash.js';
import { assembleStores, parseGatewayStores, type StoreConfig, storefrontUrlSchema } from './stores.js';

/**
 * Limits on the credential paths (`login`, `authorization`, `issueStorefrontToken` by credentials
 * or session JWT, `issueServerToken`), all paths sharing one budget per account and one per client
 * address. A budget counts the attempts the upstream refused in its window, and the attempts in
 * flight while they run; an attempt that finds a budget full of attempts in flight waits for one
 * to finish (at most `timeoutMs` from its start) instead of being refused, so only refusals ever
 * answer RATE_LIMITED. A trusted caller (`X-Gateway-Key`) is not held to the budgets of its own
 * address. See `rate-limit/credential-limiter.ts`. 0 turns a budget off.
 */
export interface CredentialLimitsConfig {
  /** Refused attempts (and attempts in flight) per account (email, case-folded) per minute. `GATEWAY_RATE_LIMIT_ACCOUNT_PER_MINUTE`. @default 5 */
  accountPerMinute: number;
  /** Refused attempts (and attempts in flight) per account per hour. `GATEWAY_RATE_LIMIT_ACCOUNT_PER_HOUR`. @default 20 */
  accountPerHour: number;
  /** Refused attempts (and attempts in flight) per client address per minute; not for trusted callers. `GATEWAY_RATE_LIMIT_ADDRESS_PER_MINUTE`. @default 20 */
  addressPerMinute: number;
  /** Refused attempts (and attempts in flight) per client address per hour; not for trusted callers. `GATEWAY_RATE_LIMIT_ADDRESS_PER_HOUR`. @default 200 */
  addressPerHour: number;
  /**
   * Least time, in milliseconds, before a credential path answers UNAUTHENTICATED or
   * RATE_LIMITED, so unknown accounts, wrong passwords and refusals look alike. 0 turns it off.
   * `GATEWAY_MIN_FAILED_LOGIN_MS`.
   * @default 400
   */
  minFailedAnswerMs: number;
}

/** The gateway's configuration, read once from the environment by {@link loadConfig}. */
export interface GatewayConfig {
  /**
   * The upstream base URL: REST at `${apiUrl}/api/io/…`, GraphQL at `${apiUrl}/graphql`.
   * `undefined` means "start the embedded sandbox" (never in production).
   */
  apiUrl: string | undefined;
  /**
   * The default store: the one an input without `storeHash` means, and the one entity lookups
   * use. `B2B_STORE_HASH` when set, else the first of `GATEWAY_STORES`. With the embedded
   * sandbox, the sandbox's store. Always `stores[0]`.
   */
  store: StoreConfig | undefined;
  /**
   * Every store served, the default one first: `B2B_STORE_HASH` + `B2B_AUTH_TOKEN` and the
   * stores of `GATEWAY_STORES` (see `stores.ts`). An input naming any other store answers
   * FORBIDDEN. @default []
   */
  stores: StoreConfig[];
  /** Deadline of one upstream call, in milliseconds. @default 10000 */
  timeoutMs: number;
  /**
   * Most keep-alive connections open to the upstream origin at once; calls beyond them wait for
   * one. `B2B_MAX_CONNECTIONS`. @default 256
   */
  maxConnections: number;
  /**
   * How far ahead `issueStorefrontApiToken` may set a token's expiry, in milliseconds: a later
   * `expiresAt` answers BAD_USER_INPUT. `GATEWAY_STOREFRONT_API_TOKEN_MAX_TTL_DAYS`.
   * @default 2592000000 (30 days)
   */
  storefrontApiTokenMaxTtlMs: number;
  /**
   * When B2B GraphQL is unavailable, serve `login` and `authorization` through the REST
   * credentials and session-JWT endpoints. @default true
   */
  pathFailover: boolean;
  /** Consecutive upstream outages that open a path's circuit. @default 5 */
  breakerThreshold: number;
  /** How long an open circuit fails fast before one probe, in milliseconds. @default 10000 */
  breakerCooldownMs: number;
  /** Keys that make a request with `X-Gateway-Key: <key>` a trusted server caller. @default [] */
  trustedKeys: string[];
  /**
   * Browser origins granted CORS (`https://shop.example`, `http://localhost:*`, or `*` without
   * credentials). `undefined`: none, or `http://localhost:*` and `http://127.0.0.1:*` on the sandbox.
   */
  corsOrigins: string[] | undefined;
  /** @default 4000 */
  port: number;
  /** @default '127.0.0.1' */
  host: string;
  /** `NODE_ENV === 'production'`. @default false */
  production: boolean;
  /**
   * Redis shared by several gateway instances, for the rate-limit counters
   * (`redis://[user:password@]host:port[/db]`, `rediss://` for TLS). A secret: never logged.
   * `undefined`: counters live in this process's memory. `GATEWAY_REDIS_URL`.
   * @default undefined
   */
  redisUrl: string | undefined;
  /**
   * How many reverse proxies in front of the gateway append to `X-Forwarded-For`; the client
   * address is the entry the outermost one wrote. 0: the header is ignored and the TCP peer is
   * the client. `GATEWAY_TRUST_PROXY`: `false`, `true` (one proxy) or a number.
   * @default 0
   */
  trustedProxyHops: number;
  /** Limits on the credential paths. */
  credentialLimits: CredentialLimitsConfig;
  /**
   * Trusted documents, read at start-up from the JSON manifest `GATEWAY_PERSISTED_DOCUMENTS`
   * names (`{ "<hash>": "<document>" }`): untrusted callers may run only these, by hash; trusted
   * callers may run any document. `undefined`: any caller may run any document.
   * @default undefined
   */
  persistedDocuments?: PersistedDocuments | undefined;
  /** `/metrics` access and OpenTelemetry tracing (`GATEWAY_METRICS_PUBLIC`, the standard `OTEL_*` variables). */
  observability: ObservabilityConfig;
  /** Lowest level of the log lines written. `LOG_LEVEL`. @default 'info' */
  logLevel: LogLevel;
  /**
   * After SIGTERM, how long `/readiness` answers 503 while every other request is still served
   * (with `Connection: close`), so load balancers take the instance out of rotation before the
   * listener closes. `GATEWAY_SHUTDOWN_DELAY_MS`.
   * @default 5000
   */
  shutdownDelayMs: number;
}


const number = (schema: z.ZodNumber, fallback: number) =>
  optionalText.transform((value) => (value === undefined ? fallback : Number(value))).pipe(schema);

/** The variables {@link loadConfig} reads itself; `observability.ts` reads the `OTEL_*` ones. */
export const environmentSchema = z.object({
  NODE_ENV: optionalText,
  B2B_API_URL: optionalText.pipe(z.url({ protocol: /^https?$/ }).optional()),
  B2B_STORE_HASH: optionalText.pipe(storeHashSchema.optional()),
  B2B_AUTH_TOKEN: optionalText,
  B2B_CHANNEL_ID: number(z.number().int().positive(), 1),
  B2B_TIMEOUT_MS: number(z.number().int().positive(), 10_000),
  B2B_MAX_CONNECTIONS: number(z.number().int().positive(), 256),
  B2B_STOREFRONT_URL: optionalText.pipe(storefrontUrlSchema.optional()),
  GATEWAY_STOREFRONT_API_TOKEN_MAX_TTL_DAYS: number(z.number().int().min(1, 'must be at least 1').max(365, 'must be at most 365'), 30),
  GATEWAY_PATH_FAILOVER: optionalText.pipe(z.enum(['true', 'false'], 'must be true or false').optional()),
  GATEWAY_BREAKER_THRESHOLD: number(z.number().int().positive(), 5),
  GATEWAY_BREAKER_COOLDOWN_MS: number(z.number().int().positive(), 10_000),
  GATEWAY_TRUSTED_KEYS: optionalText,
  GATEWAY_CORS_ORIGINS: optionalText,
  GATEWAY_REDIS_URL: optionalText.pipe(z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' }).optional()),
  // Parsed by `stores.ts` (JSON, files): here only read.
  GATEWAY_STORES: optionalText,
  // A file path, read by `persisted-documents.ts`.
  GATEWAY_PERSISTED_DOCUMENTS: optionalText,
  GATEWAY_TRUST_PROXY: optionalText
    .pipe(z.string().regex(/^(true|false|\d+)$/, 'must be true, false or a number of proxies').optional())
    .transform((value) => (value === undefined || value === 'false' ? 0 : value === 'true' ? 1 : Number(value))),
  GATEWAY_RATE_LIMIT_ACCOUNT_PER_MINUTE: number(z.number().int().min(0), 5),
  GATEWAY_RATE_LIMIT_ACCOUNT_PER_HOUR: number(z.number().int().min(0), 20),
  GATEWAY_RATE_LIMIT_ADDRESS_PER_MINUTE: number(z.number().int().min(0), 20),
  GATEWAY_RATE_LIMIT_ADDRESS_PER_HOUR: number(z.number().int().min(0), 200),
  GATEWAY_MIN_FAILED_LOGIN_MS: number(z.number().int().min(0).max(10_000), 400),
  GATEWAY_SHUTDOWN_DELAY_MS: number(z.number().int().min(0).max(600_000), 5_000),
  LOG_LEVEL: optionalText
    .transform((value) => value?.toLowerCase())
    .pipe(z.enum(LOG_LEVELS, `must be one of ${LOG_LEVELS.join(', ')}`).optional())
    .transform((value): LogLevel => value ?? 'info'),
  PORT: number(z.number().int().min(0).max(65_535), 4000),
  HOST: optionalText.transform((value) => value ?? '127.0.0.1'),
});

/**
 * Rules that span variables. They read the raw environment, so they are reported together
 * with every per-variable problem instead of after the operator fixed those.
 */
function crossChecks(env: Record<string, string | undefined>, unreadable: ReadonlySet<string>): string[] {
  // A variable whose `_FILE` could not be read is reported once, as that, not as missing too.
  const set = (name: string) => (env[name] ?? '').trim() !== '' || unreadable.has(name);
  const problems: string[] = [];
  if (!set('B2B_API_URL')) {
    if (env['NODE_ENV']?.trim() === 'production') {
      problems.push('B2B_API_URL: is required when NODE_ENV=production (the sandbox is for development only)');
    }
    if (set('GATEWAY_STORES')) problems.push('GATEWAY_STORES: needs B2B_API_URL (the embedded sandbox serves only its own store)');
    if (set('B2B_STOREFRONT_URL')) problems.push('B2B_STOREFRONT_URL: needs B2B_API_URL (the embedded sandbox serves its own storefront)');
  } else if (!set('GATEWAY_STORES')) {
    if (!set('B2B_STORE_HASH')) problems.push('B2B_STORE_HASH: is required with B2B_API_URL');
    if (!set('B2B_AUTH_TOKEN')) problems.push('B2B_AUTH_TOKEN: is required with B2B_API_URL');
  }
  const shortKeys = splitList(env['GATEWAY_TRUSTED_KEYS']).filter((key) => key.length < 16);
  if (shortKeys.length > 0) problems.push(`GATEWAY_TRUSTED_KEYS: ${shortKeys.length} key(s) shorter than 16 characters`);
  for (const origin of splitList(env['GATEWAY_CORS_ORIGINS'])) {
    if (!ORIGIN_PATTERN.test(origin)) problems.push(`GATEWAY_CORS_ORIGINS: "${origin}" is not an origin like https://shop.example or http://localhost:*`);
  }
  return problems;
}

// Commas or line breaks: a `GATEWAY_TRUSTED_KEYS_FILE` may hold one key per line.
const splitList = (value: string | undefined) =>
  (value ?? '')
    .split(/[,\r\n]/)
    .map((item) => item.trim())
    .filter((item) => item !== '');

/** Thrown by {@link loadConfig} with one line per problem. Lines name variables, never their values. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((line) => `  - ${line}`).join('\n')}`);
  }
}

/**
 * Reads and validates the environment once. This is the only place that reads `process.env`
 * (callers pass it in); everything below receives the typed result.
 */
export function loadConfig(env: Record<string, string | undefined>): GatewayConfig {
  // `<NAME>_FILE` twins are read here, once, at start-up: what follows sees their content as `<NAME>`.
  const secretFiles = resolveSecretFiles(env);
  const parsed = environmentSchema.safeParse(secretFiles.env);
  const listed = secretFiles.env['GATEWAY_STORES']?.trim() ? parseGatewayStores(secretFiles.env['GATEWAY_STORES']) : undefined;
  const persisted = readPersistedDocuments(secretFiles.env['GATEWAY_PERSISTED_DOCUMENTS']);
  const observability = readObservabilityConfig(secretFiles.env);
  // zod messages describe the rule broken; `input` (which may be a secret) is never printed.
  const variableProblem = (issue: z.core.$ZodIssue) => {
    const name = issue.path.join('.') || 'environment';
    const file = secretFiles.sources.get(name);
    return `${file === undefined ? name : `${name} (read from ${name}_FILE ${file})`}: ${issue.message}`;
  };
  const problems = [
    ...secretFiles.problems,
    ...(parsed.success ? [] : parsed.error.issues.map(variableProblem)),
    ...crossChecks(secretFiles.env, secretFiles.failed),
    ...(listed?.ok === false ? listed.problems : []),
    ...persisted.problems,
    ...observability.problems,
  ];
  const stores =
    parsed.success && listed?.ok !== false
      ? assembleStores(
          {
            storeHash: parsed.data.B2B_STORE_HASH,
            authToken: parsed.data.B2B_AUTH_TOKEN,
            channelId: parsed.data.B2B_CHANNEL_ID,
            storefrontUrl: parsed.data.B2B_STOREFRONT_URL,
          },
          listed?.ok ? listed.stores : undefined,
        )
      : undefined;
  problems.push(...(stores?.problems ?? []));
  if (!parsed.success || stores === undefined || problems.length > 0) throw new ConfigError(problems);
  const value = parsed.data;
  return {
    apiUrl: value.B2B_API_URL?.replace(/\/+$/, ''),
    store: stores.stores[0],
    stores: stores.stores,
    timeoutMs: value.B2B_TIMEOUT_MS,
    maxConnections: value.B2B_MAX_CONNECTIONS,
    storefrontApiTokenMaxTtlMs: value.GATEWAY_STOREFRONT_API_TOKEN_MAX_TTL_DAYS * 24 * 60 * 60 * 1000,
    pathFailover: value.GATEWAY_PATH_FAILOVER !== 'false',
    breakerThreshold: value.GATEWAY_BREAKER_THRESHOLD,
    breakerCooldownMs: value.GATEWAY_BREAKER_COOLDOWN_MS,
    trustedKeys: splitList(value.GATEWAY_TRUSTED_KEYS),
    corsOrigins: value.GATEWAY_CORS_ORIGINS === undefined ? undefined : splitList(value.GATEWAY_CORS_ORIGINS),
    port: value.PORT,
    host: value.HOST,
    production: value.NODE_ENV === 'production',
    redisUrl: value.GATEWAY_REDIS_URL,
    trustedProxyHops: value.GATEWAY_TRUST_PROXY,
    credentialLimits: {
      accountPerMinute: value.GATEWAY_RATE_LIMIT_ACCOUNT_PER_MINUTE,
      accountPerHour: value.GATEWAY_RATE_LIMIT_ACCOUNT_PER_HOUR,
      addressPerMinute: value.GATEWAY_RATE_LIMIT_ADDRESS_PER_MINUTE,
      addressPerHour: value.GATEWAY_RATE_LIMIT_ADDRESS_PER_HOUR,
      minFailedAnswerMs: value.GATEWAY_MIN_FAILED_LOGIN_MS,
    },
    persistedDocuments: persisted.documents,
    observability: observability.config,
    logLevel: value.LOG_LEVEL,
    shutdownDelayMs: value.GATEWAY_SHUTDOWN_DELAY_MS,
  };
}

/**
 * Every secret a configuration holds (each store's X-Auth-Token, the trusted keys, a Redis
 * password), for the logger's list of values it must never write.
 */
export function secretsOf(config: Pick<GatewayConfig, 'stores' | 'trustedKeys' | 'redisUrl'> & { observability?: GatewayConfig['observability'] }): string[] {
  const redis: string[] = [];
  try {
    // `redisUrl` passed zod's URL check, so it parses; the password is kept both ways it may appear.
    const password = config.redisUrl === undefined ? '' : new URL(config.redisUrl).password;
    redis.push(password);
    redis.push(decodeURIComponent(password));
  } catch {
    // A password that is not valid percent-encoding: the raw form is already listed.
  }
  // OTLP export headers typically carry a vendor's API key.
  const exportHeaders = (config.observability?.tracing?.exporters ?? []).flatMap((exporter) => (exporter.kind === 'otlp' ? Object.values(exporter.headers) : []));
  return [...new Set([...config.stores.map((store) => store.authToken), ...config.trustedKeys, ...redis, ...exportHeaders].filter((secret) => secret !== ''))];
}
