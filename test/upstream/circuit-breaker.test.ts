// The circuit breakers (src/upstream/circuit-breaker.ts): unit tests on a fake clock, then the
// same behaviour seen by a client of the gateway, with the loopback fault server as upstream.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/environment.js';
import {
  CredentialsRejectedError,
  TokenRejectedError,
  UpstreamRateLimitError,
  UpstreamResponseShapeError,
  UpstreamTimeoutError,
  UpstreamUnavailableError,
} from '../../src/errors/gateway-errors.js';
import { createGateway, type Gateway } from '../../src/gateway.js';
import { createLogger } from '../../src/observability/logger.js';
import { publicError } from '../../src/plugins/use-error-mapping.js';
import { CircuitOpenError, type CircuitBreakers, createCircuitBreakers } from '../../src/upstream/circuit-breaker.js';
import { CREDENTIAL_LIMITS_OFF, type GraphQLReply, LOGIN } from '../harness.js';
import { type FaultServer, startFaultServer } from '../support/fault-server.js';

const PATH = 'graphql login';
const outage = () => new UpstreamUnavailableError(PATH, 'HTTP 503', 503);
const timeout = () => new UpstreamTimeoutError(PATH, 400);

/** A call the test controls: counts invocations and settles when told. */
function deferredCall<T = string>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  let calls = 0;
  return {
    call: () => {
      calls += 1;
      return promise;
    },
    calls: () => calls,
    resolve,
    reject,
  };
}

