import { Agent, type Dispatcher, errors as undiciErrors } from 'undici';
import { UpstreamResponseShapeError, UpstreamTimeoutError, UpstreamUnavailableError } from '../errors/gateway-errors.js';

/** Options of {@link createHttpTransport}. */
export interface HttpTransportOptions {
  /** Deadline of one call, from sending the request to the last byte of the answer. */
  timeoutMs: number;
  /**
   * Most keep-alive connections open to one upstream origin at once; a call finding them all
   * busy waits for one. Needed: upstream latency × calls per second (200 ms × 500/s = 100).
   * @default 256
   */
  connections?: number;
  /** Largest answer body accepted, in bytes; a larger one is an UPSTREAM_BAD_RESPONSE. @default 1048576 */
  maxResponseBytes?: number;
  /** Attempts of one call, retries included (see {@link HttpTransport.send}). @default 3 */
  maxAttempts?: number;
  /** First retry's backoff ceiling in ms; doubles each retry, with full jitter. @default 50 */
  backoffMs?: number;
  /**
   * Sees every call, for metrics and tracing: runs before the first attempt, may add headers
   * (a W3C `traceparent`), and hears once how the call ended, retries included.
   * @default none
   */
  observe?: (call: HttpCall) => HttpCallObservation;
}

/** One upstream call. `endpoint` names it in errors and logs: it must hold no secret. */
export interface HttpCall {
  endpoint: string;
  method: 'GET' | 'POST' | 'DELETE';
  url: string;
  headers: Record<string, string>;
  body?: string;
}

/** A complete answer, body read to the end. */
export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface HttpTransport {
  /**
   * Sends one call within the deadline. Retries, with backoff and jitter and within the same
   * deadline, only what cannot repeat an effect: failures before the request left (connection
   * refused, DNS, connect timeout) for any method, and for GETs also resets and 502/503/504.
   * A POST or DELETE the upstream may have seen is never replayed.
   */
  send(call: HttpCall): Promise<HttpAnswer>;
  /** Per upstream origin: requests in flight and queued. The pool is idle when both are 0. */
  stats(): Record<string, { running: number; pending: number }>;
  /** Closes the pooled connections. */
  close(): Promise<void>;
}

/**
 * The gateway's only way to reach BigCommerce: a pooled keep-alive agent and a deadline that
 * covers the whole exchange. It turns every network failure into an `UpstreamError`, so the
 * clients above it only deal with answers.
 */
