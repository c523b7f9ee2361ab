import { handleStreamOrSingleExecutionResult, type Plugin } from 'graphql-yoga';
import { RateLimitedError, UpstreamRateLimitError } from '../errors/gateway-errors.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import { requestScopeOf } from '../observability/request-scope.js';
import { GATEWAY_KEY_HEADER } from '../access/trusted-callers.js';

/** Options of {@link useMetrics}. */
export interface MetricsPluginOptions {
  /**
   * Serve `/metrics` only to trusted callers: `X-Gateway-Key: <key>` or `Authorization: Bearer <key>`
   * (what Prometheus' `authorization` scrape setting sends). The gateway sets it in production
   * unless `GATEWAY_METRICS_PUBLIC=true`.
   */
  trustedOnly: boolean;
  /** The trusted-key check. */
  isTrustedKey: (presented: string | null) => boolean;
  /** @default '/metrics' */
  endpoint?: string;
}

const bearer = (authorization: string | null) => /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1] ?? null;

/**
 * Serves the Prometheus exposition at `/metrics` and feeds the GraphQL request metrics: one
 * count and one duration per GraphQL answer (operation and outcome come from the request scope
 * `useRequestId` fills in), and one count per RATE_LIMITED error by its source.
 *
 * Place it BEFORE `useErrorMapping`: it tells the credential limiter's refusals from the
 * upstream's 429 by the errors' causes, which the mapping replaces.
 */
export function useMetrics(metrics: GatewayMetrics, options: MetricsPluginOptions): Plugin {
  const endpoint = options.endpoint ?? '/metrics';
  const trusted = (request: Request) =>
    options.isTrustedKey(request.headers.get(GATEWAY_KEY_HEADER)) || options.isTrustedKey(bearer(request.headers.get('authorization')));
  return {
    onRequest({ request, url, endResponse, fetchAPI }) {
      if (url.pathname !== endpoint) return undefined;
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        endResponse(new fetchAPI.Response(null, { status: 405, headers: { allow: 'GET, HEAD' } }));
        return undefined;
      }
      if (options.trustedOnly && !trusted(request)) {
        endResponse(
          new fetchAPI.Response(JSON.stringify({ error: 'The metrics need a trusted key: X-Gateway-Key or Authorization: Bearer.' }), {
            status: 401,
            headers: { 'content-type': 'application/json; charset=utf-8', 'www-authenticate': 'Bearer realm="metrics"' },
          }),
        );
        return undefined;
      }
      return metrics.scrape().then(({ contentType, body }) => {
        endResponse(new fetchAPI.Response(body, { status: 200, headers: { 'content-type': contentType, 'cache-control': 'no-store' } }));
      });
    },
    onExecute() {
      return {
        onExecuteDone(payload) {
          return handleStreamOrSingleExecutionResult(payload, ({ result }) => {
            for (const error of result.errors ?? []) {
              if (error.originalError instanceof RateLimitedError) metrics.recordRateLimited('credential_limiter');
              else if (error.originalError instanceof UpstreamRateLimitError) metrics.recordRateLimited('upstream');
            }
          });
        },
      };
    },
    onResponse({ request }) {
      const scope = requestScopeOf(request);
      if (scope.outcome === undefined) return;
      metrics.recordRequest(scope.operationName, scope.outcome, (performance.now() - scope.startedAt) / 1000);
    },
  };
}
