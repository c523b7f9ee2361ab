import { Agent, errors as undiciErrors, request } from 'undici';
import { UpstreamResponseShapeError, UpstreamTimeoutError, UpstreamUnavailableError } from '../errors.js';

/** Options of {@link createHttpTransport}. */
export interface HttpTransportOptions {
  /** Deadline of one call, from sending the request to the last byte of the answer. */
  timeoutMs: number;
  /** Keep-alive connections per upstream origin. @default 32 */
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
    connections: options.connections ?? 32,
    keepAliveTimeout: 10_000,
    // undici's own timers stay as a backstop; the AbortSignal below enforces our deadline.
    headersTimeout: options.timeoutMs + 1_000,
    bodyTimeout: options.timeoutMs + 1_000,
    // Counted as the bytes arrive: past it, undici drops the connection and the read fails.
    maxResponseSize: maxResponseBytes,
  });

  const maxAttempts = options.maxAttempts ?? 3;
  const backoffMs = options.backoffMs ?? 50;

  async function send(call: HttpCall): Promise<HttpAnswer> {
    const startedAt = Date.now();
    // A timer cleared when the call ends. `AbortSignal.timeout` would leave one behind for the
    // whole deadline after every call: thousands at a time under load, all surviving into V8's
    // old generation (bench/PROFILE.md).
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), options.timeoutMs);
    timer.unref();
    try {
      return await attempts(call, deadline.signal, startedAt);
    } finally {
      clearTimeout(timer);
    }
  }

  async function attempts(call: HttpCall, deadline: AbortSignal, startedAt: number): Promise<HttpAnswer> {
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
      if (attempt >= maxAttempts || Date.now() - startedAt + wait >= options.timeoutMs) return settle();
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  async function sendOnce(call: HttpCall, deadline: AbortSignal): Promise<HttpAnswer> {
    try {
      const response = await request(call.url, {
        method: call.method,
        headers: call.headers,
        body: call.body,
        dispatcher: agent,
        signal: deadline,
      });
      return { status: response.statusCode, headers: response.headers, body: await response.body.text() };
    } catch (error) {
      if (error instanceof undiciErrors.ResponseExceededMaxSizeError) {
        throw new UpstreamResponseShapeError(call.endpoint, `answer larger than ${maxResponseBytes} bytes`);
      }
      if (deadline.aborted) throw new UpstreamTimeoutError(call.endpoint, options.timeoutMs);
      if (error instanceof undiciErrors.HeadersTimeoutError || error instanceof undiciErrors.BodyTimeoutError) {
        throw new UpstreamTimeoutError(call.endpoint, options.timeoutMs);
      }
      throw new UpstreamUnavailableError(call.endpoint, describeNetworkError(error), undefined, { cause: error });
    }
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
