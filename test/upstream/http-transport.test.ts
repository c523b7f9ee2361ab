// The transport's promises (src/upstream/http-transport.ts), against small local servers: one
// deadline over the whole call, retries only where no effect can repeat, a size limit, and a
// pool of bounded size that returns to idle.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { UpstreamResponseShapeError, UpstreamTimeoutError, UpstreamUnavailableError } from '../../src/errors/gateway-errors.js';
import { createHttpTransport, type HttpCall, type HttpTransport, type HttpTransportOptions } from '../../src/upstream/http-transport.js';

// Counts the attempts the transport makes: every attempt is one `dispatch` on its undici agent,
// including those refused before anything was sent, which no server can count.
const attempts = vi.hoisted(() => ({ count: 0 }));
vi.mock('undici', async (importOriginal) => {
  const undici = await importOriginal<typeof import('undici')>();
  class CountingAgent extends undici.Agent {
    override dispatch(...args: Parameters<InstanceType<typeof undici.Agent>['dispatch']>) {
      attempts.count += 1;
      return super.dispatch(...args);
    }
  }
  return { ...undici, Agent: CountingAgent };
});

type Handler = (req: IncomingMessage, res: ServerResponse, hit: number) => void;

interface TestServer {
  url: string;
  port: number;
  /** Requests received (read to the end). */
  hits(): number;
  /** TCP connections accepted. */
  connections(): number;
  close(): Promise<void>;
}

const servers: TestServer[] = [];
const transports: HttpTransport[] = [];

