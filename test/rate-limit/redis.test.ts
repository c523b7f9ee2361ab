import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { createMemoryStore } from '../../src/rate-limit/memory-store.js';
import { createRedisStore } from '../../src/rate-limit/redis-store.js';
import { SANDBOX_USERS } from '../../src/sandbox/index.js';
import { firstError, type Harness, LOGIN, startHarness } from '../harness.js';
import { hitOne } from '../support/store.js';

// A real redis-server, as production runs one. CI installs it (`.ci/run`); a machine without
// it skips these tests with a note, except under CI=true, where a missing server is a failure.
// `REDIS_SERVER=/path/to/redis-server` picks another binary.
const REDIS_SERVER = (process.env['REDIS_SERVER'] ? [process.env['REDIS_SERVER']] : ['/usr/bin/redis-server', '/usr/local/bin/redis-server']).find(
  (path) => spawnSync(path, ['--version'], { stdio: 'ignore' }).status === 0,
);
const IN_CI = process.env['CI'] === 'true';
if (REDIS_SERVER === undefined && !IN_CI) {
  console.warn('test/rate-limit/redis.test.ts: skipped, redis-server is not installed (apt-get install redis-server)');
}

it.runIf(IN_CI)('redis-server is installed (CI runs the Redis tests, never skips them)', () => {
  expect(REDIS_SERVER).toBeDefined();
});

/** A port nobody listens on right now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

/** Starts redis-server without persistence on a free port and resolves once it accepts connections. */
async function startRedisServer(path: string, port?: number): Promise<{ url: string; process: ChildProcess }> {
  port ??= await freePort();
  const child = spawn(path, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${output}`)), 10_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${code}:\n${output}`));
    });
  });
  return { url: `redis://127.0.0.1:${port}`, process: child };
}

async function stopRedisServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill();
  await exited;
}