describe('createCircuitBreakers', () => {
  let clock: number;
  let breakers: CircuitBreakers;
  let calls: number;
  const failWith = (error: Error) => () => {
    calls += 1;
    return Promise.reject(error);
  };
  const succeed = () => {
    calls += 1;
    return Promise.resolve('token');
  };

  beforeEach(() => {
    clock = 1_000_000;
    calls = 0;
    breakers = createCircuitBreakers({ failureThreshold: 3, cooldownMs: 5_000, now: () => clock });
  });

  /** Fails `n` calls of `path` with outages. */
  async function outages(n: number, path = PATH, error = outage): Promise<void> {
    for (let i = 0; i < n; i++) {
      const thrown = error();
      await expect(breakers.run(path, failWith(thrown))).rejects.toBe(thrown);
    }
  }

  it('stays closed below the threshold and passes the errors through unchanged', async () => {
    const error = outage();
    await expect(breakers.run(PATH, failWith(error))).rejects.toBe(error);
    await outages(1);
    expect(breakers.states()).toEqual({ [PATH]: 'closed' });
    await expect(breakers.run(PATH, succeed)).resolves.toBe('token');
    expect(calls).toBe(3);
  });

  it.each([
    { kind: 'UpstreamUnavailableError', make: outage },
    { kind: 'UpstreamTimeoutError', make: timeout },
  ])('opens after 3 consecutive outages ($kind) and then fails fast without calling', async ({ make }) => {
    for (let i = 0; i < 3; i++) await expect(breakers.run(PATH, failWith(make()))).rejects.toBeInstanceOf(make().constructor);
    expect(breakers.states()).toEqual({ [PATH]: 'open' });
    expect(calls).toBe(3);

    const failedFast = breakers.run(PATH, succeed);
    await expect(failedFast).rejects.toBeInstanceOf(CircuitOpenError);
    await expect(failedFast).rejects.toMatchObject({ endpoint: PATH, message: `${PATH}: circuit open: failing fast after repeated failures` });
    clock += 4_999;
    await expect(breakers.run(PATH, succeed)).rejects.toBeInstanceOf(CircuitOpenError);
    expect(calls).toBe(3);
  });

  it('a mix of timeouts and unavailability counts as one run of outages', async () => {
    await outages(1, PATH, timeout);
    await outages(1, PATH, outage);
    await outages(1, PATH, timeout);
    expect(breakers.states()).toEqual({ [PATH]: 'open' });
  });

  it('CircuitOpenError is an UpstreamUnavailableError: clients see UPSTREAM_UNAVAILABLE', () => {
    const error = new CircuitOpenError(PATH);
    expect(error).toBeInstanceOf(UpstreamUnavailableError);
    expect(publicError(error)).toEqual({ code: 'UPSTREAM_UNAVAILABLE', message: 'BigCommerce is unavailable.', level: 'warn' });
  });

  it('a success resets the count: outages must be consecutive', async () => {
    await outages(2);
    await breakers.run(PATH, succeed);
    await outages(2);
    expect(breakers.states()).toEqual({ [PATH]: 'closed' });
    await outages(1);
    expect(breakers.states()).toEqual({ [PATH]: 'open' });
  });

  it.each([
    { kind: 'CredentialsRejectedError (wrong password)', make: () => new CredentialsRejectedError('graphql login: Invalid Login') },
    { kind: 'TokenRejectedError', make: () => new TokenRejectedError('expired') },
    { kind: 'UpstreamRateLimitError (429)', make: () => new UpstreamRateLimitError(PATH, 3) },
    { kind: 'UpstreamResponseShapeError', make: () => new UpstreamResponseShapeError(PATH, 'truncated') },
  ])('an answer that is not an outage, $kind, resets the count and is passed through', async ({ make }) => {
    await outages(2);
    const error = make();
    await expect(breakers.run(PATH, failWith(error))).rejects.toBe(error);
    await outages(2);
    expect(breakers.states()).toEqual({ [PATH]: 'closed' });
    expect(calls).toBe(5);
  });

  it('after the cooldown lets exactly one probe through; calls during the probe fail fast', async () => {
    await outages(3);
    clock += 5_000;
    const probe = deferredCall();
    const probing = breakers.run(PATH, probe.call);
    expect(breakers.states()).toEqual({ [PATH]: 'half-open' });

    const others = [breakers.run(PATH, succeed), breakers.run(PATH, succeed), breakers.run(PATH, succeed)];
    for (const other of others) await expect(other).rejects.toBeInstanceOf(CircuitOpenError);
    expect(probe.calls()).toBe(1);
    expect(calls).toBe(3);

    probe.resolve('probe token');
    await expect(probing).resolves.toBe('probe token');
    expect(breakers.states()).toEqual({ [PATH]: 'closed' });
    await expect(breakers.run(PATH, succeed)).resolves.toBe('token');
    expect(calls).toBe(4);
  });

  it('a successful probe closes the circuit with a fresh count', async () => {
    await outages(3);
    clock += 5_000;
    await expect(breakers.run(PATH, succeed)).resolves.toBe('token');
    expect(breakers.states()).toEqual({ [PATH]: 'closed' });
    await outages(2);
    expect(breakers.states()).toEqual({ [PATH]: 'closed' });
    await outages(1);
    expect(breakers.states()).toEqual({ [PATH]: 'open' });
  });

  it('a failed probe re-opens the circuit at once, for a whole new cooldown', async () => {
    await outages(3);
    clock += 5_000;
    await outages(1);
    expect(breakers.states()).toEqual({ [PATH]: 'open' });
    expect(calls).toBe(4);

    clock += 4_999;
    await expect(breakers.run(PATH, succeed)).rejects.toBeInstanceOf(CircuitOpenError);
    expect(calls).toBe(4);
    clock += 1;
    await expect(breakers.run(PATH, succeed)).resolves.toBe('token');
    expect(calls).toBe(5);
  });

  it('a probe answered with a refusal (not an outage) closes the circuit: the upstream is up', async () => {
    await outages(3);
    clock += 5_000;
    await expect(breakers.run(PATH, failWith(new CredentialsRejectedError('wrong password')))).rejects.toBeInstanceOf(CredentialsRejectedError);
    expect(breakers.states()).toEqual({ [PATH]: 'closed' });
  });

  it('circuits are per path: one open path does not stop another', async () => {
    const rest = 'POST /api/io/auth/customers';
    await outages(3, PATH);
    await outages(2, rest);
    expect(breakers.states()).toEqual({ [PATH]: 'open', [rest]: 'closed' });
    await expect(breakers.run(PATH, succeed)).rejects.toBeInstanceOf(CircuitOpenError);
    await expect(breakers.run(rest, succeed)).resolves.toBe('token');
    expect(breakers.states()).toEqual({ [PATH]: 'open', [rest]: 'closed' });
  });

  it('logs each change of a circuit at warn, naming its path: opened, half-open, closed', async () => {
    const lines: string[] = [];
    breakers = createCircuitBreakers({
      failureThreshold: 3,
      cooldownMs: 5_000,
      now: () => clock,
      logger: createLogger({ level: 'warn', write: (line) => lines.push(line) }),
    });
    await outages(2);
    expect(lines).toEqual([]);
    await outages(1);
    await expect(breakers.run(PATH, succeed)).rejects.toBeInstanceOf(CircuitOpenError);
    clock += 5_000;
    await outages(1);
    clock += 5_000;
    await breakers.run(PATH, succeed);
    await breakers.run(PATH, succeed);
    expect(lines.map((line) => JSON.parse(line) as Record<string, unknown>)).toEqual([
      { level: 'warn', time: expect.any(String), msg: 'upstream circuit opened: 3 consecutive failures; calls fail fast for 5000 ms', circuit: PATH, failures: 3 },
      { level: 'warn', time: expect.any(String), msg: 'upstream circuit half-open: one probe goes through', circuit: PATH },
      { level: 'warn', time: expect.any(String), msg: 'upstream circuit opened: the probe failed; calls fail fast for 5000 ms', circuit: PATH, failures: 4 },
      { level: 'warn', time: expect.any(String), msg: 'upstream circuit half-open: one probe goes through', circuit: PATH },
      { level: 'warn', time: expect.any(String), msg: 'upstream circuit closed: the upstream answered again', circuit: PATH },
    ]);
  });

  it('calls that were in flight when the circuit opened and fail after it log nothing more', async () => {
    const lines: string[] = [];
    breakers = createCircuitBreakers({ failureThreshold: 2, now: () => clock, logger: createLogger({ write: (line) => lines.push(line) }) });
    const inFlight = [deferredCall(), deferredCall(), deferredCall()];
    const running = inFlight.map((call) => breakers.run(PATH, call.call));
    for (const call of inFlight) call.reject(outage());
    await Promise.allSettled(running);
    expect(breakers.states()).toEqual({ [PATH]: 'open' });
    expect(lines.map((line) => (JSON.parse(line) as { msg: string }).msg)).toEqual(['upstream circuit opened: 2 consecutive failures; calls fail fast for 10000 ms']);
  });

  it('defaults: 5 outages open a circuit for 10 s', async () => {
    breakers = createCircuitBreakers({ now: () => clock });
    await outages(4);
    expect(breakers.states()).toEqual({ [PATH]: 'closed' });
    await outages(1);
    expect(breakers.states()).toEqual({ [PATH]: 'open' });
    clock += 9_999;
    await expect(breakers.run(PATH, succeed)).rejects.toBeInstanceOf(CircuitOpenError);
    clock += 1;
    await expect(breakers.run(PATH, succeed)).resolves.toBe('token');
  });
});

