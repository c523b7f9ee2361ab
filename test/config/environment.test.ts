import { describe, expect, it } from 'vitest';
import { ConfigError, type GatewayConfig, loadConfig } from '../../src/config/environment.js';

const AUTH_TOKEN = 'tok-Sup3rSecret-0123456789abcdef';
const REAL_STORE = { B2B_API_URL: 'https://api-b2b.bigcommerce.com', B2B_STORE_HASH: 'abc123', B2B_AUTH_TOKEN: AUTH_TOKEN };

/** The ConfigError `loadConfig` throws for `env`; fails the test when it does not throw one. */
function configError(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(Object.keys(env))}`);
}

/** Every text a ConfigError can show: message, stack, problems. */
const everythingPrinted = (error: ConfigError) => `${String(error)}\n${error.stack ?? ''}\n${JSON.stringify(error.problems)}`;

describe('loadConfig', () => {
  it('with an empty environment starts the sandbox on the defaults', () => {
    expect(loadConfig({})).toEqual<GatewayConfig>({
      apiUrl: undefined,
      store: undefined,
      stores: [],
      timeoutMs: 10_000,
      maxConnections: 256,
      storefrontApiTokenMaxTtlMs: 30 * 24 * 60 * 60 * 1000,
      pathFailover: true,
      breakerThreshold: 5,
      breakerCooldownMs: 10_000,
      trustedKeys: [],
      corsOrigins: undefined,
      port: 4000,
      host: '127.0.0.1',
      production: false,
      redisUrl: undefined,
      trustedProxyHops: 0,
      credentialLimits: { accountPerMinute: 5, accountPerHour: 20, addressPerMinute: 20, addressPerHour: 200, minFailedAnswerMs: 400 },
      observability: { metricsPublic: false, tracing: undefined },
      logLevel: 'info',
      shutdownDelayMs: 5_000,
    });
  });

  it('reads a real store, trimming the URL and the key list', () => {
    expect(
      loadConfig({
        ...REAL_STORE,
        B2B_API_URL: 'https://api-b2b.bigcommerce.com/',
        B2B_CHANNEL_ID: '2',
        B2B_TIMEOUT_MS: '2500',
        B2B_MAX_CONNECTIONS: '64',
        GATEWAY_TRUSTED_KEYS: ' key-one-0123456789abcdef , ,key-two-0123456789abcdef,',
        GATEWAY_CORS_ORIGINS: 'https://shop.example, http://localhost:*',
        PORT: '8080',
        HOST: '0.0.0.0',
        NODE_ENV: 'production',
      }),
    ).toEqual<GatewayConfig>({
      apiUrl: 'https://api-b2b.bigcommerce.com',
      store: { storeHash: 'abc123', authToken: AUTH_TOKEN, defaultChannelId: 2 },
      stores: [{ storeHash: 'abc123', authToken: AUTH_TOKEN, defaultChannelId: 2 }],
      timeoutMs: 2500,
      maxConnections: 64,
      storefrontApiTokenMaxTtlMs: 30 * 24 * 60 * 60 * 1000,
      pathFailover: true,
      breakerThreshold: 5,
      breakerCooldownMs: 10_000,
      trustedKeys: ['key-one-0123456789abcdef', 'key-two-0123456789abcdef'],
      corsOrigins: ['https://shop.example', 'http://localhost:*'],
      port: 8080,
      host: '0.0.0.0',
      production: true,
      redisUrl: undefined,
      trustedProxyHops: 0,
      credentialLimits: { accountPerMinute: 5, accountPerHour: 20, addressPerMinute: 20, addressPerHour: 200, minFailedAnswerMs: 400 },
      observability: { metricsPublic: false, tracing: undefined },
      logLevel: 'info',
      shutdownDelayMs: 5_000,
    });
  });

  it('treats empty and blank strings as unset', () => {
    expect(loadConfig({ B2B_API_URL: '', B2B_STORE_HASH: ' ', B2B_AUTH_TOKEN: '', GATEWAY_TRUSTED_KEYS: '' })).toMatchObject({
      apiUrl: undefined,
      store: undefined,
      trustedKeys: [],
    });
  });

  it.each<{ problem: string; env: Record<string, string>; lines: string[] }>([
    {
      problem: 'production without B2B_API_URL',
      env: { NODE_ENV: 'production' },
      lines: ['B2B_API_URL: is required when NODE_ENV=production (the sandbox is for development only)'],
    },
    {
      problem: 'B2B_API_URL without store hash and token',
      env: { B2B_API_URL: 'https://api-b2b.bigcommerce.com' },
      lines: ['B2B_STORE_HASH: is required with B2B_API_URL', 'B2B_AUTH_TOKEN: is required with B2B_API_URL'],
    },
    {
      problem: 'B2B_API_URL without a token',
      env: { B2B_API_URL: 'https://api-b2b.bigcommerce.com', B2B_STORE_HASH: 'abc123' },
      lines: ['B2B_AUTH_TOKEN: is required with B2B_API_URL'],
    },
  ])('$problem: one line per problem', ({ env, lines }) => {
    const error = configError(env);
    expect(error.problems).toEqual(lines);
    expect(error.message).toBe(`Invalid configuration:\n${lines.map((line) => `  - ${line}`).join('\n')}`);
  });

  it.each<[string, string]>([
    ['B2B_API_URL', 'not a url'],
    ['B2B_API_URL', 'ftp://api-b2b.bigcommerce.com'],
    ['B2B_STORE_HASH', 'abc 123'],
    ['B2B_TIMEOUT_MS', 'ten seconds'],
    ['B2B_TIMEOUT_MS', '0'],
    ['B2B_TIMEOUT_MS', '-100'],
    ['B2B_TIMEOUT_MS', '1.5'],
    ['B2B_MAX_CONNECTIONS', 'x'],
    ['B2B_MAX_CONNECTIONS', '0'],
    ['B2B_MAX_CONNECTIONS', '-1'],
    ['B2B_MAX_CONNECTIONS', '1.5'],
    ['B2B_CHANNEL_ID', '0'],
    ['B2B_CHANNEL_ID', 'one'],
    ['PORT', '65536'],
    ['PORT', '-1'],
    ['PORT', 'http'],
  ])('%s=%j is one line naming the variable', (name, value) => {
    const error = configError({ ...REAL_STORE, [name]: value });
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatch(new RegExp(`^${name}: `));
  });

  it('a trusted key shorter than 16 characters is refused without printing it', () => {
    const error = configError({ GATEWAY_TRUSTED_KEYS: 'long-enough-key-0123456789,abc123' });
    expect(error.problems).toEqual(['GATEWAY_TRUSTED_KEYS: 1 key(s) shorter than 16 characters']);
    expect(everythingPrinted(error)).not.toContain('abc123');
    expect(everythingPrinted(error)).not.toContain('long-enough-key-0123456789');
  });

  it('several bad values: one line each', () => {
    const error = configError({ ...REAL_STORE, B2B_TIMEOUT_MS: 'x', PORT: '99999', B2B_CHANNEL_ID: '-2' });
    expect(error.problems.map((line) => line.split(':')[0]).sort()).toEqual(['B2B_CHANNEL_ID', 'B2B_TIMEOUT_MS', 'PORT']);
  });

  it('reports a missing store hash and token together with a bad number, not one after the other', () => {
    const error = configError({ B2B_API_URL: 'https://api-b2b.bigcommerce.com', B2B_TIMEOUT_MS: 'x' });
    expect(error.problems.map((line) => line.split(':')[0]).sort()).toEqual(['B2B_AUTH_TOKEN', 'B2B_STORE_HASH', 'B2B_TIMEOUT_MS']);
  });

  it('reads LOG_LEVEL in any case and the shutdown delay', () => {
    expect(loadConfig({ LOG_LEVEL: 'DEBUG', GATEWAY_SHUTDOWN_DELAY_MS: '0' })).toMatchObject({ logLevel: 'debug', shutdownDelayMs: 0 });
    expect(loadConfig({ LOG_LEVEL: 'warn', GATEWAY_SHUTDOWN_DELAY_MS: '1500' })).toMatchObject({ logLevel: 'warn', shutdownDelayMs: 1500 });
  });

  it('refuses an unknown LOG_LEVEL and a negative shutdown delay, one line each', () => {
    const error = configError({ LOG_LEVEL: 'verbose', GATEWAY_SHUTDOWN_DELAY_MS: '-1' });
    expect(error.problems.map((line) => line.split(':')[0]).sort()).toEqual(['GATEWAY_SHUTDOWN_DELAY_MS', 'LOG_LEVEL']);
    expect(error.problems.find((line) => line.startsWith('LOG_LEVEL'))).toBe('LOG_LEVEL: must be one of debug, info, warn, error');
  });

  it('reports a too-short trusted key together with a bad number', () => {
    const error = configError({ GATEWAY_TRUSTED_KEYS: 'abc123', PORT: 'http' });
    expect(error.problems.map((line) => line.split(':')[0]).sort()).toEqual(['GATEWAY_TRUSTED_KEYS', 'PORT']);
  });

  describe('never prints the B2B_AUTH_TOKEN value', () => {
    it.each<[string, Record<string, string>]>([
      ['with a bad URL, store hash, numbers and keys', { ...REAL_STORE, B2B_API_URL: 'nope', B2B_STORE_HASH: 'has space', B2B_TIMEOUT_MS: 'x', PORT: 'y', GATEWAY_TRUSTED_KEYS: 'short' }],
      ['without a store hash', { B2B_API_URL: REAL_STORE.B2B_API_URL, B2B_AUTH_TOKEN: AUTH_TOKEN }],
      ['in production with the token but no URL', { NODE_ENV: 'production', B2B_AUTH_TOKEN: AUTH_TOKEN, B2B_STORE_HASH: 'abc123' }],
      ['pasted into B2B_API_URL by mistake', { ...REAL_STORE, B2B_API_URL: AUTH_TOKEN }],
      ['pasted into B2B_STORE_HASH by mistake', { ...REAL_STORE, B2B_STORE_HASH: `${AUTH_TOKEN} ` + AUTH_TOKEN }],
      ['pasted into B2B_TIMEOUT_MS by mistake', { ...REAL_STORE, B2B_TIMEOUT_MS: AUTH_TOKEN }],
      ['pasted into PORT by mistake', { ...REAL_STORE, PORT: AUTH_TOKEN }],
    ])('%s', (_case, env) => {
      const error = configError(env);
      expect(error.problems.length).toBeGreaterThan(0);
      expect(everythingPrinted(error)).not.toContain(AUTH_TOKEN);
      expect(everythingPrinted(error)).not.toContain('Sup3rSecret');
    });
  });
});

describe('loadConfig: the credential limits, Redis and proxies', () => {
  it('reads every variable, 0 turning a budget or the floor off', () => {
    const config = loadConfig({
      GATEWAY_REDIS_URL: 'rediss://gateway:s3cret-Passw0rd@redis.internal:6380/2',
      GATEWAY_TRUST_PROXY: '2',
      GATEWAY_RATE_LIMIT_ACCOUNT_PER_MINUTE: '3',
      GATEWAY_RATE_LIMIT_ACCOUNT_PER_HOUR: '0',
      GATEWAY_RATE_LIMIT_ADDRESS_PER_MINUTE: '50',
      GATEWAY_RATE_LIMIT_ADDRESS_PER_HOUR: '500',
      GATEWAY_MIN_FAILED_LOGIN_MS: '0',
    });

    expect({ redisUrl: config.redisUrl, trustedProxyHops: config.trustedProxyHops, credentialLimits: config.credentialLimits }).toEqual({
      redisUrl: 'rediss://gateway:s3cret-Passw0rd@redis.internal:6380/2',
      trustedProxyHops: 2,
      credentialLimits: { accountPerMinute: 3, accountPerHour: 0, addressPerMinute: 50, addressPerHour: 500, minFailedAnswerMs: 0 },
    });
  });

  it.each([
    ['true', 1],
    ['false', 0],
    ['0', 0],
    ['1', 1],
    ['', 0],
  ])('GATEWAY_TRUST_PROXY=%j trusts %i proxies', (value, hops) => {
    expect(loadConfig({ GATEWAY_TRUST_PROXY: value }).trustedProxyHops).toBe(hops);
  });

  it('names each bad variable in one line, and never prints the Redis URL (it may hold a password)', () => {
    const env = {
      GATEWAY_REDIS_URL: 'http://user:s3cret-Passw0rd@redis.internal',
      GATEWAY_TRUST_PROXY: 'yes',
      GATEWAY_RATE_LIMIT_ACCOUNT_PER_MINUTE: '-1',
      GATEWAY_RATE_LIMIT_ADDRESS_PER_HOUR: 'many',
      GATEWAY_MIN_FAILED_LOGIN_MS: '1.5',
    };

    const lines = configError(env).problems;

    expect(lines.map((line) => line.split(':')[0]).sort()).toEqual([
      'GATEWAY_MIN_FAILED_LOGIN_MS',
      'GATEWAY_RATE_LIMIT_ACCOUNT_PER_MINUTE',
      'GATEWAY_RATE_LIMIT_ADDRESS_PER_HOUR',
      'GATEWAY_REDIS_URL',
      'GATEWAY_TRUST_PROXY',
    ]);
    expect(lines).toContain('GATEWAY_REDIS_URL: must be a redis:// or rediss:// URL');
    expect(lines).toContain('GATEWAY_TRUST_PROXY: must be true, false or a number of proxies');
    expect(lines.join('\n')).not.toContain('s3cret');
  });
});
