// The field: two replicas of the built command (`npm run build`'s `cli.js`, NODE_ENV=production)
// behind a real HAProxy, sharing a real redis-server, in front of the sandbox. Clients reach the
// gateways only through HAProxy, each from a source address of its own (127.x.y.z), as buyers
// behind one NAT, a password guesser and a trusted server would. HAProxy and redis-server are
// Debian packages CI installs (`scripts/ci-system-deps.sh`); a machine without them skips this
// file with a note, except under CI=true, where a missing one is a failure.
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { build } from '../../scripts/build.js';
import { createSandbox, SANDBOX_USERS, type Sandbox } from '../../src/sandbox/index.js';
import { seededBuyer } from '../../src/sandbox/store.js';
import {
  type Answer,
  byReplica,
  type Child,
  type ClientOptions,
  findBinary,
  freePort,
  IN_CI,
  login,
  serverStates,
  startHaproxy,
  startRedisServer,
  startReplica,
  tail,
  tally,
  unusualRequests,
  untilServers,
  upstreamAttempts,
  watchServers,
} from './support.js';

const HAPROXY = findBinary('HAPROXY', ['/usr/sbin/haproxy', '/usr/local/sbin/haproxy'], '-v');
const REDIS_SERVER = findBinary('REDIS_SERVER', ['/usr/bin/redis-server', '/usr/local/bin/redis-server'], '--version');
const MISSING = [...(HAPROXY === undefined ? ['haproxy'] : []), ...(REDIS_SERVER === undefined ? ['redis-server'] : [])];
if (MISSING.length > 0 && !IN_CI) {
  console.warn(`test/field/field.test.ts: skipped, ${MISSING.join(' and ')} not installed (apt-get install haproxy redis-server)`);
}

it.runIf(IN_CI)('haproxy and redis-server are installed (CI runs the field, never skips it)', () => {
  expect(MISSING).toEqual([]);
});

const ROOT = new URL('../../', import.meta.url);
const TRUSTED_KEY = 'field-trusted-key-0123456789abcdef';
const BUYERS = 200;
const PASSWORD = SANDBOX_USERS.buyer.password;
const WRONG_PASSWORD = 'Not-the-Passw0rd!';
/**
 * The shutdown delay the replicas run with: HAProxy's `inter 500ms` × (`fall 2` + 1), plus a
 * margin for a health check that answers late on a busy machine.
 */
const SHUTDOWN_DELAY_MS = 2_500;
/** The gateway's default circuit cooldown: how long an open upstream circuit fails fast. */
const BREAKER_COOLDOWN_MS = 10_000;
const REPLICAS = ['a', 'b'] as const;
type ReplicaName = (typeof REPLICAS)[number];
const BOTH_UP = { a: 'UP', b: 'UP' };

const buyer = (n: number) => seededBuyer(n).email;
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
/** A client with a keep-alive pool of its own, from `localAddress`. */
const clientAt = (localAddress: string, headers: Record<string, string> = {}): ClientOptions & { agent: Agent } => ({
  localAddress,
  agent: new Agent({ keepAlive: true }),
  headers,
});

