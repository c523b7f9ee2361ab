import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { CircuitState } from '../upstream/circuit-breaker.js';

/** Where a RATE_LIMITED answer came from. */
export type RateLimitSource = 'credential_limiter' | 'upstream';

/** The gateway's Prometheus metrics, in a registry of its own. */
export interface GatewayMetrics {
  /** This gateway's own metrics (never in prom-client's global registry: several gateways may share a process). */
  readonly registry: Registry;
  /** One GraphQL request answered: its operation, `ok` or the first error's code, and how long it took. */
  recordRequest(operation: string | undefined, code: string, seconds: number): void;
  /** One upstream call settled: its route (`POST /api/io/auth/customers`, `graphql login`), HTTP status or error kind. */
  recordUpstreamCall(endpoint: string, status: string, seconds: number): void;
  /** One RATE_LIMITED error answered. */
  recordRateLimited(source: RateLimitSource): void;
  /** Where each scrape reads the circuits' states from. */
  watchCircuits(states: () => Record<string, CircuitState>): void;
  /** Where each scrape reads whether BigCommerce is reachable from (the upstream probe's latest answer). */
  watchUpstream(reachable: () => Promise<boolean>): void;
  /** The exposition a scrape gets. */
  scrape(): Promise<{ contentType: string; body: string }>;
}

/** Options of {@link createGatewayMetrics}. */
export interface GatewayMetricsOptions {
  /**
   * Distinct operation names labelled before the rest count as `other`. Operation names come
   * from callers; without a cap, a caller making up names would grow the scrape without end.
   * @default 100
   */
  maxOperationNames?: number;
  /** Also export Node's process metrics (CPU, memory, event-loop lag, GC). @default true */
  processMetrics?: boolean;
}

// Node's process metrics describe the process, not one gateway, and the observers prom-client
// starts for them are never stopped: collected once per process, shown by every gateway's scrape.
let processRegistry: Registry | undefined;
function processMetricsRegistry(): Registry {
  if (processRegistry === undefined) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

const CIRCUIT_STATE_VALUE: Record<CircuitState, number> = { closed: 0, 'half-open': 1, open: 2 };

// Seconds: from a cached token check to a login that waits out the 10 s upstream deadline.
const REQUEST_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const UPSTREAM_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The metrics `/metrics` serves:
 *
 * - `gateway_graphql_requests_total{operation,code}` and
 *   `gateway_graphql_request_duration_seconds{operation,code}`: GraphQL requests by operation
 *   name (`anonymous` when unnamed, `other` past the cap) and outcome (`ok` or the first error's
 *   `extensions.code`);
 * - `gateway_upstream_request_duration_seconds{endpoint,status}`: upstream calls by route and
 *   HTTP status, or `timeout`, `network_error`, `bad_response`;
 * - `gateway_rate_limited_total{source}`: RATE_LIMITED answers, from the gateway's
 *   `credential_limiter` or the `upstream`'s 429;
 * - `gateway_upstream_circuit_state{path}`: 0 closed, 1 half-open, 2 open, read at scrape time;
 * - `gateway_upstream_up{upstream="b2b"}`: 1 when BigCommerce's API host accepts a TCP
 *   connection, else 0, as the upstream probe last found; no sample until one is watched;
 * - Node's process metrics (`process_*`, `nodejs_*`).
 */
export function createGatewayMetrics(options: GatewayMetricsOptions = {}): GatewayMetrics {
  const registry = new Registry();
  const registers = [registry];
  const maxOperationNames = options.maxOperationNames ?? 100;

  const requests = new Counter({
    name: 'gateway_graphql_requests_total',
    help: "GraphQL requests answered, by operation name and outcome: ok or the first error's extensions.code.",
    labelNames: ['operation', 'code'] as const,
    registers,
  });
  const requestSeconds = new Histogram({
    name: 'gateway_graphql_request_duration_seconds',
    help: 'Time from a GraphQL request arriving to its answer, by operation name and outcome.',
    labelNames: ['operation', 'code'] as const,
    buckets: REQUEST_BUCKETS,
    registers,
  });
  const upstreamSeconds = new Histogram({
    name: 'gateway_upstream_request_duration_seconds',
    help: 'Upstream calls (retries included) by endpoint, and HTTP status or error kind (timeout, network_error, bad_response).',
    labelNames: ['endpoint', 'status'] as const,
    buckets: UPSTREAM_BUCKETS,
    registers,
  });
  const rateLimited = new Counter({
    name: 'gateway_rate_limited_total',
    help: "RATE_LIMITED answers, by source: the gateway's credential_limiter or the upstream's 429.",
    labelNames: ['source'] as const,
    registers,
  });
  let circuits: () => Record<string, CircuitState> = () => ({});
  new Gauge({
    name: 'gateway_upstream_circuit_state',
    help: "Each upstream path's circuit breaker: 0 closed, 1 half-open, 2 open.",
    labelNames: ['path'] as const,
    registers,
    collect() {
      this.reset();
      for (const [path, state] of Object.entries(circuits())) this.set({ path }, CIRCUIT_STATE_VALUE[state]);
    },
  });
  let upstreamReachable: (() => Promise<boolean>) | undefined;
  new Gauge({
    name: 'gateway_upstream_up',
    help: "Whether BigCommerce's API host accepts a TCP connection (probed every few seconds): 1 yes, 0 no.",
    labelNames: ['upstream'] as const,
    registers,
    async collect() {
      if (upstreamReachable === undefined) return;
      this.set({ upstream: 'b2b' }, (await upstreamReachable()) ? 1 : 0);
    },
  });

  const exposition = options.processMetrics ?? true ? Registry.merge([processMetricsRegistry(), registry]) : registry;

  const operationNames = new Set<string>();
  const operationLabel = (name: string | undefined) => {
    if (name === undefined) return 'anonymous';
    if (operationNames.has(name)) return name;
    if (operationNames.size >= maxOperationNames) return 'other';
    operationNames.add(name);
    return name;
  };

  return {
    registry,
    recordRequest(operation, code, seconds) {
      const labels = { operation: operationLabel(operation), code };
      requests.inc(labels);
      requestSeconds.observe(labels, seconds);
    },
    recordUpstreamCall(endpoint, status, seconds) {
      upstreamSeconds.observe({ endpoint, status }, seconds);
    },
    recordRateLimited(source) {
      rateLimited.inc({ source });
    },
    watchCircuits(states) {
      circuits = states;
    },
    watchUpstream(reachable) {
      upstreamReachable = reachable;
    },
    async scrape() {
      return { contentType: exposition.contentType, body: await exposition.metrics() };
    },
  };
}
