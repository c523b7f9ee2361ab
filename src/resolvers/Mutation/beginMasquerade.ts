import { bearerToken } from '../../access/bearer-token.js';
import { buyerSession, requireSuperAdmin } from '../../access/buyer-session.js';
import type { MutationResolvers } from '../../generated/resolvers-types.js';
import { companyId as companyIdSchema } from '../../inputs/session.js';
import { validateInput } from '../../inputs/validate.js';

/**
 * `beginMasquerade`: B2B GraphQL `superAdminBeginMasquerade`, once the session says the caller
 * is a Super Admin. The answer's `masquerade` is asked of BigCommerce afresh.
 */
export const beginMasquerade: NonNullable<MutationResolvers['beginMasquerade']> = async (_parent, args, context) => {
  const token = bearerToken(context.request.headers.get('authorization'));
  const companyId = validateInput(companyIdSchema, args.companyId, 'companyId');
  const session = await buyerSession(context, token);
  requireSuperAdmin(session, 'Acting for a company');
  await context.upstream.graphql.superAdminBeginMasquerade(token, companyId);
  context.loaders.sessions.masqueradeChanged(token);
  return session;
};
