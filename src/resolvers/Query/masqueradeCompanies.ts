import { bearerToken } from '../../access/bearer-token.js';
import { buyerSession, requireSuperAdmin } from '../../access/buyer-session.js';
import type { QueryResolvers } from '../../generated/resolvers-types.js';
import { masqueradeFirst, masqueradeOffset, masqueradeSearch } from '../../inputs/session.js';
import { validateInput } from '../../inputs/validate.js';

/**
 * `masqueradeCompanies`: B2B GraphQL `superAdminCompanies` for the calling Super Admin, after the
 * session that says who they are (two upstream requests); `search` travels as a variable.
 */
export const masqueradeCompanies: NonNullable<QueryResolvers['masqueradeCompanies']> = async (_parent, args, context) => {
  const token = bearerToken(context.request.headers.get('authorization'));
  const search = validateInput(masqueradeSearch, args.search, 'search');
  const first = validateInput(masqueradeFirst, args.first, 'first');
  const offset = validateInput(masqueradeOffset, args.offset, 'offset');
  const { superAdminId } = requireSuperAdmin(await buyerSession(context, token), 'Listing the companies to act for');
  return context.upstream.graphql.superAdminCompanies(token, { superAdminId, search: search ?? null, first, offset });
};