/** A loopback server calling `handler` once each request's body has been read. */
async function serve(handler: Handler, port = 0): Promise<TestServer> {
  let hits = 0;
  let connections = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    res.on('error', () => {});
    req.resume();
    req.on('end', () => handler(req, res, ++hits));
  });
  server.on('connection', (socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('error', () => {});
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const actualPort = (server.address() as AddressInfo).port;
  const testServer: TestServer = {
    url: `http://127.0.0.1:${actualPort}`,
    port: actualPort,
    hits: () => hits,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
  servers.push(testServer);
  return testServer;
}

/** A port nothing listens on: connecting to it is refused. */
async function refusingPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function transport(options: Partial<HttpTransportOptions> = {}): HttpTransport {
  const created = createHttpTransport({ timeoutMs: 300, ...options });
  transports.push(created);
  return created;
}

const get = (url: string): HttpCall => ({ endpoint: 'GET /test', method: 'GET', url, headers: {} });
const post = (url: string): HttpCall => ({
  endpoint: 'POST /test',
  method: 'POST',
  url,
  headers: { 'content-type': 'application/json' },
  body: '{"order":"one"}',
});

const reply = (res: ServerResponse, status: number, body: string) =>
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);

/** Headers announcing 100 bytes, 10 of them, then a TCP reset. */
function resetMidBody(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': 100 });
  res.write('{"token":"', () => setTimeout(() => res.socket?.resetAndDestroy(), 10));
}

/** Runs `work` and measures it; a rejection is returned, not thrown. */
async function timed<T>(work: () => Promise<T>): Promise<{ value: T | undefined; error: unknown; elapsed: number }> {
  const started = performance.now();
  try {
    const value = await work();
    return { value, error: undefined, elapsed: performance.now() - started };
  } catch (error) {
    return { value: undefined, error, elapsed: performance.now() - started };
  }
}

const IDLE = { running: 0, pending: 0 };

/** One origin's pool; undici drops an origin from its stats once it has no connection left, which is idle too. */
const poolOf = (stats: ReturnType<HttpTransport['stats']>, origin: string) => stats[origin] ?? IDLE;

async function idle(subject: HttpTransport, withinMs = 1000): Promise<Record<string, { running: number; pending: number }>> {
  const until = performance.now() + withinMs;
  const busy = () => Object.values(subject.stats()).some((pool) => pool.running > 0 || pool.pending > 0);
  while (busy() && performance.now() < until) await new Promise((resolve) => setTimeout(resolve, 10));
  return subject.stats();
}

afterEach(async () => {
  // Whatever a test did, its pools are idle at the end: nothing running, nothing queued.
  for (const subject of transports) {
    for (const pool of Object.values(await idle(subject))) expect(pool).toEqual(IDLE);
  }
  await Promise.all(transports.splice(0).map((subject) => subject.close()));
  await Promise.all(servers.splice(0).map((server) => server.close()));
  attempts.count = 0;
});

describe('the deadline', () => {
  it('covers a body that keeps trickling in: UPSTREAM_TIMEOUT at the deadline, not per chunk', async () => {
    // One byte every 40 ms for 2 s: no single gap comes near any idle timeout.
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': 50 });
      const timer = setInterval(() => res.write(' '), 40);
      res.on('close', () => clearInterval(timer));
    });
    const { error, elapsed } = await timed(() => transport({ timeoutMs: 300 }).send(get(server.url)));
    expect(error).toBeInstanceOf(UpstreamTimeoutError);
    expect(error).toMatchObject({ endpoint: 'GET /test', timeoutMs: 300, message: 'GET /test: no complete answer within 300 ms' });
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(300 + 150);
    // A timeout is not retried, even on a GET: the deadline is spent.
    expect(server.hits()).toBe(1);
  });

  it('covers headers that never come', async () => {
    const server = await serve(() => {});
    const subject = transport({ timeoutMs: 200 });
    const pending = timed(() => subject.send(post(server.url)));
    await new Promise((resolve) => setTimeout(resolve, 100));
    // While the upstream hangs, the call shows as running in its origin's pool.
    expect(subject.stats()[server.url]).toEqual({ running: 1, pending: 0 });
    const { error, elapsed } = await pending;
    expect(error).toBeInstanceOf(UpstreamTimeoutError);
    expect(elapsed).toBeGreaterThanOrEqual(190);
    expect(elapsed).toBeLessThan(200 + 150);
    expect(poolOf(await idle(subject), server.url)).toEqual(IDLE);
  });

  it('is one deadline for all attempts: a GET retried against slow 503s still ends by it', async () => {
    const server = await serve((_req, res) => setTimeout(() => reply(res, 503, '{"code":503}'), 120));
    const { value, error, elapsed } = await timed(() => transport({ timeoutMs: 300, maxAttempts: 10 }).send(get(server.url)));
    // Either the last 503 (no time left for another try) or a timeout during the last try.
    if (error === undefined) expect(value?.status).toBe(503);
    else expect(error).toBeInstanceOf(UpstreamTimeoutError);
    expect(elapsed).toBeLessThan(300 + 100);
    expect(server.hits()).toBeGreaterThanOrEqual(2);
    expect(server.hits()).toBeLessThanOrEqual(3);
  });

  it('bounds retries of refused connections: many attempts allowed, the call still ends by the deadline', async () => {
    const port = await refusingPort();
    const { error, elapsed } = await timed(() => transport({ timeoutMs: 250, maxAttempts: 1000, backoffMs: 20 }).send(post(`http://127.0.0.1:${port}`)));
    expect(error).toBeInstanceOf(UpstreamUnavailableError);
    expect(elapsed).toBeLessThan(250 + 50);
    expect(attempts.count).toBeGreaterThan(1);
    expect(attempts.count).toBeLessThan(1000);
  });
});

