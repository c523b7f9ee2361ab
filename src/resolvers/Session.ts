import type { SessionResolvers } from '../generated/resolvers-types.js';
import { dateClaim, readClaims } from '../tokens/claims.js';

/** `Session`: the fields beyond what one `currentUser` + `customerInfo` request answered. */
export const Session: SessionResolvers = {
  // Read from the token without verifying it: BigCommerce accepted the token for this session.
  expiresAt: (session) => {
    const claims = readClaims(session.token);
    return (claims && dateClaim(claims, 'exp')) ?? null;
  },
  // Only a Super Admin can masquerade: anyone else's answer is null without asking BigCommerce.
  masquerade: (session, _args, context) =>
    session.kind === 'SUPER_ADMIN' ? context.loaders.sessions.masquerade(session.token, session.user.bcId) : null,
};
