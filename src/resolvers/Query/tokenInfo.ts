import type { QueryResolvers } from '../../generated/resolvers-types.js';
import { jwtField, validateInput } from '../../inputs/validate.js';
import { readClaims } from '../../tokens/claims.js';

/** `tokenInfo`: decodes a token's claims without verifying them; null when it is not a JWT. */
export const tokenInfo: NonNullable<QueryResolvers['tokenInfo']> = (_parent, args) => {
  const token = validateInput(jwtField, args.token.replace(/^Bearer\s+/i, ''), 'token');
  return readClaims(token) ?? null;
};
