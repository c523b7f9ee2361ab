import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Span } from '@opentelemetry/api';

/** The header a request id comes in and goes back in. */
export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * What the gateway knows about one request: its id, when it came, what it asked and how it
 * ended. Kept beside the request object (every Yoga hook has it, and resolvers have it as
 * `context.request`); `plugins/use-request-id.ts` opens it first, the other observability
 * plugins fill it in.
 *
 * Not in an `AsyncLocalStorage`: on Node 20 that turns on async hooks for every promise of the
 * process, a cost every request pays (docs/decisions/003-no-async-local-storage.md). Whoever
 * needs the scope is handed the request.
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

const scopes = new WeakMap<Request, RequestScope>();

/** The scope of `request`, opened on the first ask: the id, and the time it arrived. */
export function requestScopeOf(request: Request): RequestScope {
  let scope = scopes.get(request);
  if (scope === undefined) {
    scope = { requestId: requestIdFrom(request.headers.get(REQUEST_ID_HEADER)), startedAt: performance.now() };
    scopes.set(request, scope);
  }
  return scope;
}

/** The fields a log line about the request carries: its id, and the trace id when traced. */
export function logFieldsOf(scope: RequestScope): { requestId: string; traceId?: string } {
  const traceId = scope.span?.spanContext().traceId;
  return traceId === undefined ? { requestId: scope.requestId } : { requestId: scope.requestId, traceId };
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
