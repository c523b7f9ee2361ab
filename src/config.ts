import { z } from 'zod';
import { ORIGIN_PATTERN } from './plugins/cors.js';

/** One BigCommerce store the gateway serves. */
export interface StoreConfig {
  /** The store hash, e.g. `abc123`. */
  storeHash: string;
  /** The store-level API account's X-Auth-Token. A secret: never logged, never sent to a browser. */
  authToken: string;
  /** The storefront channel used when an input does not name one. @default 1 */
  defaultChannelId: number;
}

/**
 * Limits on the credential paths (`login`, `authorization`, `issueStorefrontToken` by credentials
 * or session JWT), all paths sharing one budget per account and one per client address. Only
 * attempts the upstream refused stay counted (see `rate-limit/credential-limiter.ts`). 0 turns a
 * budget off.
 */
export interface CredentialLimitsConfig {
  /** Refused attempts per account (email, case-folded) per minute. `GATEWAY_RATE_LIMIT_ACCOUNT_PER_MINUTE`. @default 5 */
  accountPerMinute: number;
  /** Refused attempts per account per hour. `GATEWAY_RATE_LIMIT_ACCOUNT_PER_HOUR`. @default 20 */
  accountPerHour: number;
  /** Refused attempts per client address per minute. `GATEWAY_RATE_LIMIT_ADDRESS_PER_MINUTE`. @default 20 */
  addressPerMinute: number;
  /** Refused attempts per client address per hour. `GATEWAY_RATE_LIMIT_ADDRESS_PER_HOUR`. @default 200 */
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
  /** The store served. With the embedded sandbox, the sandbox's store. */
  store: StoreConfig | undefined;
  /** Deadline of one upstream call, in milliseconds. @default 10000 */
  timeoutMs: number;
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
}

// An empty variable means "not set", for text and numbers alike.
const optionalText = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

const number = (schema: z.ZodNumber, fallback: number) =>
  optionalText.transform((value) => (value === undefined ? fallback : Number(value))).pipe(schema);

const environmentSchema = z.object({
  NODE_ENV: optionalText,
  B2B_API_URL: optionalText.pipe(z.url({ protocol: /^https?$/ }).optional()),
  B2B_STORE_HASH: optionalText.pipe(z.string().regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, "-" and "_" only').optional()),
  B2B_AUTH_TOKEN: optionalText,
  B2B_CHANNEL_ID: number(z.number().int().positive(), 1),
  B2B_TIMEOUT_MS: number(z.number().int().positive(), 10_000),
  GATEWAY_PATH_FAILOVER: optionalText.pipe(z.enum(['true', 'false'], 'must be true or false').optional()),
  GATEWAY_BREAKER_THRESHOLD: number(z.number().int().positive(), 5),
  GATEWAY_BREAKER_COOLDOWN_MS: number(z.number().int().positive(), 10_000),
  GATEWAY_TRUSTED_KEYS: optionalText,
  GATEWAY_CORS_ORIGINS: optionalText,
  GATEWAY_REDIS_URL: optionalText.pipe(z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' }).optional()),
  GATEWAY_TRUST_PROXY: optionalText
    .pipe(z.string().regex(/^(true|false|\d+)$/, 'must be true, false or a number of proxies').optional())
    .transform((value) => (value === undefined || value === 'false' ? 0 : value === 'true' ? 1 : Number(value))),
  GATEWAY_RATE_LIMIT_ACCOUNT_PER_MINUTE: number(z.number().int().min(0), 5),
  GATEWAY_RATE_LIMIT_ACCOUNT_PER_HOUR: number(z.number().int().min(0), 20),
  GATEWAY_RATE_LIMIT_ADDRESS_PER_MINUTE: number(z.number().int().min(0), 20),
  GATEWAY_RATE_LIMIT_ADDRESS_PER_HOUR: number(z.number().int().min(0), 200),
  GATEWAY_MIN_FAILED_LOGIN_MS: number(z.number().int().min(0).max(10_000), 400),
  PORT: number(z.number().int().min(0).max(65_535), 4000),
  HOST: optionalText.transform((value) => value ?? '127.0.0.1'),
});

/**
 * Rules that span variables. They read the raw environment, so they are reported together
 * with every per-variable problem instead of after the operator fixed those.
 */
function crossChecks(env: Record<string, string | undefined>): string[] {
  const set = (name: string) => (env[name] ?? '').trim() !== '';
  const problems: string[] = [];
  if (!set('B2B_API_URL')) {
    if (env['NODE_ENV']?.trim() === 'production') {
      problems.push('B2B_API_URL: is required when NODE_ENV=production (the sandbox is for development only)');
    }
  } else {
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

const splitList = (value: string | undefined) =>
  (value ?? '')
    .split(',')
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
  const parsed = environmentSchema.safeParse(env);
  // zod messages describe the rule broken; `input` (which may be a secret) is never printed.
  const problems = [
    ...(parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join('.') || 'environment'}: ${issue.message}`)),
    ...crossChecks(env),
  ];
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const value = parsed.data;
  return {
    apiUrl: value.B2B_API_URL?.replace(/\/+$/, ''),
    store:
      value.B2B_STORE_HASH !== undefined && value.B2B_AUTH_TOKEN !== undefined
        ? { storeHash: value.B2B_STORE_HASH, authToken: value.B2B_AUTH_TOKEN, defaultChannelId: value.B2B_CHANNEL_ID }
        : undefined,
    timeoutMs: value.B2B_TIMEOUT_MS,
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
  };
}
