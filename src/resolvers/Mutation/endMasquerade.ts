import { bearerToken } from '../../access/bearer-token.js';
import { buyerSession, requireSuperAdmin } from '../../access/buyer-session.js';
import type { MutationResolvers } from '../../generated/resolvers-types.js';

/**
 * `endMasquerade`: B2B GraphQL `superAdminEndMasquerade` for the company the Super Admin acts
 * for, which `superAdminMasquerading` names first (upstream ends a masquerade by company). Not
 * masquerading: the session as it is, with nothing ended.
 */
export const endMasquerade: NonNullable<MutationResolvers['endMasquerade']> = async (_parent, _args, context) => {
  const token = bearerToken(context.request.headers.get('authorization'));
  const session = await buyerSession(context, token);
  const { customerId } = requireSuperAdmin(session, 'Ending a masquerade');
  const current = await context.loaders.sessions.masquerade(token, customerId);
  if (current === null) return session;
  await context.upstream.graphql.superAdminEndMasquerade(token, current.id);
  context.loaders.sessions.masqueradeChanged(token, null);
  return session;
};
