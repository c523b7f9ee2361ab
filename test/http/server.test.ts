// The HTTP server's timeouts and drain, driven over raw sockets: a client that trickles its
// headers or its body is cut off, idle keep-alive connections are closed, and a drain lets
// in-flight requests finish while refusing new ones.
import type { IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHttpServer, type HttpServer, type HttpServerOptions } from '../../src/http/server.js';
import { DEMO_BUYER } from '../../src/sandbox/index.js';
import { type Harness, LOGIN, startHarness } from '../harness.js';
import { openBurst } from '../support/burst.js';
import { connectOutcome, loginOverOwnConnection, untilSandboxSees } from '../support/http.js';

// Small limits, so each cut-off happens within a second.
const LIMITS: HttpServerOptions = {
  headersTimeoutMs: 500,
  requestTimeoutMs: 1_000,
  keepAliveTimeoutMs: 500,
  connectionsCheckingIntervalMs: 100,
};
// Scheduling noise allowed on top of a deadline (two cores, files running in parallel).
const SLACK_MS = 400;
// Node (20.20) keeps an idle keep-alive socket this much longer than `keepAliveTimeout`.
const NODE_KEEP_ALIVE_GRACE_MS = 1_000;

let h: Harness;
const servers: HttpServer[] = [];

beforeAll(async () => {
  h = await startHarness();
});
afterEach(() => {
  h.sandbox.clearFaults();
  h.sandbox.clearRequests();
});
afterAll(async () => {
  for (const server of servers) await server.close();
  await h?.close();
});

async function startServer(options: HttpServerOptions = LIMITS): Promise<{ server: HttpServer; port: number }> {
  const server = createHttpServer(h.gateway, options);
  servers.push(server);
  const { port } = await server.listen(0, '127.0.0.1');
  return { server, port };
}

/** A raw TCP connection and everything the server sends on it until it closes. */
interface RawConnection {
  socket: Socket;
  /** Milliseconds since the connection opened. */
  elapsed(): number;
  /** Resolves when the server closed the connection: what it sent, and when it closed. */
  closed: Promise<{ text: string; closedAtMs: number }>;
  /** Resolves with everything received once `predicate` holds for it. */
  received(predicate: (text: string) => boolean): Promise<{ text: string; atMs: number }>;
}

async function openConnection(port: number): Promise<RawConnection> {
  const socket = connect(port, '127.0.0.1');
  // Writes after the server cut us off fail with EPIPE/ECONNRESET; that is the point.
  socket.on('error', () => {});
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  const opened = performance.now();
  const elapsed = () => Math.round(performance.now() - opened);
  let text = '';
  const waiters: Array<{ predicate: (text: string) => boolean; resolve: (value: { text: string; atMs: number }) => void }> = [];
  socket.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
    for (const waiter of [...waiters]) {
      if (waiter.predicate(text)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve({ text, atMs: elapsed() });
      }
    }
  });
  const closed = new Promise<{ text: string; closedAtMs: number }>((resolve) => socket.once('close', () => resolve({ text, closedAtMs: elapsed() })));
  return {
    socket,
    elapsed,
    closed,
    received: (predicate) => new Promise((resolve) => waiters.push({ predicate, resolve })),
  };
}

/** Sends `chunk` every `everyMs` until the socket is closed. */
function trickle(socket: Socket, chunk: string, everyMs: number): () => void {
  const timer = setInterval(() => {
    if (socket.destroyed) clearInterval(timer);
    else socket.write(chunk);
  }, everyMs);
  return () => clearInterval(timer);
}

const TYPENAME = JSON.stringify({ query: '{ __typename }' });

function postTypename(port: number, connection = 'keep-alive'): string {
  return [
    'POST /graphql HTTP/1.1',
    `Host: 127.0.0.1:${port}`,
    'Content-Type: application/json',
    'Accept: application/graphql-response+json',
    `Content-Length: ${Buffer.byteLength(TYPENAME)}`,
    `Connection: ${connection}`,
    '',
    TYPENAME,
  ].join('\r\n');
}

