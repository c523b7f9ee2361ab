import type { MutationResolvers } from '../../generated/resolvers-types.js';
import { authorizationInput } from '../../inputs/schemas.js';
import { validateInput } from '../../inputs/validate.js';
import { issuedToken } from '../../tokens/storefront-token.js';

/** `authorization`: B2B GraphQL `authorization` with a Current Customer JWT (§4), anonymous. */
export const authorization: NonNullable<MutationResolvers['authorization']> = async (_parent, args, context) => {
  const input = validateInput(authorizationInput, args.input, 'input');
  const store = context.stores.resolve(input.storeHash);
  const channelId = input.channelId ?? store.defaultChannelId;
  const result = await context.upstream.graphql.authorization({ bcToken: input.bcToken, channelId });
  return {
    token: issuedToken({ value: result.token, storeHash: store.storeHash, channelId, via: 'GRAPHQL_AUTHORIZATION', issuedAt: context.now() }),
    permissions: result.permissions,
  };
};
