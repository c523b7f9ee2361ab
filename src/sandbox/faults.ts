// Injected faults: latency, substituted responses and dropped connections, to exercise the
// gateway's timeouts, retries and error mapping against a misbehaving upstream.
import { z } from 'zod';
import type { FaultSpec } from './types.js';

interface ActiveFault {
  spec: FaultSpec;
  remaining: number;
}

/** `FaultSpec` as JSON (for `POST /sandbox/faults`): `match` is a string there. */
export const faultSpecJson = z.strictObject({
  match: z.string().min(1).optional(),
  latencyMs: z.number().min(0).optional(),
  status: z.int().min(100).max(599).optional(),
  body: z.string().optional(),
  contentType: z.string().min(1).optional(),
  headers: z.record(z.string(), z.string()).optional(),
  drop: z.enum(['before-headers', 'mid-body']).optional(),
  times: z.int().min(1).optional(),
});

export class FaultRegistry {
  #faults: ActiveFault[] = [];

  add(spec: FaultSpec): void {
    const times = spec.times ?? Infinity;
    if (!(times >= 1)) throw new RangeError('FaultSpec.times must be at least 1');
    if (spec.latencyMs !== undefined && !(spec.latencyMs >= 0)) throw new RangeError('FaultSpec.latencyMs must be >= 0');
    this.#faults.push({ spec: { ...spec }, remaining: times });
  }

  clear(): void {
    this.#faults = [];
  }

  /** The first fault matching `${method} ${pathname}`, used up by one application. */
  take(method: string, pathname: string): FaultSpec | undefined {
    const target = `${method} ${pathname}`;
    const active = this.#faults.find((fault) => matches(fault.spec.match, target));
    if (active === undefined) return undefined;
    active.remaining -= 1;
    if (active.remaining <= 0) this.#faults = this.#faults.filter((fault) => fault !== active);
    return active.spec;
  }
}

function matches(match: FaultSpec['match'], target: string): boolean {
  if (match === undefined) return true;
  if (typeof match === 'string') return match === target;
  // A global or sticky RegExp keeps state between calls; start afresh every time.
  match.lastIndex = 0;
  return match.test(target);
}
