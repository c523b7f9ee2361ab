import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Gateway } from '../gateway.js';

/** Options of {@link createHttpServer}: the limits a hostile or broken client meets. */
export interface HttpServerOptions {
  /**
   * Time a client has to send the complete request line and headers, counted from its first
   * byte. A slow-loris client trickling headers is answered 408 and cut off.
   * @default 10_000
   */
  headersTimeoutMs?: number;
  /**
   * Time a client has to send the whole request, headers and body. A client trickling its body
   * is answered 408 and cut off. At least `headersTimeoutMs`.
   * @default 30_000
   */
  requestTimeoutMs?: number;
  /**
   * How long an idle keep-alive connection stays open after a response, as advertised to clients
   * (`Keep-Alive: timeout=5`). Node closes the socket 1 s later than this, so a client that
   * reuses a connection just before the advertised end does not race the close. Put it above the
   * idle timeout of a load balancer in front (AWS ALB: 60 s) when one pools connections to us.
   * @default 5_000
   */
  keepAliveTimeoutMs?: number;
  /**
   * How often the header and request deadlines are checked; a slow client is cut off at most
   * this much after its deadline. Node's own default (30 s) would triple a 10 s deadline.
   * @default 1_000
   */
  connectionsCheckingIntervalMs?: number;
  /**
   * Inactivity on a socket with a request in progress (the client neither sends nor reads) after
   * which the socket is destroyed: this stops a client that never reads its answer. Keep it
   * above the longest legitimate answer time (upstream deadline, retries and failover).
   * @default 60_000
   */
  socketTimeoutMs?: number;
  /**
   * Largest request line plus headers, in bytes; beyond it the client gets 431. Tokens are at
   * most a few KB, so this leaves room for cookies without allowing megabyte headers.
   * @default 16_384
   */
  maxHeaderSize?: number;
  /**
   * Headers read per request; further headers are ignored.
   * @default 100
   */
  maxHeadersCount?: number;
  /**
   * How long {@link HttpServer.drain} waits for in-flight requests before it force-closes their
   * connections. After {@link HttpServer.shutdown}'s delay it counts from the delay's end, so a
   * request that arrived just before the listener closed has all of it.
   * @default 15_000
   */
  drainTimeoutMs?: number;
  /**
   * Requests started per turn of the event loop. When the gateway is busy, Node reads a request
   * from every connection that has one in a single turn; started all at once, each keeps what it
   * allocated alive through a turn that grows with the connections, and the collector copies and
   * promotes it, so every request costs more CPU as connections grow. Past this many in one turn,
   * requests wait, parsed, in arrival order, for the turns after (one whose connection closes
   * meanwhile is dropped), and a keep-alive connection answered meanwhile is paused so that its
   * next request waits unread in the kernel; below it nothing waits
   * (docs/decisions/009-requests-per-turn.md). `Infinity` starts every request as it arrives.
   * @default 16
   */
  requestsPerTurn?: number;
}

/** Every option of {@link HttpServerOptions} with its default. */
export const DEFAULT_HTTP_SERVER_OPTIONS: Readonly<Required<HttpServerOptions>> = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  connectionsCheckingIntervalMs: 1_000,
  socketTimeoutMs: 60_000,
  maxHeaderSize: 16_384,
  maxHeadersCount: 100,
  drainTimeoutMs: 15_000,
  requestsPerTurn: 16,
};

/** What {@link HttpServer.drain} did. */
export interface DrainResult {
  /** Requests still unanswered when the timeout force-closed their connections: 0 for a clean drain. */
  abandoned: number;
  /** Milliseconds from the start of the drain (the end of a shutdown's delay) until every connection was closed. */
  durationMs: number;
}