describe.skipIf(REDIS_SERVER === undefined)('with GATEWAY_REDIS_URL (a real redis-server)', () => {
  let server: { url: string; process: ChildProcess };
  let redis: Redis;
  beforeAll(async () => {
    server = await startRedisServer(REDIS_SERVER as string);
    redis = new Redis(server.url);
  });
  afterAll(async () => {
    await redis?.quit();
    if (server) await stopRedisServer(server.process);
  });
  beforeEach(async () => {
    await redis.flushall();
  });

  const quietLogger = () => {
    const lines: string[] = [];
    return { lines, logger: createLogger({ level: 'debug', write: (line) => lines.push(line) }) };
  };

  describe('redis store', () => {
    it('counts atomically: 100 hits from two clients at once get the counts 1 to 100, each once', async () => {
      const stores = await Promise.all([1, 2].map(() => createRedisStore({ url: server.url, logger: quietLogger().logger, fallback: createMemoryStore() })));

      const counts = await Promise.all(Array.from({ length: 100 }, (_, i) => hitOne(stores[i % 2]!, 'k', 60_000)));

      expect(counts.map((c) => c.count).sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
      for (const c of counts) expect(c.resetInMs).toBeGreaterThan(59_000);
      expect(await redis.pttl('k')).toBeGreaterThan(59_000);
      await Promise.all(stores.map((store) => store.close()));
    });

    it('counts a list of counters in one call, answering in their order, and takes them back as one', async () => {
      const store = await createRedisStore({ url: server.url, logger: quietLogger().logger, fallback: createMemoryStore() });
      await redis.set('second', '4');

      const counts = await store.hit([{ key: 'first', windowMs: 5000 }, { key: 'second', windowMs: 60_000 }]);

      expect(counts.map((c) => c.count)).toEqual([1, 5]);
      expect(await redis.pttl('second')).toBeGreaterThan(59_000);
      await store.undo(['first', 'second']);
      expect([await redis.exists('first'), await redis.get('second')]).toEqual([0, '4']);
      await store.close();
    });

    it('opens the window on the first hit and never leaves a counter without an expiry', async () => {
      const store = await createRedisStore({ url: server.url, logger: quietLogger().logger, fallback: createMemoryStore() });
      await redis.set('no-expiry', '7');

      expect(await hitOne(store, 'no-expiry', 5000)).toEqual({ count: 8, resetInMs: 5000 });
      expect(await redis.pttl('no-expiry')).toBeGreaterThan(4000);

      await store.undo(['never-hit']);
      expect(await redis.exists('never-hit')).toBe(0);

      await hitOne(store, 'k', 5000);
      await hitOne(store, 'k', 5000);
      await store.undo(['k']);
      expect(await redis.get('k')).toBe('1');
      expect(await redis.pttl('k')).toBeGreaterThan(4000);
      await store.undo(['k']);
      expect(await redis.exists('k')).toBe(0);
      await store.close();
    });

    it('falls back to memory, with one warning, while Redis cannot be reached', async () => {
      const { lines, logger } = quietLogger();
      const store = await createRedisStore({ url: `redis://127.0.0.1:${await freePort()}`, logger, fallback: createMemoryStore() });

      const counts = [await hitOne(store, 'k', 60_000), await hitOne(store, 'k', 60_000), await hitOne(store, 'k', 60_000)];
      await store.undo(['k']);

      expect(counts.map((c) => c.count)).toEqual([1, 2, 3]);
      expect(await hitOne(store, 'k', 60_000)).toMatchObject({ count: 3 });
      const warnings = lines.map((line) => JSON.parse(line) as { level: string; msg: string }).filter((entry) => entry.level === 'warn');
      expect(warnings.map((entry) => entry.msg)).toEqual(["rate-limit store: Redis unavailable, counting in this instance's memory until it is back"]);
      await store.close();
    });

    it('goes back to Redis when it is back, and says so', async () => {
      const { lines, logger } = quietLogger();
      const own = await startRedisServer(REDIS_SERVER as string);
      const store = await createRedisStore({ url: own.url, logger, fallback: createMemoryStore() });
      const port = Number(new URL(own.url).port);

      try {
        expect(await hitOne(store, 'k', 60_000)).toMatchObject({ count: 1 });
        await stopRedisServer(own.process);
        expect(await hitOne(store, 'k', 60_000)).toMatchObject({ count: 1 });
        Object.assign(own, await startRedisServer(REDIS_SERVER as string, port));
        const raw = new Redis(own.url);
        try {
          // The store reconnects on its own schedule: hit until a hit lands in the new server.
          await expect.poll(async () => (await hitOne(store, 'probe', 60_000), raw.exists('probe')), { timeout: 10_000, interval: 100 }).toBe(1);
          await hitOne(store, 'k', 60_000);
          expect(await raw.get('k')).toBe('1');
        } finally {
          await raw.quit();
        }
      } finally {
        await store.close();
        await stopRedisServer(own.process);
      }
      const messages = lines.map((line) => (JSON.parse(line) as { level: string; msg: string })).map((entry) => `${entry.level}: ${entry.msg}`);
      expect(messages).toEqual([
        "warn: rate-limit store: Redis unavailable, counting in this instance's memory until it is back",
        'info: rate-limit store: Redis is back, counters are shared again',
      ]);
    });
  });

  describe('two gateway instances sharing one Redis', () => {
    const { buyer } = SANDBOX_USERS;
    let instances: Harness[] = [];
    beforeAll(async () => {
      const env = {
        GATEWAY_REDIS_URL: server.url,
        GATEWAY_RATE_LIMIT_ACCOUNT_PER_MINUTE: '5',
        GATEWAY_RATE_LIMIT_ACCOUNT_PER_HOUR: '0',
        GATEWAY_RATE_LIMIT_ADDRESS_PER_MINUTE: '0',
        GATEWAY_RATE_LIMIT_ADDRESS_PER_HOUR: '0',
        GATEWAY_MIN_FAILED_LOGIN_MS: '0',
      };
      instances = await Promise.all([startHarness({ env }), startHarness({ env })]);
    });
    afterAll(async () => {
      await Promise.all(instances.map((instance) => instance.close()));
    });

    it('share one account budget: attempts alternate between instances and the 6th is refused by either', async () => {
      const codes = [];
      for (let i = 0; i < 7; i += 1) {
        const reply = await instances[i % 2]!.graphql(LOGIN, { input: { email: buyer.email, password: 'wrong-Passw0rd!' } });
        codes.push(firstError(reply)?.code);
      }

      expect(codes).toEqual([...Array(5).fill('UNAUTHENTICATED'), 'RATE_LIMITED', 'RATE_LIMITED']);
      expect(instances.map((instance) => instance.sandbox.requests.length)).toEqual([3, 2]);
    });

    it('keep no email or address in Redis in plain text', async () => {
      await instances[0]!.graphql(LOGIN, { input: { email: buyer.email, password: 'wrong-Passw0rd!' } });

      const keys = await redis.keys('*');
      expect(keys).toHaveLength(1);
      expect(keys[0]).toMatch(/^b2b-gateway:rate-limit:account:60000:[0-9a-f]{64}$/);
    });

    it('close their Redis connections when closed', async () => {
      const clients = async () => String(await redis.client('LIST')).trim().split('\n').length;
      expect(await clients()).toBe(3);

      await Promise.all(instances.map((instance) => instance.close()));
      instances = [];

      expect(await clients()).toBe(1);
    });
  });
});
