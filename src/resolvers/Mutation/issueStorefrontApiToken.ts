import { ForbiddenError } from '../../errors/gateway-errors.js';
import type { MutationResolvers } from '../../generated/resolvers-types.js';
import { validateStorefrontApiToken } from '../../inputs/session.js';

/**
 * `issueStorefrontApiToken`: B2B GraphQL `storeFrontToken`, anonymous. The input is checked in
 * full before BigCommerce is called: its form and expiry (BAD_USER_INPUT), then the store,
 * channel and origins the gateway serves (FORBIDDEN).
 */
export const issueStorefrontApiToken: NonNullable<MutationResolvers['issueStorefrontApiToken']> = async (_parent, args, context) => {
  const { servesOrigin, maxTtlMs } = context.storefrontApiTokens;
  const input = validateStorefrontApiToken(args.input, 'input', context.now(), maxTtlMs);
  const store = context.stores.resolve(input.storeHash, input.channelId);
  // A token naming another site's origin would let that site call the store as this gateway's
  // frontends do; a pattern would name origins nobody chose.
  const refused = input.allowedCorsOrigins.findIndex((origin) => !servesOrigin(origin));
  if (refused !== -1) throw new ForbiddenError(`input.allowedCorsOrigins[${refused}] is not an origin this gateway serves.`);
  const channelId = input.channelId ?? store.defaultChannelId;
  const value = await context.upstream.graphql.storeFrontToken({
    storeHash: store.storeHash,
    channelId,
    expiresAt: input.expiresAt,
    allowedCorsOrigins: input.allowedCorsOrigins,
  });
  return { value, expiresAt: new Date(input.expiresAt * 1000), allowedCorsOrigins: input.allowedCorsOrigins, channelId };
};