export function createHttpTransport(options: HttpTransportOptions): HttpTransport {
  const maxResponseBytes = options.maxResponseBytes ?? 1024 * 1024;
  const agent = new Agent({
    connections: options.connections ?? 256,
    keepAliveTimeout: 10_000,
    // undici's own timers stay as a backstop; the call's Deadline below enforces ours.
    headersTimeout: options.timeoutMs + 1_000,
    bodyTimeout: options.timeoutMs + 1_000,
    // Counted as the bytes arrive: past it, undici drops the connection and the read fails.
    maxResponseSize: maxResponseBytes,
  });

  const maxAttempts = options.maxAttempts ?? 3;
  const backoffMs = options.backoffMs ?? 50;

  async function send(call: HttpCall): Promise<HttpAnswer> {
    const deadline = new Deadline(options.timeoutMs);
    try {
      return await attempts(call, deadline);
    } finally {
      deadline.clear();
    }
  }

  async function attempts(call: HttpCall, deadline: Deadline): Promise<HttpAnswer> {
    const idempotent = call.method === 'GET';
    for (let attempt = 1; ; attempt++) {
      // Each attempt ends in an answer to return or an error to throw, unless it may be retried.
      let settle: () => HttpAnswer;
      try {
        const answer = await sendOnce(call, deadline);
        if (!(idempotent && RETRYABLE_STATUSES.has(answer.status))) return answer;
        settle = () => answer;
      } catch (error) {
        if (!(isBeforeSend(error) || (idempotent && error instanceof UpstreamUnavailableError))) throw error;
        settle = () => {
          throw error;
        };
      }
      // Full jitter: a random wait up to a doubling ceiling, and never past the deadline.
      const wait = Math.random() * backoffMs * 2 ** (attempt - 1);
      if (attempt >= maxAttempts || wait >= deadline.remainingMs()) return settle();
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  /**
   * One attempt through undici's `dispatch`: the answer's chunks are gathered as they arrive,
   * with no body stream, promise or `AbortSignal` per call (`undici.request` builds all three).
   */
  function sendOnce(call: HttpCall, deadline: Deadline): Promise<HttpAnswer> {
    return new Promise((resolve, reject) => {
      const fail = (error: unknown) => reject(asUpstreamError(call.endpoint, error, deadline));
      if (deadline.expired) return fail(undefined);
      const url = new URL(call.url);
      let status = 0;
      let headers: HttpAnswer['headers'] = {};
      const chunks: Buffer[] = [];
      const handler: Dispatcher.DispatchHandler = {
        onRequestStart: (controller) => deadline.watch(() => controller.abort(new UpstreamTimeoutError(call.endpoint, options.timeoutMs))),
        onResponseStart: (_controller, statusCode, answerHeaders) => {
          status = statusCode;
          headers = answerHeaders;
        },
        onResponseData: (_controller, chunk) => {
          chunks.push(chunk);
        },
        onResponseEnd: () => {
          deadline.watch(undefined);
          resolve({ status, headers, body: Buffer.concat(chunks).toString('utf8') });
        },
        onResponseError: (_controller, error) => {
          deadline.watch(undefined);
          fail(error);
        },
      };
      agent.dispatch({ origin: url.origin, path: `${url.pathname}${url.search}`, method: call.method, headers: call.headers, body: call.body }, handler);
    });
  }

  function asUpstreamError(endpoint: string, error: unknown, deadline: Deadline): Error {
    if (error instanceof undiciErrors.ResponseExceededMaxSizeError) {
      return new UpstreamResponseShapeError(endpoint, `answer larger than ${maxResponseBytes} bytes`);
    }
    if (deadline.expired) return new UpstreamTimeoutError(endpoint, options.timeoutMs);
    if (error instanceof undiciErrors.HeadersTimeoutError || error instanceof undiciErrors.BodyTimeoutError) {
      return new UpstreamTimeoutError(endpoint, options.timeoutMs);
    }
    return new UpstreamUnavailableError(endpoint, describeNetworkError(error), undefined, { cause: error });
  }

  const stats = () =>
    Object.fromEntries(
      Object.entries(agent.stats).map(([origin, pool]) => [origin, { running: pool.running, pending: pool.pending }]),
    );

  return { send: options.observe ? observed(send, options.observe) : send, stats, close: () => agent.close() };
}

/** What an {@link HttpTransportOptions.observe} hook does with one call. */
export interface HttpCallObservation {
  /** Sent with the call on top of its own headers, e.g. `traceparent`. */
  headers?: Record<string, string>;
  /** Called once when the call settled: the final answer's status, or the error it threw. */
  end(outcome: { status?: number; error?: unknown; durationMs: number }): void;
}

/**
 * The whole call's deadline, retries included: one timer, cleared when the call ends (an
 * `AbortSignal.timeout` would outlive every call by the whole deadline, thousands at a time under
 * load; an `AbortController` per call costs an `EventTarget` for one listener). While an attempt
 * is in flight it holds what cancels that attempt.
 */
class Deadline {
  #expired = false;
  readonly #endsAt: number;
  readonly #timer: NodeJS.Timeout;
  #cancel: (() => void) | undefined;

  constructor(ms: number) {
    this.#endsAt = Date.now() + ms;
    this.#timer = setTimeout(() => {
      this.#expired = true;
      this.#cancel?.();
    }, ms);
    this.#timer.unref();
  }

  /** Whether the deadline has passed: set by its own timer only. */
  get expired(): boolean {
    return this.#expired;
  }

  /**
   * What ends the attempt in flight when the deadline passes (at once if it has: a call queued
   * for a connection starts only when one is free); `undefined` once the attempt settled.
   */
  watch(cancel: (() => void) | undefined): void {
    if (this.#expired) cancel?.();
    else this.#cancel = cancel;
  }

  remainingMs(): number {
    return this.#endsAt - Date.now();
  }

  clear(): void {
    clearTimeout(this.#timer);
  }
}

function observed(send: HttpTransport['send'], observe: (call: HttpCall) => HttpCallObservation): HttpTransport['send'] {
  return async (call) => {
    const observation = observe(call);
    const startedAt = performance.now();
    try {
      const answer = await send(observation.headers === undefined ? call : { ...call, headers: { ...call.headers, ...observation.headers } });
      observation.end({ status: answer.status, durationMs: performance.now() - startedAt });
      return answer;
    } catch (error) {
      observation.end({ error, durationMs: performance.now() - startedAt });
      throw error;
    }
  };
}

const RETRYABLE_STATUSES = new Set([502, 503, 504]);

// Errors raised while connecting: the request never left, so even a POST may be sent again.
const BEFORE_SEND_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

function isBeforeSend(error: unknown): boolean {
  if (!(error instanceof UpstreamUnavailableError)) return false;
  const code = (error.cause as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && BEFORE_SEND_CODES.has(code);
}

function describeNetworkError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? `${code}: ${error.message}` : error.message;
  }
  return 'network error';
}

/** A header's first value. */
export function headerValue(headers: HttpAnswer['headers'], name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}
