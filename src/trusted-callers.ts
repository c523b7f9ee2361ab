import { createHash, timingSafeEqual } from 'node:crypto';

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
