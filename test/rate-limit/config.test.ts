import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/environment.js';

/** The problems `loadConfig` reports for `env`. */
function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('rate-limit configuration', () => {
  it('defaults to 5 a minute and 20 an hour per account, 20 and 200 per address, 400 ms floor, memory, no proxy', () => {
    const config = loadConfig({});

    expect({ redisUrl: config.redisUrl, trustedProxyHops: config.trustedProxyHops, credentialLimits: config.credentialLimits }).toEqual({
      redisUrl: undefined,
      trustedProxyHops: 0,
      credentialLimits: { accountPerMinute: 5, accountPerHour: 20, addressPerMinute: 20, addressPerHour: 200, minFailedAnswerMs: 400 },
    });
  });

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

    const lines = problems(env);

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