/** Options of {@link HttpServer.shutdown}. */
export interface ShutdownOptions {
  /**
   * How long every request is still served after `/readiness` turns 503, before the listener
   * closes: long enough for balancers that poll `/readiness` to stop sending traffic (at least
   * their check interval × fall count). `0`: drain at once.
   */
  delayMs: number;
  /** The drain's timeout, counted from the end of the delay. @default the server's `drainTimeoutMs` */
  timeoutMs?: number;
  /** Called when the delay ends and the drain begins (the listener closes), on time or cut short. */
  onDrain?: () => void;
}

/** The gateway's HTTP server, which {@link createHttpServer} makes. */
export interface HttpServer {
  /** The underlying Node server, e.g. for its `address()`. */
  server: Server;
  /** Listens on `port` (0: any free port) and `host`; rejects when that fails (e.g. EADDRINUSE). */
  listen(port: number, host: string): Promise<AddressInfo>;
  /**
   * Closes soon, so that a load balancer stops sending traffic before the listener closes: marks
   * the gateway not ready (`/readiness` answers 503 "shutting down") and keeps serving every
   * request for `delayMs`, each answer with `Connection: close` so that keep-alive clients and
   * balancers open their next connection elsewhere; then drains ({@link drain}, its timeout
   * counted from then). Resolves when the drain ends. Calling it again returns the same shutdown;
   * `drain()` or `close()` meanwhile cuts the delay short.
   */
  shutdown(options: ShutdownOptions): Promise<DrainResult>;
  /**
   * Marks the gateway not ready, stops accepting connections, lets in-flight requests finish
   * (their answers carry `Connection: close`), closes idle keep-alive connections at once and
   * each busy one when its answer is sent, and force-closes whatever remains after `timeoutMs`.
   * Calling it again returns the same drain.
   */
  drain(timeoutMs?: number): Promise<DrainResult>;
  /** Closes every connection now, in-flight requests included. */
  close(): Promise<void>;
}

interface Entry {
  readonly response: ServerResponse;
  newer: Entry | undefined;
  older: Entry | undefined;
}

/**
 * The answers a server has not sent yet, as a list linked through entries of its own. Not a
 * `Set`: one that holds each answer while it is in flight makes V8 promote much of what every
 * request allocates to the old generation, and so collect that generation far more often
 * (docs/decisions/005-answers-in-flight-list.md).
 */
class AnswersInFlight implements Iterable<ServerResponse> {
  #newest: Entry | undefined;

