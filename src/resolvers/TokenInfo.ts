import type { TokenInfoResolvers } from '../generated/resolvers-types.js';
import { channelClaims, customerClaims, dateClaim } from '../tokens/claims.js';

/** `TokenInfo` fields, derived from the decoded claims. */
export const TokenInfo: TokenInfoResolvers = {
  storeHash: (claims) => (typeof claims['store_hash'] === 'string' ? claims['store_hash'] : null),
  email: (claims) => customerClaims(claims).email ?? null,
  customerId: (claims) => customerClaims(claims).customerId ?? null,
  channelIds: (claims) => channelClaims(claims),
  issuedAt: (claims) => dateClaim(claims, 'iat') ?? null,
  notBefore: (claims) => dateClaim(claims, 'nbf') ?? null,
  expiresAt: (claims) => dateClaim(claims, 'exp') ?? null,
  expired: (claims, _args, context) => (dateClaim(claims, 'exp')?.getTime() ?? Infinity) <= context.now().getTime(),
  signatureVerified: () => false,
  claims: (claims) => ({ ...claims }),
};
