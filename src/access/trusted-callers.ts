import { createHash, timingSafeEqual } from 'node:crypto';
import { ForbiddenError } from '../errors/gateway-errors.js';

/** The header a trusted server caller (a Next.js server, the supergraph router) sends. */
export const GATEWAY_KEY_HEADER = 'x-gateway-key';

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * Builds the check for `X-Gateway-Key`. Keys are compared as SHA-256 digests with
 * `timingSafeEqual`, so neither a key's content nor its length leaks through timing.
 */
export function createTrustCheck(keys: readonly string[]): (presented: string | null) => boolean {
  const digests = keys.map(digest);
  return (presented) => {
    if (presented === null || presented === '' || digests.length === 0) return false;
    const candidate = digest(presented);
    let trusted = false;
    for (const known of digests) trusted = timingSafeEqual(known, candidate) || trusted;
    return trusted;
  };
}

/**
 * Throws FORBIDDEN unless the request carries a valid `X-Gateway-Key`. Resolvers of trusted-only
 * operations call it first, before validating input, so an untrusted caller learns nothing and
 * costs no upstream call.
 */
export function requireTrustedCaller(context: { trusted: boolean }, what: string): void {
  if (!context.trusted) throw new ForbiddenError(`${what} needs a trusted caller (X-Gateway-Key).`);
}
