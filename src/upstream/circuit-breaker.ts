import { UpstreamTimeoutError, UpstreamUnavailableError } from '../errors/gateway-errors.js';
import type { Logger } from '../observability/logger.js';

/** Options of {@link createCircuitBreakers}. */
export interface CircuitBreakerOptions {
  /** Consecutive failures that open a circuit. @default 5 */
  failureThreshold?: number;
  /** How long an open circuit fails fast before it lets one probe through, in ms. @default 10000 */
  cooldownMs?: number;
  /** The clock. @default Date.now */
  now?: () => number;
  /** Where a circuit's changes go, at `warn`: opened, half-open (a probe goes through), closed again. @default none */
  logger?: Pick<Logger, 'warn'>;
}

export type CircuitState = 'closed' | 'open' | 'half-open';

interface Circuit {
  state: CircuitState;
  failures: number;
  openedAt: number;
}

/** Failures that say the upstream path is down; a refusal or a 4xx says it is up. */
const isOutage = (error: unknown) => error instanceof UpstreamUnavailableError || error instanceof UpstreamTimeoutError;

/** Thrown without calling the upstream while a circuit is open. */
export class CircuitOpenError extends UpstreamUnavailableError {
  constructor(endpoint: string) {
    super(endpoint, 'circuit open: failing fast after repeated failures');
  }
}

export interface CircuitBreakers {
  /** Runs `call` through the circuit of `path`: fails fast while it is open. */
  run<Result>(path: string, call: () => Promise<Result>): Promise<Result>;
  /** Each path's state, e.g. for metrics. */
  states(): Record<string, CircuitState>;
}

/**
 * One circuit per upstream path (`graphql login`, `POST /api/io/auth/customers`, …). After
 * `failureThreshold` consecutive outages a circuit opens and calls fail at once with
 * UPSTREAM_UNAVAILABLE instead of waiting out a deadline each; after `cooldownMs` one probe
 * goes through (half-open) and its outcome closes or re-opens the circuit.
 */
export function createCircuitBreakers(options: CircuitBreakerOptions = {}): CircuitBreakers {
  const threshold = options.failureThreshold ?? 5;
  const cooldownMs = options.cooldownMs ?? 10_000;
  const now = options.now ?? Date.now;
  const circuits = new Map<string, Circuit>();

  const circuitOf = (path: string) => {
    let circuit = circuits.get(path);
    if (circuit === undefined) {
      circuit = { state: 'closed', failures: 0, openedAt: 0 };
      circuits.set(path, circuit);
    }
    return circuit;
  };

  // The path names a route and a store (`POST /api/io/auth/customers @store-hash`), never a user.
  // Calls in flight when a circuit opens may fail after it: they restart its cooldown, silently.
  const opened = (path: string, circuit: Circuit, reason: string) => {
    if (circuit.state !== 'open') options.logger?.warn(`upstream circuit opened: ${reason}; calls fail fast for ${cooldownMs} ms`, { circuit: path, failures: circuit.failures });
    circuit.state = 'open';
    circuit.openedAt = now();
  };
  const closed = (path: string, circuit: Circuit) => {
    if (circuit.state !== 'closed') options.logger?.warn('upstream circuit closed: the upstream answered again', { circuit: path });
    circuit.state = 'closed';
    circuit.failures = 0;
  };

  return {
    async run(path, call) {
      const circuit = circuitOf(path);
      if (circuit.state === 'open') {
        if (now() - circuit.openedAt < cooldownMs) throw new CircuitOpenError(path);
        circuit.state = 'half-open';
        options.logger?.warn('upstream circuit half-open: one probe goes through', { circuit: path });
      } else if (circuit.state === 'half-open') {
        // One probe at a time: everyone else fails fast until it has answered.
        throw new CircuitOpenError(path);
      }
      try {
        const result = await call();
        closed(path, circuit);
        return result;
      } catch (error) {
        if (isOutage(error)) {
          circuit.failures += 1;
          if (circuit.state === 'half-open') opened(path, circuit, 'the probe failed');
          else if (circuit.failures >= threshold) opened(path, circuit, `${circuit.failures} consecutive failures`);
        } else {
          // The upstream answered, if only with a refusal: it is up.
          closed(path, circuit);
        }
        throw error;
      }
    },
    states() {
      return Object.fromEntries([...circuits].map(([path, circuit]) => [path, circuit.state]));
    },
  };
}
