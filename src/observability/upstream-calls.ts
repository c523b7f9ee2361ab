import { UpstreamResponseShapeError, UpstreamTimeoutError, UpstreamUnavailableError } from '../errors.js';
import type { HttpCall, HttpCallObservation } from '../upstream/http-transport.js';
import type { GatewayMetrics } from './metrics.js';
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

/**
 * The transport's `observe` hook: times every upstream call into
 * `gateway_upstream_request_duration_seconds` and, with tracing on, wraps it in a client span
 * whose `traceparent` travels with the request (a child of the current request's span).
 */
export function observeUpstreamCalls(metrics: GatewayMetrics, tracing: GatewayTracing | undefined): (call: HttpCall) => HttpCallObservation {
  return (call) => {
    const endpoint = endpointLabel(call.endpoint);
    const traced = tracing?.startUpstreamSpan({ method: call.method, url: call.url, endpoint });
    return {
      ...(traced !== undefined && { headers: traced.headers }),
      end({ status, error, durationMs }) {
        const kind = status === undefined ? errorKind(error) : undefined;
        metrics.recordUpstreamCall(endpoint, kind ?? String(status), durationMs / 1000);
        if (traced !== undefined) tracing?.endUpstreamSpan(traced.span, kind === undefined ? { status } : { errorKind: kind });
      },
    };
  };
}
