import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/observability/logger.js';
import { createMemoryStore } from '../../src/rate-limit/memory-store.js';
import { createRedisStore } from '../../src/rate-limit/redis-store.js';
import { SANDBOX_USERS } from '../../src/sandbox/index.js';
import { firstError, type GraphQLReply, type Harness, LOGIN, startHarness } from '../harness.js';
import type { RateLimitStore } from '../../src/rate-limit/store.js';
import { budget, storeContract } from './store-contract.js';

// A real redis-server, as production runs one. CI installs it (`.ci/run`); a machine without
// it skips these tests with a note, except under CI=true, where a missing server is a failure.
// `REDIS_SERVER=/path/to/redis-server` picks another binary.
const REDIS_SERVER = (process.env['REDIS_SERVER'] ? [process.env['REDIS_SERVER']] : ['/usr/bin/redis-server', '/usr/local/bin/redis-server']).find(
  (path) => spawnSync(path, ['--version'], { stdio: 'ignore' }).status === 0,
);
const IN_CI = process.env['CI'] === 'true';
if (REDIS_SERVER === undefined && !IN_CI) {
  console.warn('test/rate-limit/redis-store.test.ts: skipped, redis-server is not installed (apt-get install redis-server)');
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
async function startRedisServer(path: string, port?: number, extraArgs: string[] = []): Promise<{ url: string; process: ChildProcess }> {
  port ??= await freePort();
  const child = spawn(path, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...extraArgs], {
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
  const warningsIn = (lines: string[]) =>
    lines.map((line) => JSON.parse(line) as { level: string; msg: string }).filter((entry) => entry.level === 'warn').map((entry) => entry.msg);
  const FALLBACK_WARNING = "rate-limit store: Redis unavailable, counting in this instance's memory until it is back";

  describe('redis store', () => {
    const opened: RateLimitStore[] = [];
    const open = async (url = server.url, logger = quietLogger().logger, fallback: RateLimitStore = createMemoryStore()) => {
      const store = await createRedisStore({ url, logger, fallback });
      opened.push(store);
      return store;
    };
    afterAll(async () => {
      await Promise.all(opened.map((store) => store.close()));
    });

    describe('the store contract', () => {
      storeContract(() => createRedisStore({ url: server.url, logger: quietLogger().logger, fallback: createMemoryStore() }));
    });

    it('gives out no more than `limit` slots when two instances race: 100 acquisitions at once, 10 taken', async () => {
      const stores = [await open(), await open()];

      const answers = await Promise.all(Array.from({ length: 100 }, (_, i) => stores[i % 2]!.acquire(`a${i}`, [budget('k', 10)], 60_000)));

      expect(answers.filter((answer) => answer.outcome === 'taken')).toHaveLength(10);
      expect(answers.filter((answer) => answer.outcome === 'busy')).toHaveLength(90);
      expect(await redis.zcard('{k}:in-flight')).toBe(10);
    });

    it('counts refusals atomically, in a window that opens at the first one', async () => {
      const stores = [await open(), await open()];

      await Promise.all(Array.from({ length: 100 }, (_, i) => stores[i % 2]!.release(`a${i}`, [budget('k', 200, 5000)], true)));

      expect(await redis.get('{k}:refusals')).toBe('100');
      expect(await redis.pttl('{k}:refusals')).toBeGreaterThan(4000);
    });

    it('keeps a slot set only as long as its longest-lived slot, and drops empty ones', async () => {
      const store = await open();
      await store.acquire('short', [budget('k', 5)], 2000);
      await store.acquire('long', [budget('k', 5)], 8000);
      await store.acquire('shorter', [budget('k', 5)], 1000);

      expect(await redis.pttl('{k}:in-flight')).toBeGreaterThan(7000);
      await Promise.all(['short', 'long', 'shorter'].map((id) => store.release(id, [budget('k', 5)], false)));
      expect(await redis.exists('{k}:in-flight', '{k}:refusals')).toBe(0);
    });

    it("frees the slot of an attempt that never finished after its time to live, by the Redis server's clock", async () => {
      const store = await open();
      await store.acquire('dead', [budget('k', 1)], 200);

      expect(await store.acquire('waiting', [budget('k', 1)], 200)).toEqual({ outcome: 'busy', busy: [0] });
      await sleep(250);
      expect(await store.acquire('waiting', [budget('k', 1)], 200)).toEqual({ outcome: 'taken' });
    });

    it('never leaves a refusal counter without an expiry', async () => {
      const store = await open();
      await redis.set('{no-expiry}:refusals', '7');

      expect(await store.acquire('a', [budget('no-expiry', 5, 5000)], 1000)).toEqual({ outcome: 'spent', spent: [{ index: 0, resetInMs: 5000 }] });
      expect(await redis.pttl('{no-expiry}:refusals')).toBeGreaterThan(4000);
    });

    it('falls back to memory, with one warning, while Redis cannot be reached', async () => {
      const { lines, logger } = quietLogger();
      const store = await open(`redis://127.0.0.1:${await freePort()}`, logger);
      const k = budget('k', 2);

      const answers = [await store.acquire('a', [k], 60_000), await store.acquire('b', [k], 60_000), await store.acquire('c', [k], 60_000)];
      await store.release('a', [k], true);

      expect(answers.map((answer) => answer.outcome)).toEqual(['taken', 'taken', 'busy']);
      expect((await store.acquire('d', [k], 60_000)).outcome).toBe('busy');
      await store.release('b', [k], false);
      expect((await store.acquire('d', [k], 60_000)).outcome).toBe('taken');
      expect(warningsIn(lines)).toEqual([FALLBACK_WARNING]);
    });

    it('goes back to Redis when it is back, says so, and releases in memory what memory holds', async () => {
      const { lines, logger } = quietLogger();
      const own = await startRedisServer(REDIS_SERVER as string);
      const fallback = createMemoryStore();
      const store = await open(own.url, logger, fallback);
      const port = Number(new URL(own.url).port);
      const k = budget('k', 1);

      try {
        expect(await store.acquire('before', [k], 60_000)).toEqual({ outcome: 'taken' });
        await stopRedisServer(own.process);
        expect(await store.acquire('during', [k], 60_000)).toEqual({ outcome: 'taken' });
        Object.assign(own, await startRedisServer(REDIS_SERVER as string, port));
        const raw = new Redis(own.url);
        try {
          // The store reconnects on its own schedule: ask until an acquisition lands in the new server.
          await expect
            .poll(async () => (await store.acquire(`probe-${Math.random()}`, [budget('probe', 1000)], 60_000), raw.exists('{probe}:in-flight')), {
              timeout: 10_000,
              interval: 100,
            })
            .toBe(1);
          await store.release('during', [k], true);
          expect((await fallback.acquire('check', [k], 60_000)).outcome).toBe('spent');
          expect(await raw.exists('{k}:refusals')).toBe(0);
        } finally {
          await raw.quit();
        }
      } finally {
        await stopRedisServer(own.process);
      }
      const messages = lines.map((line) => JSON.parse(line) as { level: string; msg: string }).map((entry) => `${entry.level}: ${entry.msg}`);
      expect(messages).toEqual([`warn: ${FALLBACK_WARNING}`, 'info: rate-limit store: Redis is back, counters are shared again']);
    });

    it('runs on a Redis Cluster node: the two keys of a budget share one hash slot, so no script is refused', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'redis-cluster-'));
      const node = await startRedisServer(REDIS_SERVER as string, undefined, ['--cluster-enabled', 'yes', '--cluster-config-file', join(dir, 'nodes.conf')]);
      const raw = new Redis(node.url);
      try {
        await raw.call('CLUSTER', 'ADDSLOTSRANGE', '0', '16383');
        await expect.poll(async () => String(await raw.call('CLUSTER', 'INFO')).includes('cluster_state:ok'), { timeout: 10_000 }).toBe(true);
        const { lines, logger } = quietLogger();
        const store = await open(node.url, logger);
        const budgets = [budget('b2b-gateway:rate-limit:account:60000:aa', 1), budget('b2b-gateway:rate-limit:address:60000:bb', 5)];

        expect(await store.acquire('a', budgets, 60_000)).toEqual({ outcome: 'taken' });
        await store.release('a', budgets, true);
        expect(await store.acquire('b', budgets, 60_000)).toEqual({ outcome: 'spent', spent: [{ index: 0, resetInMs: expect.any(Number) }] });

        expect(warningsIn(lines)).toEqual([]);
        expect((await raw.keys('*')).sort()).toEqual([
          '{b2b-gateway:rate-limit:account:60000:aa}:refusals',
          '{b2b-gateway:rate-limit:address:60000:bb}:refusals',
        ]);
      } finally {
        await raw.quit();
        await stopRedisServer(node.process);
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('two gateway instances sharing one Redis (limits on: 5 and 20 per account, 20 and 200 per address, 400 ms floor)', () => {
    const { buyer } = SANDBOX_USERS;
    const WRONG = 'wrong-Passw0rd!';
    let instances: Harness[] = [];
    beforeAll(async () => {
      const env = { GATEWAY_REDIS_URL: server.url, GATEWAY_RATE_LIMIT_ACCOUNT_PER_MINUTE: '5', GATEWAY_RATE_LIMIT_ACCOUNT_PER_HOUR: '20', GATEWAY_RATE_LIMIT_ADDRESS_PER_MINUTE: '20', GATEWAY_RATE_LIMIT_ADDRESS_PER_HOUR: '200', GATEWAY_MIN_FAILED_LOGIN_MS: '400' };
      instances = await Promise.all([startHarness({ env, sandbox: { buyers: 50 } }), startHarness({ env, sandbox: { buyers: 50 } })]);
    });
    afterAll(async () => {
      await Promise.all(instances.map((instance) => instance.close()));
    });
    beforeEach(() => {
      for (const instance of instances) instance.sandbox.clearRequests();
    });

    const login = (i: number, email: string, password: string) => instances[i % 2]!.graphql(LOGIN, { input: { email, password } });
    const codeOf = (reply: GraphQLReply) => firstError(reply)?.code ?? 'OK';
    const upstreamCalls = () => instances.reduce((sum, instance) => sum + instance.sandbox.requests.length, 0);

    it('share one account budget: attempts alternate between instances and the 6th is refused by either', async () => {
      const codes = [];
      for (let i = 0; i < 7; i += 1) codes.push(codeOf(await login(i, buyer.email, WRONG)));

      expect(codes).toEqual([...Array(5).fill('UNAUTHENTICATED'), 'RATE_LIMITED', 'RATE_LIMITED']);
      expect(instances.map((instance) => instance.sandbox.requests.length)).toEqual([3, 2]);
    });

    it('let no more than 5 of 30 wrong guesses at one account reach BigCommerce, 10 at a time over both instances', async () => {
      const codes: unknown[] = [];
      for (let round = 0; round < 3; round += 1) {
        const replies = await Promise.all(Array.from({ length: 10 }, (_, i) => login(i, buyer.email, WRONG)));
        codes.push(...replies.map(codeOf));
      }

      expect(upstreamCalls()).toBeLessThanOrEqual(5);
      expect(codes.filter((code) => code === 'UNAUTHENTICATED')).toHaveLength(upstreamCalls());
      expect(codes.filter((code) => code !== 'UNAUTHENTICATED' && code !== 'RATE_LIMITED')).toEqual([]);
    });

    it('let no more than 20 of 40 wrong guesses over 40 accounts from one address reach BigCommerce', async () => {
      const replies = await Promise.all(Array.from({ length: 40 }, (_, i) => login(i, `guess-${i}@example.com`, WRONG)));

      expect(upstreamCalls()).toBeLessThanOrEqual(20);
      expect(replies.map(codeOf).filter((code) => code === 'UNAUTHENTICATED')).toHaveLength(upstreamCalls());
      expect(replies.map(codeOf).filter((code) => code !== 'UNAUTHENTICATED' && code !== 'RATE_LIMITED')).toEqual([]);
    });

    it('sign 50 different buyers in at once from one address over both instances, every one', async () => {
      const replies = await Promise.all(Array.from({ length: 50 }, (_, i) => login(i, `buyer-${i + 1}@example.com`, 'Passw0rd!')));

      expect(replies.map(codeOf)).toEqual(Array(50).fill('OK'));
    });

    it('keep no email or address in Redis in plain text', async () => {
      await login(0, buyer.email, WRONG);

      const keys = (await redis.keys('*')).sort();
      expect(keys).toHaveLength(4);
      for (const [i, scope, windowMs] of [[0, 'account', 3_600_000], [1, 'account', 60_000], [2, 'address', 3_600_000], [3, 'address', 60_000]] as const) {
        expect(keys[i]).toMatch(new RegExp(`^\\{b2b-gateway:rate-limit:${scope}:${windowMs}:[0-9a-f]{64}\\}:refusals$`));
      }
    });

    it('close their Redis connections when closed', async () => {
      const clients = async () => String(await redis.client('LIST')).trim().split('\n').length;
      expect(await clients()).toBe(3);

      await Promise.all(instances.map((instance) => instance.close()));
      instances = [];

      expect(await clients()).toBe(1);
    });
  });

  describe('a gateway whose Redis is killed', () => {
    it('keeps signing buyers in, counting in its own memory, with one warning', async () => {
      const own = await startRedisServer(REDIS_SERVER as string);
      const gateway = await startHarness({ env: { GATEWAY_REDIS_URL: own.url, GATEWAY_RATE_LIMIT_ACCOUNT_PER_MINUTE: '5', GATEWAY_RATE_LIMIT_ADDRESS_PER_MINUTE: '20' }, sandbox: { buyers: 30 } });
      try {
        const signIn = (n: number) => gateway.graphql(LOGIN, { input: { email: `buyer-${n}@example.com`, password: 'Passw0rd!' } });
        expect(firstError(await signIn(1))).toBeUndefined();

        await stopRedisServer(own.process);
        const replies = await Promise.all(Array.from({ length: 30 }, (_, i) => signIn(i + 1)));
        const wrong = [];
        for (let i = 0; i < 6; i += 1) wrong.push(firstError(await gateway.graphql(LOGIN, { input: { email: 'buyer-1@example.com', password: 'wrong' } }))?.code);

        expect(replies.map((reply) => firstError(reply)?.code ?? 'OK')).toEqual(Array(30).fill('OK'));
        expect(wrong).toEqual([...Array(5).fill('UNAUTHENTICATED'), 'RATE_LIMITED']);
        const warnings = gateway.logs.map((line) => JSON.parse(line) as { level: string; msg: string }).filter((entry) => entry.msg === FALLBACK_WARNING);
        expect(warnings).toHaveLength(1);
      } finally {
        await gateway.close();
        await stopRedisServer(own.process);
      }
    });
  });
});
