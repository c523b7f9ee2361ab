import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Span } from '@opentelemetry/api';
import type { Logger } from '../logger.js';

/** The header a request id comes in and goes back in. */
export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * What the gateway knows about the request it is serving, wherever that request's work is:
 * a hook, a resolver, an upstream call, a log line. `plugins/use-request-id.ts` opens it
 * around the whole request; the other observability plugins fill it in.
 */
export interface RequestScope {
  /** The caller's `X-Request-Id` when acceptable (see {@link requestIdFrom}), else a new UUID. */
  readonly requestId: string;
  /** `performance.now()` when the request arrived. */
  readonly startedAt: number;
  /** The operation's name, when the request named one (or its document did). */
  operationName?: string;
  /** `query`, `mutation` or `subscription`, once the document was parsed. */
  operationType?: string;
  /**
   * `ok`, or the first error's `extensions.code` as the client got it (after mapping and
   * masking). Set only for answers that carry a GraphQL result; unset for `/health`, `/metrics`,
   * CORS preflights and other answers that are not a GraphQL operation.
   */
  outcome?: string;
  /** The request's server span, when tracing is on. */
  span?: Span;
}

const scopes = new AsyncLocalStorage<RequestScope>();

/** The scope of the request whose work is running, if any. */
export function currentRequestScope(): RequestScope | undefined {
  return scopes.getStore();
}

/** Runs `work` (and everything it starts, sync or async) inside `scope`. */
export function runInRequestScope<Result>(scope: RequestScope, work: () => Result): Result {
  return scopes.run(scope, work);
}

/** A fresh scope for `request`. */
export function openRequestScope(request: Request): RequestScope {
  return { requestId: requestIdFrom(request.headers.get(REQUEST_ID_HEADER)), startedAt: performance.now() };
}

// Printable ASCII (spaces inside allowed; Headers trims the ends), at most 128 characters: what a
// proxy or a client's tracing puts there, and nothing that could split a log line or a header.
const ACCEPTED_REQUEST_ID = /^[\x20-\x7e]{1,128}$/;

/**
 * The request id to use: the caller's `X-Request-Id` when it is 1 to 128 printable ASCII
 * characters, so a proxy's or a client's id joins up with ours; a new random UUID otherwise.
 */
export function requestIdFrom(presented: string | null): string {
  return presented !== null && ACCEPTED_REQUEST_ID.test(presented) ? presented : randomUUID();
}

/**
 * `logger` with the current request's id (and trace id, when traced) added to every line
 * written while that request's work runs: the "operation failed" lines, Yoga's lines about
 * masked errors, the rate limiter's. Lines written outside a request are unchanged.
 */
export function withRequestFields(logger: Logger): Logger {
  const wrap =
    (level: keyof Logger) =>
    (...args: unknown[]): void => {
      const scope = scopes.getStore();
      if (scope === undefined) {
        logger[level](...args);
        return;
      }
      const traceId = scope.span?.spanContext().traceId;
      logger[level](...args, traceId === undefined ? { requestId: scope.requestId } : { requestId: scope.requestId, traceId });
    };
  return { debug: wrap('debug'), info: wrap('info'), warn: wrap('warn'), error: wrap('error') };
}
