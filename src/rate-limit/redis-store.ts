import { Redis } from 'ioredis';
import type { Logger } from '../observability/logger.js';
import { type Acquisition, type Budget, type RateLimitStore, type SpentBudget, TAKEN } from './store.js';

/** Options of {@link createRedisStore}. */
export interface RedisStoreOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://…` (TLS). A secret: never logged. */
  url: string;
  logger: Logger;
  /** Where budgets are kept while Redis cannot be reached. */
  fallback: RateLimitStore;
  /** Longest wait for one Redis answer before the fallback answers instead. @default 500 */
  commandTimeoutMs?: number;
  /** Longest wait for the first connection at start-up. @default 2000 */
  connectTimeoutMs?: number;
}

// One budget, two keys: KEYS[1] the refusal counter (a string with the window as its expiry),
// KEYS[2] the slots in flight (a sorted set of attempt ids scored by when each slot expires).
// Time is the Redis server's, so replicas with drifting clocks agree on what has expired.
// Answers { 0 } taken, { 1 } busy, { 2, ms until the refusal window closes } spent.
// A counter found without an expiry (a hand-made key) gets one, so none lives forever.
const ACQUIRE_SCRIPT = `
if redis.replicate_commands then redis.replicate_commands() end
local limit = tonumber(ARGV[1])
local ttl = tonumber(ARGV[4])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local refusals = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
if refusals >= limit then
  local reset = redis.call('PTTL', KEYS[1])
  if reset < 0 then
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
    reset = tonumber(ARGV[2])
  end
  return { 2, reset }
end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
if refusals + redis.call('ZCARD', KEYS[2]) >= limit then return { 1 } end
redis.call('ZADD', KEYS[2], now + ttl, ARGV[3])
if redis.call('PTTL', KEYS[2]) < ttl then redis.call('PEXPIRE', KEYS[2], ttl) end
return { 0 }
`;

// Drops the attempt's slot (an empty sorted set disappears with it) and, for a refusal, counts
// it, opening the window on the first one.
const RELEASE_SCRIPT = `
redis.call('ZREM', KEYS[2], ARGV[1])
if ARGV[2] == '1' then
  local count = redis.call('INCR', KEYS[1])
  if count == 1 or redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
end
return 0
`;

interface ScriptedRedis extends Redis {
  rateLimitAcquire(refusals: string, slots: string, limit: number, windowMs: number, attemptId: string, slotTtlMs: number): Promise<[number, number?]>;
  rateLimitRelease(refusals: string, slots: string, attemptId: string, refused: '0' | '1', windowMs: number): Promise<number>;
}

/**
 * The two Redis keys of a budget. The budget's key in braces is a cluster hash tag: both land
 * in one slot, so one script may touch both.
 */
export const redisKeysOf = (key: string) => [`{${key}}:refusals`, `{${key}}:in-flight`] as const;

/**
 * Budgets in Redis, shared by every gateway instance that names the same server.
 *
 * Redis trouble never fails a login: an acquisition that Redis cannot answer (down,
 * unreachable, slower than `commandTimeoutMs`) is made in `fallback` (this instance's memory)
 * instead, and released there too, so the limits still hold per instance; a warning is logged
 * once per outage. Commands are never queued while disconnected; they fall back at once.
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
  redis.defineCommand('rateLimitAcquire', { numberOfKeys: 2, lua: ACQUIRE_SCRIPT });
  redis.defineCommand('rateLimitRelease', { numberOfKeys: 2, lua: RELEASE_SCRIPT });

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

  // Attempts whose slots the fallback holds: their release goes there too.
  const inFallback = new Set<string>();

  // One script call per budget rather than one over all: a Redis behind a cluster proxy refuses
  // scripts whose keys live in different slots. Auto-pipelining still sends them in one round trip.
  const acquireEach = (attemptId: string, budgets: readonly Budget[], slotTtlMs: number) =>
    Promise.allSettled(
      budgets.map(({ key, limit, windowMs }) => redis.rateLimitAcquire(...redisKeysOf(key), limit, windowMs, attemptId, slotTtlMs)),
    );
  const releaseEach = (attemptId: string, budgets: readonly Budget[], refused: boolean) =>
    Promise.all(budgets.map(({ key, windowMs }) => redis.rateLimitRelease(...redisKeysOf(key), attemptId, refused ? '1' : '0', windowMs)));
  // Gives back what a failed or partial acquisition took; a slot this cannot reach expires by itself.
  const giveBack = (attemptId: string, budgets: readonly Budget[]) => releaseEach(attemptId, budgets, false).catch(failed);

  return {
    async acquire(attemptId, budgets, slotTtlMs): Promise<Acquisition> {
      const answers = await acquireEach(attemptId, budgets, slotTtlMs);
      let failure: unknown;
      const taken: Budget[] = [];
      const spent: SpentBudget[] = [];
      const busy: number[] = [];
      answers.forEach((answer, index) => {
        if (answer.status === 'rejected') failure ??= answer.reason ?? 'rejected';
        else if (answer.value[0] === 0) taken.push(budgets[index] as Budget);
        else if (answer.value[0] === 2) spent.push({ index, resetInMs: answer.value[1] ?? 0 });
        else busy.push(index);
      });
      if (failure !== undefined) {
        failed(failure);
        if (taken.length > 0) void giveBack(attemptId, taken);
        const acquisition = await fallback.acquire(attemptId, budgets, slotTtlMs);
        if (acquisition.outcome === 'taken') inFallback.add(attemptId);
        return acquisition;
      }
      succeeded();
      if (taken.length === budgets.length) return TAKEN;
      await giveBack(attemptId, taken);
      return spent.length > 0 ? { outcome: 'spent', spent } : { outcome: 'busy', busy };
    },
    async release(attemptId, budgets, refused) {
      if (inFallback.delete(attemptId)) return fallback.release(attemptId, budgets, refused);
      try {
        await releaseEach(attemptId, budgets, refused);
        succeeded();
      } catch (error) {
        // The slots expire by themselves; a refusal is counted here rather than not at all.
        failed(error);
        if (refused) await fallback.release(attemptId, budgets, refused);
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
