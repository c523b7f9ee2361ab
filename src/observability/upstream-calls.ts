import { AsyncLocalStorage } from 'node:async_hooks';
import type { Plugin } from 'graphql-yoga';
import { UpstreamResponseShapeError, UpstreamTimeoutError, UpstreamUnavailableError } from '../errors/gateway-errors.js';
import type { Logger } from './logger.js';
import type { HttpCall, HttpCallObservation } from '../upstream/http-transport.js';
import type { GatewayMetrics } from './metrics.js';
import { logFieldsOf, requestScopeOf } from './request-scope.js';
import type { GatewayTracing } from './tracing.js';

/**
 * An endpoint as metrics and spans name it: no query string, and numeric path segments as
 * `:id` (`GET /api/v3/io/users/:id`), so one label value stands for one route, whoever's id.
 */
export function endpointLabel(endpoint: string): string {
  return endpoint.replace(/\?.*$/, '').replace(/\/\d+(?=\/|$)/g, '/:id');
}

/** Why a call got no answer, as metrics label it. */
export function errorKind(error: unknown): string {
  if (error instanceof UpstreamTimeoutError) return 'timeout';
  if (error instanceof UpstreamResponseShapeError) return 'bad_response';
  if (error instanceof UpstreamUnavailableError) return 'network_error';
  return 'error';
}

/** Where upstream calls' debug lines go, and which request made each call. */
export interface UpstreamCallLog {
  logger: Logger;
  /** Yoga plugin: runs each request in an `AsyncLocalStorage`, so the lines of its calls carry its id. */
  plugin: Plugin;
  /** The request whose resolvers are running, if any. */
  currentRequest(): Request | undefined;
}

/**
 * The debug lines of upstream calls, or `undefined` when `logger` does not write debug lines:
 * then no line is built and no `AsyncLocalStorage` is paid for (on Node 20 one turns on async
 * hooks for every promise of the process; see `request-scope.ts`).
 */
export function createUpstreamCallLog(logger: Logger): UpstreamCallLog | undefined {
  if (!(logger.isLevelEnabled?.('debug') ?? true)) return undefined;
  const requests = new AsyncLocalStorage<Request>();
  return {
    logger,
    plugin: { instrumentation: { request: ({ request }, wrapped) => requests.run(request, wrapped) } },
    currentRequest: () => requests.getStore(),
  };
}

/**
 * The transport's `observe` hook: times every upstream call into
 * `gateway_upstream_request_duration_seconds` and, with tracing on, wraps it in a client span
 * whose `traceparent` travels with the request (a child of the current request's span). With a
 * `log`, each call also gets a debug line (see {@link upstreamCallLine}) with the request's id.
 */
export function observeUpstreamCalls(
  metrics: GatewayMetrics,
  tracing: GatewayTracing | undefined,
  log?: UpstreamCallLog,
): (call: HttpCall) => HttpCallObservation {
  return (call) => {
    const endpoint = endpointLabel(call.endpoint);
    const traced = tracing?.startUpstreamSpan({ method: call.method, url: call.url, endpoint });
    const request = log?.currentRequest();
    return {
      ...(traced !== undefined && { headers: traced.headers }),
      end({ status, error, durationMs }) {
        const kind = status === undefined ? errorKind(error) : undefined;
        metrics.recordUpstreamCall(endpoint, kind ?? String(status), durationMs / 1000);
        if (traced !== undefined) tracing?.endUpstreamSpan(traced.span, kind === undefined ? { status } : { errorKind: kind });
        if (log !== undefined) {
          const line = upstreamCallLine(call, { status, errorKind: kind, durationMs });
          log.logger.debug('upstream call', request === undefined ? line : { ...line, ...logFieldsOf(requestScopeOf(request)) });
        }
      },
    };
  };
}

/** The fields of an upstream call's debug line. */
export interface UpstreamCallLine {
  /** Method and URL path, e.g. `POST /graphql`, `GET /api/v3/io/users/42`. */
  endpoint: string;
  /** The B2B GraphQL operation's root field, e.g. `login`; absent for REST calls. */
  operation?: string;
  /** The final answer's HTTP status, retries included. */
  status?: number;
  /** Why there was no answer: `timeout`, `network_error`, `bad_response` (see {@link errorKind}). */
  error?: string;
  /** From the first attempt to the settled call, in ms. */
  durationMs: number;
}

/**
 * What the debug line of one upstream call says. Only the method and the URL's path: headers
 * carry the X-Auth-Token, bodies carry passwords and tokens, and a query string can carry a
 * session JWT. The gateway's paths hold no user value but a numeric user id.
 */
export function upstreamCallLine(call: HttpCall, outcome: { status?: number | undefined; errorKind?: string | undefined; durationMs: number }): UpstreamCallLine {
  // B2B GraphQL calls are all `POST /graphql`: their name, `graphql login`, tells them apart.
  const operation = call.endpoint.startsWith(GRAPHQL_PREFIX) ? call.endpoint.slice(GRAPHQL_PREFIX.length) : undefined;
  return {
    endpoint: `${call.method} ${new URL(call.url).pathname}`,
    ...(operation !== undefined && { operation }),
    ...(outcome.status !== undefined ? { status: outcome.status } : { error: outcome.errorKind ?? 'error' }),
    durationMs: Math.round(outcome.durationMs * 10) / 10,
  };
}

const GRAPHQL_PREFIX = 'graphql ';