describe.skipIf(MISSING.length > 0)('the field: two replicas of the built command behind HAProxy, sharing redis-server', () => {
  const out = fileURLToPath(new URL(`test-artifacts/field-build-${process.pid}`, ROOT));
  const cli = join(out, 'command', 'src', 'cli.js');
  let folder: string;
  const children: Child[] = [];
  const agents: Agent[] = [];
  let sandbox: Sandbox;
  let sandboxPort: number;
  let redisServer: Child;
  let redis: Redis;
  let haproxy: Child;
  let proxyPort: number;
  let statsPort: number;
  const ports = {} as Record<ReplicaName, number>;
  const replicas = {} as Record<ReplicaName, Child>;
  let replicaEnv: Record<string, string>;

  const startSandbox = (port = 0) => createSandbox({ port, rateLimit: 100_000, buyers: BUYERS, authToken: 'field-sandbox-x-auth-token-0123456789ab' });
  const start = async (name: ReplicaName) => {
    const replica = await startReplica(name, cli, ports[name], replicaEnv);
    children.push(replica);
    replicas[name] = replica;
    return replica;
  };
  const client = (localAddress: string, headers: Record<string, string> = {}) => {
    const made = clientAt(localAddress, headers);
    agents.push(made.agent);
    return made;
  };
  /** What each replica's `/readiness` answers, asked directly (not through HAProxy). */
  const readiness = async () =>
    Object.fromEntries(
      await Promise.all(
        REPLICAS.map(async (name) => {
          const response = await fetch(`http://127.0.0.1:${ports[name]}/readiness`);
          return [name, { status: response.status, body: await response.json() }] as const;
        }),
      ),
    );

  beforeAll(async () => {
    build(out, { typeCheck: false });
    folder = mkdtempSync(join(tmpdir(), 'b2b-gateway-field-'));
    sandbox = await startSandbox();
    sandboxPort = Number(new URL(sandbox.url).port);
    [ports.a, ports.b, proxyPort, statsPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    const redisPort = await freePort();
    redisServer = await startRedisServer(REDIS_SERVER!, redisPort);
    children.push(redisServer);
    redis = new Redis(`redis://127.0.0.1:${redisPort}`, { maxRetriesPerRequest: 1 });
    // The test's own connection, for FLUSHALL between checks: once redis-server is killed, its
    // failed reconnections are expected.
    redis.on('error', () => {});
    replicaEnv = {
      NODE_ENV: 'production',
      B2B_API_URL: sandbox.url,
      B2B_STORE_HASH: sandbox.storeHash,
      B2B_AUTH_TOKEN: sandbox.authToken,
      GATEWAY_TRUST_PROXY: '1',
      GATEWAY_REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      GATEWAY_TRUSTED_KEYS: TRUSTED_KEY,
      GATEWAY_SHUTDOWN_DELAY_MS: String(SHUTDOWN_DELAY_MS),
      GATEWAY_BREAKER_COOLDOWN_MS: String(BREAKER_COOLDOWN_MS),
    };
    await Promise.all(REPLICAS.map(start));
    haproxy = await startHaproxy(HAPROXY!, { folder, port: proxyPort, statsPort, servers: ports });
    children.push(haproxy);
    await untilServers(statsPort, BOTH_UP);
  }, 180_000);

  afterAll(async () => {
    for (const agent of agents) agent.destroy();
    redis?.disconnect();
    await Promise.all(children.map((child) => child.stop('SIGKILL')));
    await sandbox?.close();
    rmSync(out, { recursive: true, force: true });
    if (folder) rmSync(folder, { recursive: true, force: true });
  }, 30_000);

  beforeEach(async () => {
    // Each check starts with no attempt counted and no upstream request recorded.
    if (redisServer.process.exitCode === null && redisServer.process.signalCode === null) await redis.flushall();
    sandbox.clearRequests();
  });

  /** The replicas' and HAProxy's last lines, for a failure message. */
  const outputs = () =>
    children
      .filter((child) => child.name !== 'redis-server')
      .map((child) => `--- ${child.name}\n${tail(child.output(), 6).replace(/^(.{300}).+$/gm, '$1…')}`)
      .join('\n');

  describe('many buyers behind one address', { timeout: 60_000 }, () => {
    it('50 buyers signing in at once from one address all get a token, burst after burst', async () => {
      // Sign-ins that succeed never use up the address's budget, however many arrive at once.
      const office = client('127.0.1.1');
      const bursts: Answer[][] = [];
      for (let burst = 0; burst < 3; burst++) {
        bursts.push(await Promise.all(range(1, 50).map((n) => login(proxyPort, buyer(n), PASSWORD, office))));
      }
      console.log(`field, 50 buyers at once behind one address, 3 bursts: ${bursts.map((answers) => JSON.stringify(tally(answers))).join(', ')}; by replica ${JSON.stringify(byReplica(bursts.flat()))}`);

      expect(bursts.map(tally)).toEqual([{ token: 50 }, { token: 50 }, { token: 50 }]);
      expect(Object.keys(byReplica(bursts.flat()))).toEqual(['a', 'b']);
      expect(sandbox.requests.map((request) => `${request.method} ${request.path}`)).toEqual(Array(150).fill('POST /graphql'));
    });
  });

  describe('budgets shared by both replicas', { timeout: 60_000 }, () => {
    it('30 wrong guesses at one account, ten at a time over both replicas, reach BigCommerce at most 5 times', async () => {
      const guesser = client('127.0.2.1');
      const account = SANDBOX_USERS.junior.email;
      // Round robin sends each ten five to a replica: only a budget kept in Redis holds them to 5.
      const answers: Answer[] = [];
      for (let round = 0; round < 3; round++) {
        answers.push(...(await Promise.all(range(1, 10).map(() => login(proxyPort, account, WRONG_PASSWORD, guesser)))));
      }
      const asked = upstreamAttempts(sandbox, account);
      console.log(`field, 30 wrong guesses at one account: ${JSON.stringify(tally(answers))}, by replica ${JSON.stringify(byReplica(answers))}, BigCommerce asked ${asked} times`);

      expect(Object.keys(byReplica(answers))).toEqual(['a', 'b']);
      expect(asked).toBeGreaterThan(0);
      expect(asked).toBeLessThanOrEqual(5);
      expect(tally(answers)).toEqual({ UNAUTHENTICATED: asked, RATE_LIMITED: 30 - asked });
    });

    it('40 wrong guesses over 40 accounts from one address reach BigCommerce at most 20 times, whatever X-Forwarded-For the client forges', async () => {
      // HAProxy appends the address it saw after the client's own entries, and the replicas
      // trust one proxy (GATEWAY_TRUST_PROXY=1): every guess counts against 127.0.2.2.
      const guesser = client('127.0.2.2');
      const accounts = range(101, 140).map(buyer);
      const answers = await Promise.all(
        accounts.map((account, i) => login(proxyPort, account, WRONG_PASSWORD, { ...guesser, headers: { 'x-forwarded-for': `198.51.100.${i + 1}` } })),
      );
      const asked = accounts.reduce((sum, account) => sum + upstreamAttempts(sandbox, account), 0);
      console.log(`field, 40 wrong guesses over 40 accounts, forged X-Forwarded-For: ${JSON.stringify(tally(answers))}, BigCommerce asked ${asked} times`);

      expect(asked).toBeGreaterThan(0);
      expect(asked).toBeLessThanOrEqual(20);
      expect(tally(answers)).toEqual({ UNAUTHENTICATED: asked, RATE_LIMITED: 40 - asked });
    });
  });

  describe('a trusted caller (X-Gateway-Key)', { timeout: 60_000 }, () => {
    const trusted = () => client('127.0.3.1', { 'x-gateway-key': TRUSTED_KEY });

    it('signs 200 buyers in at once', async () => {
      const server = trusted();
      const answers = await Promise.all(range(1, 200).map((n) => login(proxyPort, buyer(n), PASSWORD, server)));
      console.log(`field, trusted caller, 200 buyers at once: ${JSON.stringify(tally(answers))}`);

      expect(tally(answers)).toEqual({ token: 200 });
    });

    it("has 40 buyers' wrong passwords judged by BigCommerce, none turned away", async () => {
      const server = trusted();
      const accounts = range(141, 180).map(buyer);
      const answers = await Promise.all(accounts.map((account) => login(proxyPort, account, WRONG_PASSWORD, server)));
      const asked = accounts.reduce((sum, account) => sum + upstreamAttempts(sandbox, account), 0);
      console.log(`field, trusted caller, 40 wrong passwords of 40 buyers: ${JSON.stringify(tally(answers))}, BigCommerce asked ${asked} times`);

      expect(tally(answers)).toEqual({ UNAUTHENTICATED: 40 });
      expect(asked).toBe(40);
    });

    it('still has 10 guesses at one account reach BigCommerce at most 5 times', async () => {
      const server = trusted();
      const account = buyer(181);
      const answers = await Promise.all(range(1, 10).map(() => login(proxyPort, account, WRONG_PASSWORD, server)));
      const asked = upstreamAttempts(sandbox, account);
      console.log(`field, trusted caller, 10 guesses at one account: ${JSON.stringify(tally(answers))}, BigCommerce asked ${asked} times`);

      expect(asked).toBeGreaterThan(0);
      expect(asked).toBeLessThanOrEqual(5);
      expect(tally(answers)).toEqual({ UNAUTHENTICATED: asked, RATE_LIMITED: 10 - asked });
    });
  });

  describe('a rolling restart', { timeout: 90_000 }, () => {
    it('under steady load from keep-alive clients loses no request: every answer is a token', async () => {
      const LOOPS = 16;
      const startedAt = performance.now();
      const since = () => Math.round(performance.now() - startedAt);
      const watch = watchServers(statsPort, startedAt);
      const answers: Array<Answer & { at: number }> = [];
      let loading = true;
      const loops = range(1, LOOPS).map(async (n) => {
        const buyerClient = client(`127.0.4.${n}`);
        while (loading) answers.push({ ...(await login(proxyPort, buyer(n), PASSWORD, buyerClient)), at: since() });
      });

      const timeline: string[] = [];
      const exits = [];
      await sleep(500);
      for (const name of REPLICAS) {
        timeline.push(`${since()} ms: SIGTERM to ${name}`);
        const exit = await replicas[name].stop('SIGTERM');
        exits.push(exit);
        timeline.push(`${since()} ms: ${name} exited ${JSON.stringify(exit)}`);
        await start(name);
        timeline.push(`${since()} ms: ${name} listening again`);
        await untilServers(statsPort, BOTH_UP, 15_000);
        timeline.push(`${since()} ms: both replicas UP in HAProxy`);
      }
      await sleep(500);
      loading = false;
      await Promise.all(loops);
      await watch.stop();
      const failures = answers.filter((answer) => answer.outcome !== 'token');
      console.log(
        [
          `field, rolling restart under ${LOOPS} keep-alive clients: ${answers.length} answers ${JSON.stringify(tally(answers))}, by replica ${JSON.stringify(byReplica(answers))}`,
          ...timeline,
          ...watch.changes.map((change) => `HAProxy ${change}`),
          ...failures.slice(0, 10).map((answer) => `${answer.at} ms: ${answer.outcome} from ${answer.replica ?? 'haproxy'} (Connection: ${answer.connection})`),
          ...unusualRequests(haproxy.output()).slice(0, 10).map((line) => `HAProxy log: ${line}`),
        ].join('\n  '),
      );

      expect(exits).toEqual([
        { code: 0, signal: null },
        { code: 0, signal: null },
      ]);
      expect(tally(answers), outputs()).toEqual({ token: answers.length });
      expect(answers.length).toBeGreaterThan(100);
      expect(Object.keys(byReplica(answers))).toEqual(['a', 'b']);
    });
  });

  describe('BigCommerce down and back', { timeout: 60_000 }, () => {
    it('keeps both replicas in rotation answering UPSTREAM_UNAVAILABLE while it is down, and signs buyers in again within seconds of its return', async () => {
      const watch = watchServers(statsPort);
      const buyers = client('127.0.5.1');
      await sandbox.close();
      // Long enough for HAProxy to check each replica four times (`fall 2`, `inter 500ms`).
      await sleep(2_000);
      const ready = await readiness();
      const down = await Promise.all(range(1, 20).map((n) => login(proxyPort, buyer(n), PASSWORD, buyers)));
      await sleep(1_000);
      const statesWhileDown = await serverStates(statsPort);

      sandbox = await startSandbox(sandboxPort);
      const backAt = performance.now();
      // One sign-in every 200 ms until both replicas have given tokens, and nothing but, four times in a row.
      const recovery: Array<Answer & { at: number }> = [];
      const streak = () => recovery.slice(recovery.findLastIndex((answer) => answer.outcome !== 'token') + 1);
      while (performance.now() - backAt < BREAKER_COOLDOWN_MS + 10_000) {
        recovery.push({ ...(await login(proxyPort, buyer(recovery.length % 50 + 1), PASSWORD, buyers)), at: Math.round(performance.now() - backAt) });
        if (streak().length >= 4 && new Set(streak().map((answer) => answer.replica)).size === 2) break;
        await sleep(200);
      }
      const recoveredAfterMs = streak()[0]?.at;
      const after = await Promise.all(range(1, 20).map((n) => login(proxyPort, buyer(n), PASSWORD, buyers)));
      await watch.stop();
      console.log(
        [
          `field, BigCommerce down: readiness ${JSON.stringify(ready)}`,
          `answers ${JSON.stringify(tally(down))} by replica ${JSON.stringify(byReplica(down))}; HAProxy ${JSON.stringify(statesWhileDown)}`,
          `first answer: ${down[0]?.status} ${JSON.stringify(down[0]?.body).slice(0, 300)}`,
          `back: tokens from every answer ${recoveredAfterMs} ms after its return (${recovery.length} sign-ins: ${JSON.stringify(tally(recovery))}); then 20 at once: ${JSON.stringify(tally(after))}`,
          ...watch.changes.map((change) => `HAProxy ${change}`),
        ].join('\n  '),
      );

      expect(statesWhileDown).toEqual(BOTH_UP);
      expect(watch.changes.filter((change) => !change.endsWith(' UP'))).toEqual([]);
      expect(tally(down)).toEqual({ UPSTREAM_UNAVAILABLE: 20 });
      expect(Object.keys(byReplica(down))).toEqual(['a', 'b']);
      expect(down[0]).toMatchObject({
        status: 200,
        body: { data: null, errors: [{ message: 'BigCommerce is unavailable.', path: ['login'], extensions: { code: 'UPSTREAM_UNAVAILABLE' } }] },
      });
      // An open circuit fails fast for its cooldown, then lets one call through.
      expect(recoveredAfterMs).toBeLessThanOrEqual(BREAKER_COOLDOWN_MS + 3_000);
      expect(tally(after)).toEqual({ token: 20 });
    });
  });

  describe('Redis down', { timeout: 60_000 }, () => {
    it('with redis-server killed, buyers go on signing in through both replicas', async () => {
      redis.disconnect();
      await redisServer.stop('SIGKILL');
      const buyers = client('127.0.6.1');
      const bursts: Answer[][] = [];
      const durations: number[] = [];
      for (let burst = 0; burst < 3; burst++) {
        const started = performance.now();
        bursts.push(await Promise.all(range(1, 20).map((n) => login(proxyPort, buyer(n), PASSWORD, buyers))));
        durations.push(Math.round(performance.now() - started));
      }
      console.log(`field, redis-server killed, 3 bursts of 20 sign-ins: ${bursts.map((answers) => JSON.stringify(tally(answers))).join(', ')} in ${durations.join(', ')} ms; by replica ${JSON.stringify(byReplica(bursts.flat()))}`);

      expect(bursts.map(tally)).toEqual([{ token: 20 }, { token: 20 }, { token: 20 }]);
      expect(Object.keys(byReplica(bursts.flat()))).toEqual(['a', 'b']);
      expect(await serverStates(statsPort)).toEqual(BOTH_UP);
    });
  });
});