describe('the breaker seen through the gateway (threshold 2, cooldown 300 ms)', () => {
  const COOLDOWN_MS = 300;
  let upstream: FaultServer;
  let gateway: Gateway;
  let server: Server;
  let url: string;
  let n = 0;
  const logs: string[] = [];
  /** The circuits' warn lines: message and path. */
  const circuitLines = () =>
    logs
      .map((line) => JSON.parse(line) as { level: string; msg: string; circuit?: string })
      .filter((entry) => entry.msg.startsWith('upstream circuit'))
      .map((entry) => [entry.level, entry.msg, entry.circuit]);

  const login = async (): Promise<GraphQLReply> => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({ query: LOGIN, variables: { input: { email: `buyer+${++n}@fault.example`, password: 'Passw0rd!' } } }),
    });
    return { status: response.status, headers: response.headers, body: (await response.json()) as GraphQLReply['body'] };
  };
  const unavailable = {
    data: null,
    errors: [{ message: 'BigCommerce is unavailable.', locations: expect.any(Array), path: ['login'], extensions: { code: 'UPSTREAM_UNAVAILABLE', requestId: expect.any(String) } }],
  };

  beforeAll(async () => {
    upstream = await startFaultServer();
    const config = loadConfig({
      B2B_API_URL: upstream.url,
      B2B_STORE_HASH: 'fault',
      B2B_AUTH_TOKEN: 'fault-token-xxxxxxxxxxxx',
      B2B_TIMEOUT_MS: '400',
      GATEWAY_PATH_FAILOVER: 'false',
      GATEWAY_BREAKER_THRESHOLD: '2',
      GATEWAY_BREAKER_COOLDOWN_MS: String(COOLDOWN_MS),
      // The gateway's own credential budgets and failed-answer floor are tested elsewhere.
      ...CREDENTIAL_LIMITS_OFF,
    });
    gateway = await createGateway(config, { logger: createLogger({ level: 'warn', write: (line) => logs.push(line) }) });
    server = createServer(gateway.yoga);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => {
      server?.close(() => resolve());
      server?.closeAllConnections();
    });
    await gateway?.close();
    await upstream?.close();
  });

  it('after 2 failures the 3rd login fails fast without reaching BigCommerce; after the cooldown one probe does', async () => {
    upstream.reset();
    logs.length = 0;
    upstream.always('html-502');
    expect((await login()).body).toEqual(unavailable);
    expect((await login()).body).toEqual(unavailable);
    expect(upstream.hits('graphql login')).toBe(2);
    expect(gateway.upstream.circuits()).toEqual({ 'graphql login': 'open' });

    // Open: answered at once, upstream untouched.
    const started = performance.now();
    expect((await login()).body).toEqual(unavailable);
    expect(performance.now() - started).toBeLessThan(100);
    expect(upstream.hits('graphql login')).toBe(2);

    // Cooldown over, upstream still failing: one probe reaches it and re-opens the circuit.
    await new Promise((resolve) => setTimeout(resolve, COOLDOWN_MS + 20));
    expect((await login()).body).toEqual(unavailable);
    expect(upstream.hits('graphql login')).toBe(3);
    expect(gateway.upstream.circuits()).toEqual({ 'graphql login': 'open' });
    expect((await login()).body).toEqual(unavailable);
    expect(upstream.hits('graphql login')).toBe(3);

    // Next cooldown, upstream well again: the probe succeeds and closes the circuit.
    upstream.always('ok');
    await new Promise((resolve) => setTimeout(resolve, COOLDOWN_MS + 20));
    const probe = await login();
    expect(probe.body.errors).toBeUndefined();
    expect(probe.body.data?.['login']).toMatchObject({ token: { via: 'GRAPHQL_LOGIN' } });
    expect(upstream.hits('graphql login')).toBe(4);
    expect(gateway.upstream.circuits()).toEqual({ 'graphql login': 'closed' });
    expect((await login()).body.errors).toBeUndefined();
    expect(upstream.hits('graphql login')).toBe(5);

    // An operator sees each change at warn, and which path it was.
    expect(circuitLines()).toEqual([
      ['warn', `upstream circuit opened: 2 consecutive failures; calls fail fast for ${COOLDOWN_MS} ms`, 'graphql login'],
      ['warn', 'upstream circuit half-open: one probe goes through', 'graphql login'],
      ['warn', `upstream circuit opened: the probe failed; calls fail fast for ${COOLDOWN_MS} ms`, 'graphql login'],
      ['warn', 'upstream circuit half-open: one probe goes through', 'graphql login'],
      ['warn', 'upstream circuit closed: the upstream answered again', 'graphql login'],
    ]);
    expect(logs.join('\n')).not.toContain('fault-token-xxxxxxxxxxxx');
    expect(logs.join('\n')).not.toContain('Passw0rd!');
  });

  it('concurrent logins while the probe is in flight fail fast; only the probe reaches BigCommerce', async () => {
    upstream.reset();
    upstream.always('html-502');
    await login();
    await login();
    expect(gateway.upstream.circuits()).toEqual({ 'graphql login': 'open' });
    await new Promise((resolve) => setTimeout(resolve, COOLDOWN_MS + 20));

    // The probe hangs until the deadline; four more logins arrive meanwhile.
    upstream.always('hang-before-headers');
    const probe = login();
    while (upstream.hits('graphql login') < 3) await new Promise((resolve) => setTimeout(resolve, 5));
    const others = await Promise.all([login(), login(), login(), login()]);
    for (const other of others) expect(other.body).toEqual(unavailable);
    expect(upstream.hits('graphql login')).toBe(3);
    expect((await probe).body.errors?.[0]?.extensions).toEqual({ code: 'UPSTREAM_TIMEOUT', requestId: expect.any(String) });
    expect(gateway.upstream.circuits()).toEqual({ 'graphql login': 'open' });
  });
});
