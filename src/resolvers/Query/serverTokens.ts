import type { QueryResolvers } from '../../generated/resolvers-types.js';
import { pageLimit, pageOffset, storeHashArgument } from '../../inputs/admin.js';
import { validateInput } from '../../inputs/validate.js';
import { requireTrustedCaller } from '../../access/trusted-callers.js';
import { listServerTokens } from '../../upstream/rest/server-tokens.js';

/** `serverTokens`: `GET /api/io/backend/tokens` (docs/upstream.md#list-server-tokens), values included. Trusted callers only; deprecated. */
export const serverTokens: NonNullable<QueryResolvers['serverTokens']> = async (_parent, args, context) => {
  requireTrustedCaller(context, 'Listing server-to-server tokens');
  const limit = validateInput(pageLimit, args.limit, 'limit');
  const offset = validateInput(pageOffset, args.offset, 'offset');
  const store = context.stores.resolve(validateInput(storeHashArgument, args.storeHash, 'storeHash'));
  return listServerTokens(context.upstream.rest, store, { limit, offset });
};