describe('retries', () => {
  it('a POST reset mid-body is not replayed: the upstream may have acted on it', async () => {
    const server = await serve((_req, res) => resetMidBody(res));
    const { error } = await timed(() => transport().send(post(server.url)));
    expect(error).toBeInstanceOf(UpstreamUnavailableError);
    expect((error as Error).message).toMatch(/^POST \/test: /);
    expect(server.hits()).toBe(1);
    expect(attempts.count).toBe(1);
  });

  it('a POST answered 502 is returned as is, not replayed', async () => {
    const server = await serve((_req, res) => reply(res, 502, '<html>Bad Gateway</html>'));
    const answer = await transport().send(post(server.url));
    expect(answer).toMatchObject({ status: 502, body: '<html>Bad Gateway</html>' });
    expect(server.hits()).toBe(1);
  });

  it('a POST whose connection was refused is sent again, and reaches the upstream once it listens', async () => {
    const port = await refusingPort();
    const subject = transport({ timeoutMs: 3000, maxAttempts: 20, backoffMs: 20 });
    const call = timed(() => subject.send(post(`http://127.0.0.1:${port}`)));
    // The first attempt is refused at once; the upstream comes up 60 ms later.
    await new Promise((resolve) => setTimeout(resolve, 60));
    const attemptsRefused = attempts.count;
    const server = await serve((_req, res) => reply(res, 201, '{"created":true}'), port);
    const { value, error, elapsed } = await call;
    expect(error).toBeUndefined();
    expect(value).toMatchObject({ status: 201, body: '{"created":true}' });
    expect(attemptsRefused).toBeGreaterThanOrEqual(1);
    expect(attempts.count).toBeGreaterThan(attemptsRefused);
    // Refused attempts never reached anyone: the upstream saw the POST exactly once.
    expect(server.hits()).toBe(1);
    expect(elapsed).toBeGreaterThanOrEqual(55);
  });

  it('a POST to a port that keeps refusing is tried maxAttempts times, then answers UPSTREAM_UNAVAILABLE', async () => {
    const port = await refusingPort();
    const { error } = await timed(() => transport({ timeoutMs: 2000, maxAttempts: 3, backoffMs: 5 }).send(post(`http://127.0.0.1:${port}`)));
    expect(error).toBeInstanceOf(UpstreamUnavailableError);
    expect((error as Error).message).toMatch(/^POST \/test: ECONNREFUSED/);
    expect(attempts.count).toBe(3);
  });

  it('a GET answered 502 and 503 is retried, and succeeds when the upstream recovers', async () => {
    const server = await serve((_req, res, hit) => {
      if (hit === 1) reply(res, 502, '<html>Bad Gateway</html>');
      else if (hit === 2) reply(res, 503, '{"code":503}');
      else reply(res, 200, '{"code":200,"data":{"token":"ok"}}');
    });
    const answer = await transport().send(get(server.url));
    expect(answer).toMatchObject({ status: 200, body: '{"code":200,"data":{"token":"ok"}}' });
    expect(server.hits()).toBe(3);
  });

  it('a GET answered 504 every time gives up after maxAttempts with the last answer', async () => {
    const server = await serve((_req, res, hit) => reply(res, 504, `{"hit":${hit}}`));
    const answer = await transport({ maxAttempts: 4, backoffMs: 5 }).send(get(server.url));
    expect(answer).toMatchObject({ status: 504, body: '{"hit":4}' });
    expect(server.hits()).toBe(4);
  });

  it('a GET reset mid-body is retried', async () => {
    const server = await serve((_req, res, hit) => (hit === 1 ? resetMidBody(res) : reply(res, 200, '{"ok":true}')));
    const answer = await transport().send(get(server.url));
    expect(answer).toMatchObject({ status: 200, body: '{"ok":true}' });
    expect(server.hits()).toBe(2);
  });

  it('a GET answered 500 or 429 is not retried: only 502, 503 and 504 are', async () => {
    const server = await serve((_req, res, hit) => reply(res, hit === 1 ? 500 : 429, '{}'));
    const subject = transport();
    expect((await subject.send(get(server.url))).status).toBe(500);
    expect((await subject.send(get(server.url))).status).toBe(429);
    expect(server.hits()).toBe(2);
  });
});

describe('maxResponseBytes', () => {
  it('refuses a body over the limit with UPSTREAM_BAD_RESPONSE, and does not retry it', async () => {
    const server = await serve((_req, res) => reply(res, 200, `"${'x'.repeat(2046)}"`));
    const { error } = await timed(() => transport({ maxResponseBytes: 1024 }).send(get(server.url)));
    expect(error).toBeInstanceOf(UpstreamResponseShapeError);
    expect((error as Error).message).toBe('GET /test: answer larger than 1024 bytes');
    expect(server.hits()).toBe(1);
  });

  it('refuses a chunked body without Content-Length once it passes the limit', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      for (let i = 0; i < 8; i++) res.write('y'.repeat(512));
      res.end();
    });
    const { error } = await timed(() => transport({ maxResponseBytes: 2048 }).send(post(server.url)));
    expect(error).toBeInstanceOf(UpstreamResponseShapeError);
  });

  it('accepts a body of exactly the limit', async () => {
    const body = `"${'z'.repeat(1022)}"`;
    const server = await serve((_req, res) => reply(res, 200, body));
    const answer = await transport({ maxResponseBytes: 1024 }).send(get(server.url));
    expect(answer.body).toBe(body);
  });

  it('defaults to 1 MiB', async () => {
    const server = await serve((_req, res) => reply(res, 200, 'x'.repeat(1024 * 1024 + 1)));
    const { error } = await timed(() => transport().send(get(server.url)));
    expect(error).toBeInstanceOf(UpstreamResponseShapeError);
  });
});

