/**
 * `GATEWAY_CORS_ORIGINS`: each entry is an origin (`https://shop.example`), an origin with any port
 * (`http://localhost:*`), or `*`. `http/cors.ts` turns the list into Yoga's `cors` option.
 */
export const ORIGIN_PATTERN = /^(\*|https?:\/\/[a-z0-9.-]+(:(\d{1,5}|\*))?)$/i;

/** Origins allowed when the gateway runs on the embedded sandbox and none are configured. */
export const SANDBOX_CORS_ORIGINS = ['http://localhost:*', 'http://127.0.0.1:*'];

/** A concrete origin: `http(s)://host`, with a port or without, no pattern. */
const CONCRETE_ORIGIN = /^https?:\/\/[a-z0-9.-]+(:\d{1,5})?$/i;

/**
 * Whether a concrete origin is one the patterns name: exactly (case-insensitively), or through
 * `http://host:*` with any numeric port (or none). `*` names no origin here: whoever reads it as
 * "every origin" does so themselves.
 */
export function originMatcher(patterns: readonly string[]): (origin: string) => boolean {
  const exact = new Set(patterns.filter((pattern) => !pattern.endsWith(':*')).map((pattern) => pattern.toLowerCase()));
  const anyPort = patterns.filter((pattern) => pattern.endsWith(':*')).map((pattern) => pattern.slice(0, -2).toLowerCase());
  return (origin) => {
    if (!CONCRETE_ORIGIN.test(origin)) return false;
    const lower = origin.toLowerCase();
    if (exact.has(lower)) return true;
    return anyPort.some((base) => lower === base || (lower.startsWith(`${base}:`) && /^\d{1,5}$/.test(lower.slice(base.length + 1))));
  };
}