/** A complete HTTP/1.1 answer with a Content-Length body has arrived. */
function completeAnswer(text: string): boolean {
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return false;
  const length = /\r\ncontent-length: (\d+)/i.exec(text.slice(0, end))?.[1];
  return length !== undefined && Buffer.byteLength(text.slice(end + 4)) >= Number(length);
}

async function fetchTypename(port: number): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
    body: TYPENAME,
  });
  return { status: response.status, body: await response.json() };
}

/** The gateway's GraphQL endpoint on `port`. */
const at = (port: number) => new URL(`http://127.0.0.1:${port}/graphql`);

describe('HTTP server timeouts', () => {
  let port: number;
  beforeAll(async () => {
    ({ port } = await startServer());
  });

  it('cuts off a slow-loris client that trickles its headers with 408 within the headers timeout, while serving others', async () => {
    const loris = await openConnection(port);
    loris.socket.write(`POST /graphql HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Slow: `);
    const stop = trickle(loris.socket, 'a', 200);

    // A normal client at the same time is served at once.
    const normal = await fetchTypename(port);
    expect(normal).toEqual({ status: 200, body: { data: { __typename: 'Query' } } });

    const { text, closedAtMs } = await loris.closed;
    stop();
    expect(text).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect(closedAtMs).toBeGreaterThanOrEqual(LIMITS.headersTimeoutMs! - 50);
    expect(closedAtMs).toBeLessThan(LIMITS.headersTimeoutMs! + LIMITS.connectionsCheckingIntervalMs! + SLACK_MS);
    console.log(`slow-loris (headers trickled every 200 ms) cut off after ${closedAtMs} ms (headersTimeout ${LIMITS.headersTimeoutMs} ms)`);
  });

  it('cuts off a client that sends its headers but trickles its body with 408 at the request timeout', async () => {
    const slow = await openConnection(port);
    slow.socket.write(
      [`POST /graphql HTTP/1.1`, `Host: 127.0.0.1:${port}`, 'Content-Type: application/json', 'Content-Length: 1000', '', '{"query":"'].join('\r\n'),
    );
    const stop = trickle(slow.socket, ' ', 200);

    const { text, closedAtMs } = await slow.closed;
    stop();
    expect(text).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    // Not the headers deadline: the headers were complete at once.
    expect(closedAtMs).toBeGreaterThanOrEqual(LIMITS.requestTimeoutMs! - 50);
    expect(closedAtMs).toBeLessThan(LIMITS.requestTimeoutMs! + LIMITS.connectionsCheckingIntervalMs! + SLACK_MS);
    console.log(`body trickled every 200 ms cut off after ${closedAtMs} ms (requestTimeout ${LIMITS.requestTimeoutMs} ms)`);
  });

  it('closes an idle keep-alive connection after the keep-alive timeout', async () => {
    const client = await openConnection(port);
    client.socket.write(postTypename(port));
    const answer = await client.received(completeAnswer);
    expect(answer.text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(answer.text).toMatch(/\r\nConnection: keep-alive\r\n/i);
    expect(answer.text.endsWith(JSON.stringify({ data: { __typename: 'Query' } }))).toBe(true);

    // Node closes the socket 1 s after the advertised keep-alive timeout (a grace for clients).
    const { closedAtMs } = await client.closed;
    const idleMs = closedAtMs - answer.atMs;
    expect(idleMs).toBeGreaterThanOrEqual(LIMITS.keepAliveTimeoutMs! - 50);
    expect(idleMs).toBeLessThan(LIMITS.keepAliveTimeoutMs! + NODE_KEEP_ALIVE_GRACE_MS + SLACK_MS);
    console.log(`idle keep-alive connection closed after ${idleMs} ms (keepAliveTimeout ${LIMITS.keepAliveTimeoutMs} ms + Node's 1 s grace)`);
  });

  it('answers 431 to a request whose headers exceed maxHeaderSize', async () => {
    const client = await openConnection(port);
    client.socket.write(`GET /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`);
    const { text } = await client.closed;
    expect(text).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
  });

  it('refuses a headers timeout longer than the request timeout', () => {
    expect(() => createHttpServer(h.gateway, { headersTimeoutMs: 2_000, requestTimeoutMs: 1_000 })).toThrow(
      'createHttpServer: headersTimeoutMs must not exceed requestTimeoutMs',
    );
  });
});

/** What a login over its own keep-alive connection got: status, Connection header and token source, or no answer. */
type KeepAliveAnswer = { status: number; connection: string | undefined; via: string | undefined } | 'closed unanswered';

/**
 * Sends the demo buyer's login on a keep-alive connection of its own (so that any
 * `Connection: close` in the answer is the server's), its upstream call taking `latencyMs`, and
 * resolves once the sandbox has it; `answer` settles when the answer is complete or the
 * connection closes without one.
 */
async function keepAliveLogin(port: number, latencyMs = 0): Promise<{ answer: Promise<KeepAliveAnswer> }> {
  h.sandbox.clearRequests();
  if (latencyMs > 0) h.sandbox.injectFault({ match: 'POST /graphql', latencyMs, times: 1 });
  const connection = await openConnection(port);
  const body = JSON.stringify({ query: LOGIN, variables: { input: { email: DEMO_BUYER.email, password: DEMO_BUYER.password } } });
  connection.socket.write(
    ['POST /graphql HTTP/1.1', `Host: 127.0.0.1:${port}`, 'Content-Type: application/json', `Content-Length: ${Buffer.byteLength(body)}`, 'Connection: keep-alive', '', body].join('\r\n'),
  );
  const answer = Promise.race([
    connection.received(completeAnswer).then(({ text }): KeepAliveAnswer => {
      const end = text.indexOf('\r\n\r\n');
      const json = JSON.parse(text.slice(end + 4)) as { data?: { login?: { token?: { via?: string } } } };
      return {
        status: Number(/^HTTP\/1.1 (\d+)/.exec(text)?.[1]),
        connection: /\r\nconnection: ([^\r]+)/i.exec(text.slice(0, end))?.[1],
        via: json.data?.login?.token?.via,
      };
    }),
    connection.closed.then((): KeepAliveAnswer => 'closed unanswered'),
  ]);
  await untilSandboxSees(h.sandbox, 'POST', '/graphql');
  return { answer };
}

describe('HTTP server drain', () => {
  it('lets an in-flight login finish with Connection: close, closes idle connections at once and refuses new ones', async () => {
    const { server, port } = await startServer();
    const idle = await openConnection(port);
    idle.socket.write(postTypename(port));
    await idle.received(completeAnswer);

    const { answer: inFlight } = await keepAliveLogin(port, 600);

    const drainStartedAt = idle.elapsed();
    const drained = server.drain(5_000);
    const { closedAtMs } = await idle.closed;
    expect(closedAtMs - drainStartedAt).toBeLessThan(100 + SLACK_MS);
    expect(await connectOutcome(at(port))).toBe('ECONNREFUSED');

    expect(await inFlight).toEqual({ status: 200, connection: 'close', via: 'GRAPHQL_LOGIN' });
    const result = await drained;
    expect(result.abandoned).toBe(0);
    expect(result.durationMs).toBeLessThan(600 + SLACK_MS);
  });

  it('force-closes a request still in flight when the drain times out, and reports it abandoned', async () => {
    const { server, port } = await startServer();
    h.sandbox.injectFault({ match: 'POST /graphql', latencyMs: 1_500, times: 1 });
    const inFlight = loginOverOwnConnection(at(port)).then(
      () => 'answered',
      (error: NodeJS.ErrnoException) => error.code,
    );
    await untilSandboxSees(h.sandbox, 'POST', '/graphql');
    // A slow-loris connection does not hold the drain open past its timeout either.
    const loris = await openConnection(port);
    loris.socket.write(`POST /graphql HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n`);

    const result = await server.drain(300);
    expect(result.abandoned).toBe(1);
    expect(result.durationMs).toBeGreaterThanOrEqual(290);
    expect(result.durationMs).toBeLessThan(300 + SLACK_MS);
    expect(await inFlight).toBe('ECONNRESET');
    await loris.closed;
  });

  it('marks and counts the answers still unsent, whichever order the earlier ones finished in', async () => {
    const { server, port } = await startServer();
    // In flight, oldest first: a slow login; then one that leaves second and one that leaves
    // first (the newest, then the one that became the newest); and a slower login still in
    // flight when the drain times out.
    const served = { status: 200, connection: 'keep-alive', via: 'GRAPHQL_LOGIN' };
    const first = (await keepAliveLogin(port, 1_000)).answer;
    const second = (await keepAliveLogin(port, 300)).answer;
    expect(await (await keepAliveLogin(port)).answer).toEqual(served);
    expect(await second).toEqual(served);
    const last = (await keepAliveLogin(port, 2_500)).answer;

    const result = await server.drain(1_500);
    expect(await first).toEqual({ ...served, connection: 'close' });
    expect(await last).toBe('closed unanswered');
    expect(result.abandoned).toBe(1);
  });
});

describe('HTTP server shutdown', () => {
  it('keeps serving through the delay with Connection: close and /readiness 503, then closes the listener and drains, counting the timeout from the delay', async () => {
    const DELAY_MS = 800;
    const TIMEOUT_MS = 1_500;
    const served = { status: 200, connection: 'close', via: 'GRAPHQL_LOGIN' };
    const { server, port } = await startServer();
    const idle = await openConnection(port);
    idle.socket.write(postTypename(port));
    await idle.received(completeAnswer);
    const { answer: inFlight } = await keepAliveLogin(port, 300);

    const shutdownAt = performance.now();
    let drainStarted = 0;
    const shutdown = server.shutdown({ delayMs: DELAY_MS, timeoutMs: TIMEOUT_MS, onDrain: () => (drainStarted += 1) });

    const readiness = await fetch(`http://127.0.0.1:${port}/readiness`);
    expect({ status: readiness.status, body: await readiness.json() }).toEqual({ status: 503, body: { status: 'not ready', reason: 'shutting down' } });
    // A new connection is still accepted, and its answer tells the client not to reuse it.
    expect(await (await keepAliveLogin(port)).answer).toEqual(served);
    // So is a keep-alive connection opened before; it is closed once answered.
    idle.socket.write(postTypename(port));
    const reused = await idle.received((text) => text.indexOf('HTTP/1.1 200', 1) > 0 && completeAnswer(text.slice(text.indexOf('HTTP/1.1 200', 1))));
    expect(reused.text.slice(reused.text.indexOf('HTTP/1.1 200', 1))).toMatch(/\r\nConnection: close\r\n/i);
    await idle.closed;
    expect(await inFlight).toEqual(served);
    expect(drainStarted).toBe(0);

    // Late in the delay: a login whose upstream call outlasts the drain timeout counted from the
    // shutdown, but not counted from the end of the delay.
    await new Promise((resolve) => setTimeout(resolve, DELAY_MS - 200 - (performance.now() - shutdownAt)));
    const { answer: late } = await keepAliveLogin(port, 1_200);
    let lateAnswered = false;
    void late.then(() => (lateAnswered = true));

    while ((await connectOutcome(at(port))) === 'accepted') await new Promise((resolve) => setTimeout(resolve, 20));
    const closedAfterMs = Math.round(performance.now() - shutdownAt);
    expect(closedAfterMs).toBeGreaterThanOrEqual(DELAY_MS - 50);
    expect(closedAfterMs).toBeLessThan(DELAY_MS + SLACK_MS);
    expect(drainStarted).toBe(1);
    expect(lateAnswered).toBe(false);

    expect(await late).toEqual(served);
    const result = await shutdown;
    const answeredAfterMs = Math.round(performance.now() - shutdownAt);
    expect(result.abandoned).toBe(0);
    expect(answeredAfterMs).toBeGreaterThan(TIMEOUT_MS);
    expect(await connectOutcome(at(port))).toBe('ECONNREFUSED');
    console.log(`shutdown with a ${DELAY_MS} ms delay: listener closed after ${closedAfterMs} ms, the late login answered after ${answeredAfterMs} ms, drain ${result.durationMs} ms`);
  });

  it('drain() during the delay cuts it short, and the shutdown resolves with that drain', async () => {
    const { server, port } = await startServer();
    let drainStarted = 0;
    const shutdown = server.shutdown({ delayMs: 10_000, onDrain: () => (drainStarted += 1) });
    expect(await connectOutcome(at(port))).toBe('accepted');

    const drained = server.drain();
    expect(drainStarted).toBe(1);
    expect(await connectOutcome(at(port))).toBe('ECONNREFUSED');
    expect(await shutdown).toBe(await drained);
    expect(server.shutdown({ delayMs: 10_000 })).toBe(shutdown);
  });

  it('close() during the delay closes every connection at once', async () => {
    const { server, port } = await startServer();
    const { answer } = await keepAliveLogin(port, 2_000);
    const shutdown = server.shutdown({ delayMs: 10_000 });
    const started = performance.now();
    await server.close();
    expect(await answer).toBe('closed unanswered');
    expect((await shutdown).abandoned).toBe(1);
    expect(performance.now() - started).toBeLessThan(SLACK_MS);
  });
});

describe('HTTP server admission per turn', () => {
  /**
   * A server whose Yoga handler first notes which request it starts (by its `x-test-id`) and in
   * which turn of the event loop, and which also notes the order requests arrive in. The turn
   * counter is the test's own `setImmediate` chain; its turns can begin just before or after the
   * server's, so a test turn may hold the tail of one server turn and the head of the next.
   */
  async function startRecordingServer(requestsPerTurn: number) {
    const starts: Array<{ id: string; turn: number }> = [];
    const arrivals: Array<{ id: string; turn: number; waiting: number }> = [];
    let turn = 0;
    let counting = true;
    const count = () => {
      turn++;
      if (counting) setImmediate(count);
    };
    setImmediate(count);
    // The gateway's own Yoga, called through a proxy that notes each call first.
    const yoga = new Proxy(h.gateway.yoga, {
      apply(target, thisArgument, [request, ...rest]: [IncomingMessage, ...unknown[]]) {
        starts.push({ id: String(request.headers['x-test-id']), turn });
        return Reflect.apply(target, thisArgument, [request, ...rest]) as unknown;
      },
    });
    const server = createHttpServer({ yoga }, { ...LIMITS, requestsPerTurn });
    servers.push(server);
    // After the server's own listener: `waiting` counts the requests read but not started.
    server.server.on('request', (request: IncomingMessage) =>
      arrivals.push({ id: String(request.headers['x-test-id']), turn, waiting: arrivals.length + 1 - starts.length }),
    );
    let connections = 0;
    server.server.on('connection', () => connections++);
    /** Resolves once the server has accepted `count` connections. */
    const accepted = async (count: number) => {
      while (connections < count) await new Promise((resolve) => setTimeout(resolve, 5));
    };
    const { port } = await server.listen(0, '127.0.0.1');
    return { server, port, starts, arrivals, accepted, stopCounting: () => (counting = false) };
  }

  const tagged = (port: number, id: number) => postTypename(port).replace('Content-Type:', `X-Test-Id: ${id}\r\nContent-Type:`);
  const TYPENAME_ANSWER = JSON.stringify({ data: { __typename: 'Query' } });
  const bodyOf = (text: string) => text.slice(text.indexOf('\r\n\r\n') + 4);
  const countByTurn = (events: Array<{ turn: number }>) => {
    const counts = new Map<number, number>();
    for (const { turn } of events) counts.set(turn, (counts.get(turn) ?? 0) + 1);
    return counts;
  };

  it('starts at most requestsPerTurn of the requests that arrive together in each turn, in arrival order, and answers every one', async () => {
    const perTurn = 4;
    const { port, starts, arrivals, stopCounting, accepted } = await startRecordingServer(perTurn);
    const burst = await openBurst(port, Array.from({ length: 40 }, (_, id) => tagged(port, id)));
    await accepted(40);
    const answers = await burst.fire();
    stopCounting();

    expect(answers.map(bodyOf)).toEqual(answers.map(() => TYPENAME_ANSWER));
    // They did arrive together: most in one turn.
    expect(Math.max(...countByTurn(arrivals).values())).toBeGreaterThan(30);
    expect(starts.map(({ id }) => id)).toEqual(arrivals.map(({ id }) => id));
    const startsByTurn = countByTurn(starts);
    expect(Math.max(...startsByTurn.values())).toBeLessThanOrEqual(2 * perTurn);
    expect(startsByTurn.size).toBeGreaterThanOrEqual(40 / (2 * perTurn));
    // The first ones did not wait: they started in the turn they arrived in.
    expect(starts.slice(0, perTurn).map(({ turn }) => turn)).toEqual(arrivals.slice(0, perTurn).map(({ turn }) => turn));
  });

  it('while requests wait, leaves the next request of an answered connection unread until a turn has room for it', async () => {
    const perTurn = 4;
    const { port, starts, arrivals, accepted, stopCounting } = await startRecordingServer(perTurn);
    const connections = 40;
    const burst = await openBurst(
      port,
      Array.from({ length: connections }, (_, id) => tagged(port, id)),
      Array.from({ length: connections }, (_, id) => tagged(port, id + 100)),
    );
    await accepted(connections);
    const answers = await burst.fire();
    stopCounting();

    expect(answers.map((text) => text.split(TYPENAME_ANSWER).length - 1)).toEqual(answers.map(() => 2));
    expect(starts).toHaveLength(2 * connections);
    // The first round queued up: most waited.
    expect(Math.max(...arrivals.filter(({ id }) => Number(id) < 100).map(({ waiting }) => waiting))).toBeGreaterThan(30);
    // Each second request was read only when the queue had room, not while the first round still
    // waited; those of the first few, answered before the queue formed, may come at once.
    const followUps = arrivals.filter(({ id }) => Number(id) >= 100).map(({ waiting }) => waiting);
    expect(followUps).toHaveLength(connections);
    expect(followUps.sort((a, b) => a - b).slice(0, connections - perTurn).every((waiting) => waiting <= 2 * perTurn)).toBe(true);
  });

  it('never starts a waiting request whose connection is gone: close() while requests wait starts none of them', async () => {
    const { server, port, starts, arrivals, accepted } = await startRecordingServer(1);
    const requests = Array.from({ length: 12 }, (_, id) => tagged(port, id));
    // The server closes in the turn they arrive in, when one has started and the rest wait.
    server.server.on('request', () => {
      if (arrivals.length === requests.length) void server.close();
    });
    const burst = await openBurst(port, requests);
    await accepted(requests.length);
    const answers = await burst.fire();
    await new Promise((resolve) => setTimeout(resolve, 20));

    expect(Math.max(...countByTurn(arrivals).values())).toBe(requests.length);
    // The first started as it arrived (and may have been answered before the close); no other started.
    expect(starts.map(({ id }) => id)).toEqual([arrivals[0]!.id]);
    expect(answers.filter((_, id) => String(id) !== arrivals[0]!.id)).toEqual(requests.slice(1).map(() => ''));
  });

  it('refuses a requestsPerTurn that is not a positive whole number', () => {
    for (const requestsPerTurn of [0, -1, 1.5, Number.NaN]) {
      expect(() => createHttpServer(h.gateway, { requestsPerTurn })).toThrow('createHttpServer: requestsPerTurn must be a positive integer or Infinity');
    }
  });
});
