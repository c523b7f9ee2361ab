import type { MutationResolvers } from '../../generated/resolvers-types.js';
import { loginInput } from '../../inputs/schemas.js';
import { validateInput } from '../../inputs/validate.js';
import { issuedToken } from '../../tokens/storefront-token.js';

/** `login`: B2B GraphQL `login` (b2b-upstream.md §4), anonymous. */
export const login: NonNullable<MutationResolvers['login']> = async (_parent, args, context) => {
  const input = validateInput(loginInput, args.input, 'input');
  const store = context.stores.resolve(input.storeHash);
  const channelId = input.channelId ?? store.defaultChannelId;
  const result = await context.upstream.graphql.login({
    storeHash: store.storeHash,
    email: input.email,
    password: input.password,
    channelId,
  });
  return {
    token: issuedToken({ value: result.token, storeHash: store.storeHash, channelId, via: 'GRAPHQL_LOGIN', issuedAt: context.now() }),
    storefrontLoginToken: result.storefrontLoginToken,
    user: result.user,
    permissions: result.permissions,
  };
};
