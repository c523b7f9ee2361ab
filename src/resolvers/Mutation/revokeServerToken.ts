import { InputValidationError } from '../../errors/gateway-errors.js';
import type { MutationResolvers } from '../../generated/resolvers-types.js';
import { serverTokenId, storeHashArgument } from '../../inputs/admin.js';
import { validateInput } from '../../inputs/validate.js';
import { requireTrustedCaller } from '../../access/trusted-callers.js';
import { deleteServerToken } from '../../upstream/rest/server-tokens.js';

/** `revokeServerToken`: `DELETE /api/io/auth/backend` (docs/upstream.md#delete-a-server-token). Trusted callers only; deprecated. */
export const revokeServerToken: NonNullable<MutationResolvers['revokeServerToken']> = async (_parent, args, context) => {
  requireTrustedCaller(context, 'Revoking a server-to-server token');
  const id = validateInput(serverTokenId, args.id, 'id');
  const store = context.stores.resolve(validateInput(storeHashArgument, args.storeHash, 'storeHash'));
  // An unknown id is the caller's mistake, said as such: a typo must not look like a revocation.
  if (!(await deleteServerToken(context.upstream.rest, store, id))) {
    throw new InputValidationError('id', 'no server-to-server token with this id in this store');
  }
  return { id, storeHash: store.storeHash };
};
