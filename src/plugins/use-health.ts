import type { Plugin } from 'graphql-yoga';
import type { Readiness } from '../observability/readiness.js';

/** Options of {@link useHealth}. */
export interface HealthOptions {
  /**
   * Whether this instance should be sent traffic: the gateway's `InstanceReadiness.current`
   * (started, not shutting down). Never an upstream every replica shares: see `InstanceReadiness`.
   */
  readiness: () => Readiness | Promise<Readiness>;
  /** @default '/readiness' */
  readinessEndpoint?: string;
}

const json = (fetchAPI: { Response: typeof Response }, status: number, body: unknown) =>
  new fetchAPI.Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
  });

/**
 * `/health` (liveness) and `/readiness`, for load balancers and orchestrators:
 *
 * - `/health` is Yoga's own check (`healthCheckEndpoint`), answered before anything else runs;
 *   this gives it a JSON body: 200 `{"status":"ok"}` whenever the process serves.
 * - `/readiness`, matched by its path alone (Yoga's `useReadinessCheck` also tests a `URLPattern`
 *   against every request: ~6 % of a login's CPU): 200 `{"status":"ready"}` while this instance
 *   should be sent traffic, whatever BigCommerce's state, or 503
 *   `{"status":"not ready","reason":"shutting down"}` once shutdown has begun. BigCommerce's
 *   reachability is the `gateway_upstream_up` gauge.
 */
export function useHealth(options: HealthOptions): Plugin {
  const readinessEndpoint = options.readinessEndpoint ?? '/readiness';
  return {
    onRequest({ url, endResponse, fetchAPI }) {
      if (url.pathname !== readinessEndpoint) return undefined;
      const answer = (readiness: Readiness) =>
        endResponse(readiness.ready ? json(fetchAPI, 200, { status: 'ready' }) : json(fetchAPI, 503, { status: 'not ready', reason: readiness.reason }));
      const failed = () => endResponse(json(fetchAPI, 503, { status: 'not ready', reason: 'readiness check failed' }));
      let readiness: Readiness | Promise<Readiness>;
      try {
        readiness = options.readiness();
      } catch {
        return failed();
      }
      return readiness instanceof Promise ? readiness.then(answer, failed) : answer(readiness);
    },
    onResponse({ response, setResponse, fetchAPI }) {
      // Yoga's liveness answer is the only one with `x-yoga-id`: an empty 200.
      if (response.headers.has('x-yoga-id')) setResponse(json(fetchAPI, 200, { status: 'ok' }));
    },
  };
}
