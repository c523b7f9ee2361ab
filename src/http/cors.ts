import type { CORSOptions } from 'graphql-yoga';
import { originMatcher } from '../config/cors-origins.js';

/**
 * Request headers a browser may send. `apollo-require-preflight` is one of the headers that let a
 * GET query past CSRF prevention. `X-Gateway-Key` is not one: it belongs to servers.
 */
const ALLOWED_HEADERS = ['accept', 'apollo-require-preflight', 'authorization', 'content-type', 'x-graphql-yoga-csrf', 'x-request-id'];

/**
 * Yoga's `cors` option. Yoga's default reflects any origin with credentials; this grants CORS
 * only to the configured origins (reflecting that one origin, with credentials) and sends no
 * CORS headers at all to any other. `*` allows every origin, but never with credentials.
 */
export function corsOptions(patterns: readonly string[]): (request: Request) => CORSOptions {
  const allowAll = patterns.includes('*');
  const allowed = originMatcher(patterns);
  const common = { methods: ['GET', 'POST', 'OPTIONS'], allowedHeaders: ALLOWED_HEADERS, maxAge: 600 };
  return (request) => {
    const origin = request.headers.get('origin');
    if (origin === null) return false;
    if (allowed(origin)) return { ...common, origin: [origin], credentials: true };
    if (allowAll) return { ...common, origin: '*', credentials: false };
    return false;
  };
}
