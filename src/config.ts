import { z } from 'zod';

/** One BigCommerce store the gateway serves. */
export interface StoreConfig {
  /** The store hash, e.g. `abc123`. */
  storeHash: string;
  /** The store-level API account's X-Auth-Token. A secret: never logged, never sent to a browser. */
  authToken: string;
  /** The storefront channel used when an input does not name one. @default 1 */
  defaultChannelId: number;
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
  /** Keys that make a request with `X-Gateway-Key: <key>` a trusted server caller. @default [] */
  trustedKeys: string[];
  /** @default 4000 */
  port: number;
  /** @default '127.0.0.1' */
  host: string;
  /** `NODE_ENV === 'production'`. @default false */
  production: boolean;
}

const optionalText = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const environmentSchema = z
  .object({
    NODE_ENV: optionalText,
    B2B_API_URL: optionalText.pipe(z.url({ protocol: /^https?$/ }).optional()),
    B2B_STORE_HASH: optionalText.pipe(z.string().regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, "-" and "_" only').optional()),
    B2B_AUTH_TOKEN: optionalText,
    B2B_CHANNEL_ID: positiveInt(1),
    B2B_TIMEOUT_MS: positiveInt(10_000),
    GATEWAY_TRUSTED_KEYS: optionalText,
    PORT: z.coerce.number().int().min(0).max(65_535).default(4000),
    HOST: optionalText.default('127.0.0.1'),
  })
  .superRefine((env, ctx) => {
    if (env.B2B_API_URL === undefined) {
      if (env.NODE_ENV === 'production') {
        ctx.addIssue({ code: 'custom', path: ['B2B_API_URL'], message: 'is required when NODE_ENV=production (the sandbox is for development only)' });
      }
      return;
    }
    if (env.B2B_STORE_HASH === undefined) {
      ctx.addIssue({ code: 'custom', path: ['B2B_STORE_HASH'], message: 'is required with B2B_API_URL' });
    }
    if (env.B2B_AUTH_TOKEN === undefined) {
      ctx.addIssue({ code: 'custom', path: ['B2B_AUTH_TOKEN'], message: 'is required with B2B_API_URL' });
    }
  });

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
  if (!parsed.success) {
    // zod messages describe the rule broken; `input` (which may be a secret) is never printed.
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.') || 'environment'}: ${issue.message}`));
  }
  const value = parsed.data;
  const trustedKeys = (value.GATEWAY_TRUSTED_KEYS ?? '')
    .split(',')
    .map((key) => key.trim())
    .filter((key) => key !== '');
  const tooShort = trustedKeys.filter((key) => key.length < 16);
  if (tooShort.length > 0) {
    throw new ConfigError([`GATEWAY_TRUSTED_KEYS: ${tooShort.length} key(s) shorter than 16 characters`]);
  }
  return {
    apiUrl: value.B2B_API_URL?.replace(/\/+$/, ''),
    store:
      value.B2B_STORE_HASH !== undefined && value.B2B_AUTH_TOKEN !== undefined
        ? { storeHash: value.B2B_STORE_HASH, authToken: value.B2B_AUTH_TOKEN, defaultChannelId: value.B2B_CHANNEL_ID }
        : undefined,
    timeoutMs: value.B2B_TIMEOUT_MS,
    trustedKeys,
    port: value.PORT,
    host: value.HOST,
    production: value.NODE_ENV === 'production',
  };
}
