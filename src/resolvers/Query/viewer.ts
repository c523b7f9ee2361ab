import { TokenRejectedError } from '../../errors/gateway-errors.js';
import type { QueryResolvers } from '../../generated/resolvers-types.js';
import { readClaims } from '../../tokens/claims.js';

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
  if (header === null || header.trim() === '') throw new TokenRejectedError('viewer: no Authorization header');
  const [scheme, token, ...rest] = header.trim().split(/\s+/);
  if (scheme?.toLowerCase() !== 'bearer' || token === undefined || rest.length > 0) {
    throw new TokenRejectedError('viewer: the Authorization header is not `Bearer <token>`');
  }
  // Storefront authTokens are JWTs (b2b-upstream.md §5): anything else is refused here, without
  // spending a call of the store's shared upstream rate limit.
  if (token.length > MAX_TOKEN_LENGTH || readClaims(token) === undefined) {
    throw new TokenRejectedError('viewer: the bearer token is not a JWT');
  }
  return token;
}

/**
 * `viewer`: B2B GraphQL `currentUser` (b2b-upstream.md §4) asked with the caller's own token.
 * The upstream decides whether the token is valid: the gateway cannot verify its signature.
 */
export const viewer: NonNullable<QueryResolvers['viewer']> = (_parent, _args, context) => {
  const token = bearerToken(context.request.headers.get('authorization'));
  return context.upstream.graphql.currentUser(token);
};
