import { TokenRejectedError } from '../errors/gateway-errors.js';
import { readClaims } from '../tokens/claims.js';

/** Longest token accepted, as for every other JWT input. */
const MAX_TOKEN_LENGTH = 8192;

/**
 * The storefront authToken of an `Authorization: Bearer <token>` header. The scheme is
 * case-insensitive and the parts may be split by any white space: BigCommerce's own buyer portal
 * sends `Bearer  <token>` with two spaces. Throws `TokenRejectedError` (UNAUTHENTICATED) for a
 * missing header, another scheme, or a token that is not a JWT; the messages are for the log and
 * never hold the token.
 */
export function bearerToken(header: string | null): string {
  if (header === null || header.trim() === '') throw new TokenRejectedError('no Authorization header');
  const [scheme, token, ...rest] = header.trim().split(/\s+/);
  if (scheme?.toLowerCase() !== 'bearer' || token === undefined || rest.length > 0) {
    throw new TokenRejectedError('the Authorization header is not `Bearer <token>`');
  }
  // Storefront authTokens are JWTs: anything else is refused here, without
  // spending a call of the store's shared upstream rate limit.
  if (token.length > MAX_TOKEN_LENGTH || readClaims(token) === undefined) {
    throw new TokenRejectedError('the bearer token is not a JWT');
  }
  return token;
}
