// The upstream's rate limit (docs/upstream.md#rate-limit): N requests per window per store, shared by every
// integration, reported on every response. A fixed window keeps the arithmetic easy to assert.
import { isPlainObject, type SandboxRequest } from './exchange.js';
import { unverifiedStoreHash } from './tokens.js';

export interface RateLimitDecision {
  allowed: boolean;
  /** `X-Requests-*` headers, plus `Retry-After` when refused. */
  headers: Record<string, string>;
}

interface Window {
  startedAt: number;
  count: number;
}

export class FixedWindowRateLimiter {
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #now: () => number;
  readonly #windows = new Map<string, Window>();

  constructor(limit: number, windowMs: number, now: () => number) {
    this.#limit = limit;
    this.#windowMs = windowMs;
    this.#now = now;
  }

  /** Counts one request against `key`'s window. Refused requests do not count. */
  take(key: string): RateLimitDecision {
    const now = this.#now();
    let window = this.#windows.get(key);
    if (window === undefined || now >= window.startedAt + this.#windowMs) {
      window = { startedAt: now, count: 0 };
      this.#windows.set(key, window);
    }
    const allowed = window.count < this.#limit;
    if (allowed) window.count += 1;
    const resetsAfter = String(Math.max(0, Math.ceil((window.startedAt + this.#windowMs - now) / 1000)));
    const headers: Record<string, string> = {
      'x-requests-allocated': String(this.#limit),
      'x-requests-remaining': String(this.#limit - window.count),
      'x-request-window-resets-after': resetsAfter,
    };
    if (!allowed) headers['retry-after'] = resetsAfter;
    return { allowed, headers };
  }
}

/**
 * The store a request counts against: the `X-Store-Hash` header, else a `storeHash` in the body
 * (REST body, GraphQL variables or `loginData`), else the `store_hash` claim of the bearer or
 * legacy token, else one anonymous bucket.
 */
export function rateLimitKey(request: SandboxRequest): string {
  const header = request.headers['x-store-hash']?.trim();
  if (header) return `store:${header}`;
  const fromBody = storeHashInBody(request);
  if (fromBody) return `store:${fromBody}`;
  const bearer = request.headers['authorization']?.trim().split(/\s+/)[1];
  const token = bearer ?? request.headers['authtoken']?.trim();
  const fromToken = token ? unverifiedStoreHash(token) : undefined;
  return fromToken ? `store:${fromToken}` : 'anonymous';
}

function storeHashInBody(request: SandboxRequest): string | undefined {
  if (request.body.kind !== 'json' || !isPlainObject(request.body.value)) return undefined;
  const body = request.body.value;
  const variables = isPlainObject(body['variables']) ? body['variables'] : {};
  const loginData = isPlainObject(variables['loginData']) ? variables['loginData'] : {};
  for (const candidate of [body['storeHash'], variables['storeHash'], loginData['storeHash']]) {
    if (typeof candidate === 'string' && candidate.trim() !== '') return candidate.trim();
  }
  return undefined;
}