  add(response: ServerResponse): Entry {
    const entry: Entry = { response, newer: undefined, older: this.#newest };
    if (this.#newest !== undefined) this.#newest.newer = entry;
    this.#newest = entry;
    return entry;
  }

  /** Takes out an entry `add` returned; once only. */
  remove(entry: Entry): void {
    if (entry.newer === undefined) this.#newest = entry.older;
    else entry.newer.older = entry.older;
    if (entry.older !== undefined) entry.older.newer = entry.newer;
    entry.newer = undefined;
    entry.older = undefined;
  }

  *[Symbol.iterator](): Iterator<ServerResponse> {
    for (let entry = this.#newest; entry !== undefined; entry = entry.older) yield entry.response;
  }
}

/** A first-in first-out queue whose `shift` is constant-time: an array read from a moving head. */
class Fifo<T> {
  #items: (T | undefined)[] = [];
  #head = 0;

  get size(): number {
    return this.#items.length - this.#head;
  }

  push(item: T): void {
    this.#items.push(item);
  }

  /** The oldest item, left in place; `undefined` when empty. */
  peek(): T | undefined {
    return this.#items[this.#head];
  }

  /** Takes out the oldest item; `undefined` when empty. */
  shift(): T | undefined {
    if (this.size === 0) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head++] = undefined;
    if (this.size === 0) {
      this.#items = [];
      this.#head = 0;
    }
    return item;
  }
}

/**
 * Starts at most `perTurn` requests per turn of the event loop, the rest in arrival order in the
 * turns after (see {@link HttpServerOptions.requestsPerTurn}). A turn's count is reset by a
 * `setImmediate`, which runs after the turn's I/O callbacks; only a busy turn schedules one.
 *
 * While requests wait, a keep-alive connection whose answer has just gone is paused: its next
 * request stays in the kernel's socket buffer instead of waiting here, parsed, through the
 * collections of a busy heap. Paused connections resume, oldest first, as the turns have room for
 * their requests, and none stays paused past `maxHoldMs` (below the keep-alive timeout, after
 * which Node would close it as idle).
 */
class TurnAdmission {
  readonly #perTurn: number;
  readonly #maxHoldMs: number;
  readonly #start: (request: IncomingMessage, response: ServerResponse) => void;
  #startedThisTurn = 0;
  #turnEndScheduled = false;
  // Requests read but not started.
  readonly #waiting = new Fifo<[IncomingMessage, ServerResponse]>();
  // Paused connections, with when each was paused.
  readonly #held = new Fifo<{ socket: Socket; since: number }>();

  constructor(perTurn: number, maxHoldMs: number, start: (request: IncomingMessage, response: ServerResponse) => void) {
    this.#perTurn = perTurn;
    this.#maxHoldMs = maxHoldMs;
    this.#start = start;
  }

  /** Starts the request now if this turn has room and nothing waits before it, else queues it. */
  admit(request: IncomingMessage, response: ServerResponse): void {
    if (this.#startedThisTurn < this.#perTurn && this.#waiting.size === 0) {
      this.#startedThisTurn++;
      this.#start(request, response);
    } else {
      this.#waiting.push([request, response]);
    }
    this.#scheduleTurnEnd();
  }

  /** A keep-alive connection's answer has gone: while requests wait, leave its next one unread. */
  answered(socket: Socket): void {
    if (this.#waiting.size === 0 || socket.destroyed || socket.isPaused()) return;
    socket.pause();
    this.#held.push({ socket, since: performance.now() });
    this.#scheduleTurnEnd();
  }

  /** Resumes every paused connection (a drain is starting: their requests must be read now). */
  releaseAll(): void {
    this.#resumeHeld(Infinity, Infinity);
  }

  #scheduleTurnEnd(): void {
    if (this.#turnEndScheduled) return;
    this.#turnEndScheduled = true;
    setImmediate(this.#endTurn);
  }

  readonly #endTurn = (): void => {
    this.#turnEndScheduled = false;
    this.#startedThisTurn = 0;
    while (this.#startedThisTurn < this.#perTurn && this.#waiting.size > 0) {
      const [request, response] = this.#waiting.shift()!;
      // Its connection was closed while it waited (a client reset, `close()`): nobody would read the answer.
      if (request.destroyed || request.socket.destroyed) continue;
      this.#startedThisTurn++;
      this.#start(request, response);
    }
    this.#resumeHeld(this.#perTurn - this.#waiting.size, performance.now() - this.#maxHoldMs);
    // What this turn started counts against it until the next turn end; none is needed when idle.
    if (this.#startedThisTurn > 0 || this.#waiting.size > 0 || this.#held.size > 0) this.#scheduleTurnEnd();
  };

  /** Resumes the oldest paused connections: `room` of them, and any paused since before `pausedBefore`. */
  #resumeHeld(room: number, pausedBefore: number): void {
    for (let oldest = this.#held.peek(); oldest !== undefined && (room > 0 || oldest.since < pausedBefore); oldest = this.#held.peek()) {
      this.#held.shift();
      if (oldest.socket.destroyed) continue;
      oldest.socket.resume();
      room--;
    }
  }
}

/**
 * A Node HTTP server for the gateway's Yoga instance, with header, request, keep-alive and socket
 * timeouts, a shutdown that balancers can follow and a graceful drain. It does not own the
 * gateway: close that after the drain.
 */
export function createHttpServer(gateway: Pick<Gateway, 'yoga'> & Partial<Pick<Gateway, 'readiness'>>, options: HttpServerOptions = {}): HttpServer {
  const settings = { ...DEFAULT_HTTP_SERVER_OPTIONS, ...options };
  if (settings.headersTimeoutMs > settings.requestTimeoutMs) {
    throw new RangeError('createHttpServer: headersTimeoutMs must not exceed requestTimeoutMs');
  }
  if (!(Number.isInteger(settings.requestsPerTurn) && settings.requestsPerTurn > 0) && settings.requestsPerTurn !== Infinity) {
    throw new RangeError('createHttpServer: requestsPerTurn must be a positive integer or Infinity');
  }

  // Answers not yet sent, so a drain knows what it waits for and what a timeout abandons.
  const inFlight = new AnswersInFlight();
  // From the start of a shutdown's delay: every answer carries `Connection: close`.
  let closing = false;
  let shutdownStarted: Promise<DrainResult> | undefined;
  let endDelay: (() => void) | undefined;
  let drainStarted: Promise<DrainResult> | undefined;

  // Yoga answers every error itself (masked); it never rejects.
  const admission = new TurnAdmission(settings.requestsPerTurn, settings.keepAliveTimeoutMs / 2, (request, response) => void gateway.yoga(request, response));
  const server = createServer(
    {
      headersTimeout: settings.headersTimeoutMs,
      requestTimeout: settings.requestTimeoutMs,
      keepAliveTimeout: settings.keepAliveTimeoutMs,
      connectionsCheckingInterval: settings.connectionsCheckingIntervalMs,
      maxHeaderSize: settings.maxHeaderSize,
    },
    (request: IncomingMessage, response: ServerResponse) => {
      const entry = inFlight.add(response);
      response.once('close', () => {
        inFlight.remove(entry);
        if (!closing) admission.answered(request.socket);
        // The connection turns idle only after this event; close it then rather than keep it
        // open for a request the drain would refuse anyway.
        if (drainStarted !== undefined) setImmediate(() => server.closeIdleConnections());
      });
      // A keep-alive connection may still send a request while the server closes.
      if (closing) response.setHeader('connection', 'close');
      admission.admit(request, response);
    },
  );
  server.maxHeadersCount = settings.maxHeadersCount;
  server.timeout = settings.socketTimeoutMs;

  const abandoned = new Set<ServerResponse>();
  function forceClose(): void {
    for (const response of inFlight) abandoned.add(response);
    server.closeAllConnections();
  }

  function closeSoon(): void {
    closing = true;
    admission.releaseAll();
    gateway.readiness?.startDraining();
    for (const response of inFlight) {
      if (!response.headersSent) response.setHeader('connection', 'close');
    }
  }

  function shutdown({ delayMs, timeoutMs, onDrain }: ShutdownOptions): Promise<DrainResult> {
    shutdownStarted ??=
      drainStarted ??
      new Promise<DrainResult>((resolve) => {
        closeSoon();
        const timer = setTimeout(() => resolve(drain(timeoutMs)), delayMs);
        endDelay = () => {
          clearTimeout(timer);
          onDrain?.();
          resolve(drainStarted!);
        };
      });
    return shutdownStarted;
  }

  function drain(timeoutMs = settings.drainTimeoutMs): Promise<DrainResult> {
    drainStarted ??= new Promise<DrainResult>((resolve) => {
      const started = performance.now();
      closeSoon();
      const force = setTimeout(forceClose, timeoutMs);
      // `close` stops listening at once and calls back when the last connection has ended (or at
      // once, with an error we do not need, when the server never listened).
      server.close(() => {
        clearTimeout(force);
        resolve({ abandoned: abandoned.size, durationMs: Math.round(performance.now() - started) });
      });
      server.closeIdleConnections();
    });
    endDelay?.();
    endDelay = undefined;
    return drainStarted;
  }

  return {
    server,
    listen(port, host) {
      return new Promise<AddressInfo>((resolve, reject) => {
        const onError = (error: Error) => reject(error);
        server.once('error', onError);
        server.listen(port, host, () => {
          server.off('error', onError);
          resolve(server.address() as AddressInfo);
        });
      });
    },
    shutdown,
    drain,
    async close() {
      const drained = drain(0);
      forceClose();
      await drained;
    },
  };
}
