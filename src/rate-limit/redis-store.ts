import { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import type { RateLimitStore } from './store.js';

/** Options of {@link createRedisStore}. */
export interface RedisStoreOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://…` (TLS). A secret: never logged. */
  url: string;
  logger: Logger;
  /** Where counting goes while Redis cannot be reached. */
  fallback: RateLimitStore;
  /** Longest wait for one Redis answer before the fallback counts instead. @default 500 */
  commandTimeoutMs?: number;
  /** Longest wait for the first connection at start-up. @default 2000 */
  connectTimeoutMs?: number;
}

// INCR, open the window on the first hit and read what is left of it, in one atomic step: no
// other gateway can slip in between the count and the expiry. A counter found without an expiry
// (a hand-made key) gets one, so none lives forever.
const HIT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return { count, ttl }
`;

// Takes one back only inside a live window (a plain DECR on an expired key would create a
// counter with no expiry), and deletes a counter that reaches zero.
const UNDO_SCRIPT = `
local count = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
if count > 1 then return redis.call('DECR', KEYS[1]) end
if count == 1 then redis.call('DEL', KEYS[1]) end
return 0
`;

interface ScriptedRedis extends Redis {
  rateLimitHit(key: string, windowMs: number): Promise<[number, number]>;
  rateLimitUndo(key: string): Promise<number>;
}

/**
 * Counters in Redis, shared by every gateway instance that names the same server.
 *
 * Redis trouble never fails a login: each call that Redis cannot answer (down, unreachable,
 * slower than `commandTimeoutMs`) is counted by `fallback` (this instance's memory) instead, so
 * the limits still hold per instance, and a warning is logged once per outage. Commands are
 * never queued while disconnected; they fall back at once.
 */
export async function createRedisStore(options: RedisStoreOptions): Promise<RateLimitStore> {
  const { logger, fallback } = options;
  const redis = new Redis(options.url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    enableAutoPipelining: true,
    maxRetriesPerRequest: 1,
    commandTimeout: options.commandTimeoutMs ?? 500,
    connectTimeout: options.connectTimeoutMs ?? 2000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 5000),
  }) as ScriptedRedis;
  redis.defineCommand('rateLimitHit', { numberOfKeys: 1, lua: HIT_SCRIPT });
  redis.defineCommand('rateLimitUndo', { numberOfKeys: 1, lua: UNDO_SCRIPT });

  let healthy = true;
  let closing = false;
  const failed = (error: unknown) => {
    if (!healthy || closing) return;
    healthy = false;
    logger.warn('rate-limit store: Redis unavailable, counting in this instance\'s memory until it is back', {
      reason: error instanceof Error ? error.message : String(error),
    });
  };
  const succeeded = () => {
    if (healthy) return;
    healthy = true;
    logger.info('rate-limit store: Redis is back, counters are shared again');
  };
  // Without a listener ioredis prints every reconnection failure to the console.
  redis.on('error', failed);
  // A failed first connection is not fatal: ioredis keeps reconnecting, and the fallback counts.
  await redis.connect().catch(failed);

  return {
    // One script call per key rather than one over all keys: a Redis behind a cluster proxy
    // refuses scripts whose keys live in different slots. Auto-pipelining still sends them in
    // one round trip. Should any fail, the fallback counts them all: never fewer than asked.
    async hit(counters) {
      try {
        const answers = await Promise.all(counters.map(({ key, windowMs }) => redis.rateLimitHit(key, windowMs)));
        succeeded();
        return answers.map(([count, resetInMs]) => ({ count, resetInMs }));
      } catch (error) {
        failed(error);
        return fallback.hit(counters);
      }
    },
    async undo(keys) {
      try {
        await Promise.all(keys.map((key) => redis.rateLimitUndo(key)));
        succeeded();
      } catch (error) {
        failed(error);
        await fallback.undo(keys);
      }
    },
    async close() {
      closing = true;
      if (redis.status === 'ready') await redis.quit().catch(() => undefined);
      redis.disconnect();
      await fallback.close();
    },
  };
}
