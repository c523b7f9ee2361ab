import type { MutationResolvers } from '../../generated/resolvers-types.js';
import { authorizationInput } from '../../inputs/schemas.js';
import { validateInput } from '../../inputs/validate.js';
import { issuedToken } from '../../tokens/storefront-token.js';
import { authorizeOverAnyPath } from '../../upstream/failover.js';

/** `authorization`: B2B GraphQL `authorization` with a Current Customer JWT (docs/upstream.md#graphql-authorization), anonymous; REST session JWT while GraphQL is down. */
export const authorization: NonNullable<MutationResolvers['authorization']> = async (_parent, args, context) => {
  const input = validateInput(authorizationInput, args.input, 'input');
  const store = context.stores.resolve(input.storeHash, input.channelId);
  const channelId = input.channelId ?? store.defaultChannelId;
  const attempt = { address: context.clientAddress, trusted: context.trusted, storeHash: store.storeHash, jwt: input.bcToken };
  const { result, via } = await context.credentialLimiter.attempt(attempt, () =>
    authorizeOverAnyPath(context.upstream, store, {
      bcToken: input.bcToken,
      channelId,
      channelGiven: input.channelId !== undefined,
    }),
  );
  return {
    token: issuedToken({ value: result.token, storeHash: store.storeHash, channelId, via, issuedAt: context.now() }),
    permissions: result.permissions,
  };
};
