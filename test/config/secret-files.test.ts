import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, secretsOf } from '../../src/config/environment.js';
import { configProblems, tempFolder } from '../support/config.js';

const API = { B2B_API_URL: 'https://api-b2b.bigcommerce.com', B2B_STORE_HASH: 'abc123' };
const TOKEN = 'tok-Sup3rSecret-FromFile-0123456789';
const KEY_ONE = 'key-one-Sup3rSecret-0123456789';
const KEY_TWO = 'key-two-Sup3rSecret-0123456789';
const REDIS_URL = 'redis://gateway:Sup3rSecret-p%40ss@redis.internal:6379/2';

const { folder, file } = tempFolder('gateway-secrets-');
const problemsOf = (env: Record<string, string | undefined>) => configProblems(env, 'Sup3rSecret');

describe('*_FILE variables', () => {
  it('B2B_AUTH_TOKEN_FILE: the token is read from the file, without its trailing newline', () => {
    const config = loadConfig({ ...API, B2B_AUTH_TOKEN_FILE: file(`${TOKEN}\n`) });
    expect(config.store).toEqual({ storeHash: 'abc123', authToken: TOKEN, defaultChannelId: 1 });
  });

  it('GATEWAY_TRUSTED_KEYS_FILE: comma-separated or one key per line', () => {
    expect(loadConfig({ GATEWAY_TRUSTED_KEYS_FILE: file(`${KEY_ONE}\r\n${KEY_TWO}\n`) }).trustedKeys).toEqual([KEY_ONE, KEY_TWO]);
    expect(loadConfig({ GATEWAY_TRUSTED_KEYS_FILE: file(`${KEY_ONE},${KEY_TWO}`) }).trustedKeys).toEqual([KEY_ONE, KEY_TWO]);
  });

  it('GATEWAY_REDIS_URL_FILE: the URL is read from the file and its password joins the secrets the logger hides', () => {
    const config = loadConfig({ GATEWAY_REDIS_URL_FILE: file(`${REDIS_URL}\n\n`) });
    expect(config.redisUrl).toBe(REDIS_URL);
    expect(secretsOf(config)).toEqual(['Sup3rSecret-p%40ss', 'Sup3rSecret-p@ss']);
  });

  it('a variable set both ways is refused, naming both, printing neither', () => {
    expect(problemsOf({ ...API, B2B_AUTH_TOKEN: TOKEN, B2B_AUTH_TOKEN_FILE: file(TOKEN) })).toEqual(['B2B_AUTH_TOKEN, B2B_AUTH_TOKEN_FILE: both are set; set only one']);
    expect(problemsOf({ GATEWAY_TRUSTED_KEYS: KEY_ONE, GATEWAY_TRUSTED_KEYS_FILE: file(KEY_TWO) })).toEqual([
      'GATEWAY_TRUSTED_KEYS, GATEWAY_TRUSTED_KEYS_FILE: both are set; set only one',
    ]);
    expect(problemsOf({ GATEWAY_REDIS_URL: REDIS_URL, GATEWAY_REDIS_URL_FILE: file(REDIS_URL) })).toEqual(['GATEWAY_REDIS_URL, GATEWAY_REDIS_URL_FILE: both are set; set only one']);
  });

  it('a missing file is one line naming the variable and the path (not "B2B_AUTH_TOKEN is required" too)', () => {
    const missing = join(folder, 'no-such-token');
    expect(problemsOf({ ...API, B2B_AUTH_TOKEN_FILE: missing })).toEqual([`B2B_AUTH_TOKEN_FILE: ${missing} does not exist`]);
  });

  it.each<[string, () => string, string]>([
    ['an empty file', () => file('\n'), 'is empty'],
    ['a folder', () => folder, 'is not a regular file'],
  ])('%s is refused by path', (_case, path, reason) => {
    const where = path();
    expect(problemsOf({ ...API, B2B_AUTH_TOKEN_FILE: where })).toEqual([`B2B_AUTH_TOKEN_FILE: ${where} ${reason}`]);
  });

  it('a bad value read from a file says which file, never the content', () => {
    const path = file('http://Sup3rSecret@not-redis\n');
    expect(problemsOf({ GATEWAY_REDIS_URL_FILE: path })).toEqual([`GATEWAY_REDIS_URL (read from GATEWAY_REDIS_URL_FILE ${path}): must be a redis:// or rediss:// URL`]);
  });

  it('a short trusted key from a file is counted, not printed', () => {
    expect(problemsOf({ GATEWAY_TRUSTED_KEYS_FILE: file(`${KEY_ONE}\nSup3rSecret\n`) })).toEqual(['GATEWAY_TRUSTED_KEYS: 1 key(s) shorter than 16 characters']);
  });
});

describe('secretsOf', () => {
  it('lists every store token and every trusted key', () => {
    const config = loadConfig({
      B2B_API_URL: 'https://api-b2b.bigcommerce.com',
      B2B_STORE_HASH: 'single',
      B2B_AUTH_TOKEN: TOKEN,
      GATEWAY_STORES: JSON.stringify({ storeA: { authToken: 'tok-A-0123456789' }, storeB: { authTokenFile: file('tok-B-0123456789\n') } }),
      GATEWAY_TRUSTED_KEYS: `${KEY_ONE},${KEY_TWO}`,
    });
    expect(secretsOf(config)).toEqual([TOKEN, 'tok-A-0123456789', 'tok-B-0123456789', KEY_ONE, KEY_TWO]);
  });
});
