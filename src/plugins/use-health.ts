import type { Plugin } from 'graphql-yoga';
import type { Readiness } from '../observability/readiness.js';

/** Options of {@link useHealth}. */
export interface HealthOptions {
  /** Whether the gateway can serve: the configuration was valid (it started) and the upstream is reachable. */
  readiness: () => Promise<Readiness>;
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
 *   against every request: ~6 % of a login's CPU): 200 `{"status":"ready"}`, or 503
 *   `{"status":"not ready","reason":"…"}` when the upstream is unreachable. The reason names an
 *   error code, never an address or a secret.
 */
export function useHealth(options: HealthOptions): Plugin {
  const readinessEndpoint = options.readinessEndpoint ?? '/readiness';
  return {
    onRequest({ url, endResponse, fetchAPI }) {
      if (url.pathname !== readinessEndpoint) return undefined;
      return options.readiness().then(
        (readiness) =>
          endResponse(readiness.ready ? json(fetchAPI, 200, { status: 'ready' }) : json(fetchAPI, 503, { status: 'not ready', reason: readiness.reason })),
        () => endResponse(json(fetchAPI, 503, { status: 'not ready', reason: 'readiness check failed' })),
      );
    },
    onResponse({ response, setResponse, fetchAPI }) {
      // Yoga's liveness answer is the only one with `x-yoga-id`: an empty 200.
      if (response.headers.has('x-yoga-id')) setResponse(json(fetchAPI, 200, { status: 'ok' }));
    },
  };
}
