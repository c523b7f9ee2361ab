import { bearerToken } from '../../access/bearer-token.js';
import type { QueryResolvers } from '../../generated/resolvers-types.js';

/**
 * `viewer`: B2B GraphQL `currentUser` (docs/upstream.md#graphql-currentuser) asked with the caller's own token.
 * The upstream decides whether the token is valid: the gateway cannot verify its signature.
 */
export const viewer: NonNullable<QueryResolvers['viewer']> = (_parent, _args, context) => {
  const token = bearerToken(context.request.headers.get('authorization'));
  return context.upstream.graphql.currentUser(token);
};
