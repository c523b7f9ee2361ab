import { bearerToken } from '../../access/bearer-token.js';
import { buyerSession } from '../../access/buyer-session.js';
import type { QueryResolvers } from '../../generated/resolvers-types.js';

/**
 * `session`: B2B GraphQL `currentUser` and `customerInfo` in one request, with the caller's own
 * token; a Super Admin's `masquerade` is a second one, asked only when selected.
 */
export const session: NonNullable<QueryResolvers['session']> = (_parent, _args, context) =>
  buyerSession(context, bearerToken(context.request.headers.get('authorization')));