describe('stats()', () => {
  it('counts queued calls as pending; the deadline covers time spent in the queue', async () => {
    const hanging = await serve(() => {});
    const subject = transport({ timeoutMs: 250, connections: 2 });
    const started = performance.now();
    const calls = Array.from({ length: 5 }, () => subject.send(post(hanging.url)).catch((error: unknown) => error));
    while (hanging.hits() < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(subject.stats()[hanging.url]).toEqual({ running: 2, pending: 3 });
    const errors = await Promise.all(calls);
    const elapsed = performance.now() - started;
    for (const error of errors) expect(error).toBeInstanceOf(UpstreamTimeoutError);
    expect(elapsed).toBeLessThan(250 + 150);
    // Queued calls timed out in the queue: they never reached the upstream.
    expect(hanging.hits()).toBe(2);
    expect(poolOf(await idle(subject), hanging.url)).toEqual(IDLE);
  });

  it('is per origin and returns to idle after answers, failures and timeouts', async () => {
    const ok = await serve((_req, res) => reply(res, 200, '{}'));
    const hanging = await serve(() => {});
    const port = await refusingPort();
    const subject = transport({ timeoutMs: 200, backoffMs: 5 });
    const results = await Promise.allSettled([
      subject.send(get(ok.url)),
      subject.send(get(ok.url)),
      subject.send(post(hanging.url)),
      subject.send(post(`http://127.0.0.1:${port}`)),
    ]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'rejected']);
    const stats = await idle(subject);
    expect(poolOf(stats, ok.url)).toEqual(IDLE);
    expect(poolOf(stats, hanging.url)).toEqual(IDLE);
    expect(Object.values(stats).every((pool) => pool.running === 0 && pool.pending === 0)).toBe(true);
  });
});

describe('the connection pool', () => {
  it('opens at most `connections` connections: 10 calls at once on 3 wait their turn, and all are answered', async () => {
    let inFlight = 0;
    let peak = 0;
    const server = await serve((_req, res, hit) => {
      peak = Math.max(peak, ++inFlight);
      setTimeout(() => {
        inFlight -= 1;
        reply(res, 200, `{"hit":${hit}}`);
      }, 20);
    });
    const subject = transport({ timeoutMs: 2000, connections: 3 });
    const answers = await Promise.all(Array.from({ length: 10 }, () => subject.send(post(server.url))));
    expect(answers.map((answer) => answer.status)).toEqual(Array(10).fill(200));
    expect(answers.map((answer) => JSON.parse(answer.body).hit).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(server.connections()).toBeLessThanOrEqual(3);
    expect(peak).toBeLessThanOrEqual(3);
  });

  it('by default is no small pool: 10 calls at once are all sent at once, on 10 connections', async () => {
    // Nothing is answered until all 10 requests are in: a pool of fewer connections would keep
    // the rest queued and every call would end in UPSTREAM_TIMEOUT.
    const waiting: ServerResponse[] = [];
    const server = await serve((_req, res) => {
      waiting.push(res);
      if (waiting.length === 10) for (const held of waiting) reply(held, 200, '{}');
    });
    const subject = transport({ timeoutMs: 2000 });
    const answers = await Promise.all(Array.from({ length: 10 }, () => subject.send(post(server.url))));
    expect(answers.map((answer) => answer.status)).toEqual(Array(10).fill(200));
    expect(server.connections()).toBe(10);
  });
});
