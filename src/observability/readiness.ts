/** What `/readiness` answers. */
export type Readiness = { ready: true } | { ready: false; reason: string };

/**
 * Whether this instance should be sent traffic: what `/readiness` reports. It describes this
 * process alone: ready once the gateway is built, not ready for good once shutdown begins.
 *
 * BigCommerce's reachability is deliberately not part of it (it is the `gateway_upstream_up`
 * gauge): every replica shares that upstream, so a readiness that followed it would take every
 * replica out of rotation at once, and clients would get the balancer's own error page instead of
 * the gateway's `UPSTREAM_UNAVAILABLE`.
 */
export interface InstanceReadiness {
  /** Whether shutdown has begun ({@link startDraining} was called). */
  readonly draining: boolean;
  /**
   * Takes this instance out of rotation for good: `/readiness` answers 503 "shutting down" from
   * now on, while requests are still served. Calling it again does nothing.
   * `HttpServer.shutdown` and `HttpServer.drain` call it; an application serving `gateway.yoga`
   * from a server of its own calls it when its shutdown begins.
   */
  startDraining(): void;
  /** What `/readiness` answers now. */
  current(): Readiness;
}

const READY: Readiness = { ready: true };
const SHUTTING_DOWN: Readiness = { ready: false, reason: 'shutting down' };

/** A readiness that is ready until {@link InstanceReadiness.startDraining}. */
export function createInstanceReadiness(): InstanceReadiness {
  let draining = false;
  return {
    get draining() {
      return draining;
    },
    startDraining() {
      draining = true;
    },
    current: () => (draining ? SHUTTING_DOWN : READY),
  };
}
