import type { MutationResolvers } from '../../generated/resolvers-types.js';
import { loginInput } from '../../inputs/schemas.js';
import { validateInput } from '../../inputs/validate.js';
import { storefrontLoginUrl } from '../../tokens/storefront-login-url.js';
import { issuedToken } from '../../tokens/storefront-token.js';
import { loginOverAnyPath } from '../../upstream/failover.js';

/** `login`: B2B GraphQL `login` (docs/upstream.md#graphql-login), anonymous; REST credentials while GraphQL is down. */
export const login: NonNullable<MutationResolvers['login']> = async (_parent, args, context) => {
  const input = validateInput(loginInput, args.input, 'input');
  const store = context.stores.resolve(input.storeHash, input.channelId);
  const channelId = input.channelId ?? store.defaultChannelId;
  const attempt = { address: context.clientAddress, trusted: context.trusted, storeHash: store.storeHash, email: input.email };
  const { result, via } = await context.credentialLimiter.attempt(attempt, () =>
    loginOverAnyPath(context.upstream, store, {
      email: input.email,
      password: input.password,
      channelId,
    }),
  );
  return {
    token: issuedToken({ value: result.token, storeHash: store.storeHash, channelId, via, issuedAt: context.now() }),
    storefrontLoginToken: result.storefrontLoginToken,
    storefrontLoginUrl: storefrontLoginUrl(store, result.storefrontLoginToken),
    user: result.user,
    permissions: result.permissions,
  };
};
