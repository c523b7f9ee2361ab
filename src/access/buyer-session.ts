import type { GatewayContext } from '../context.js';
import { ForbiddenError, UpstreamResponseShapeError } from '../errors/gateway-errors.js';
import type { AccountKind } from '../generated/resolvers-types.js';
import type { UpstreamPermission, UpstreamUser } from '../upstream/models.js';

/** The session of a storefront authToken, as `Session` resolves it (codegen mapper). */
export interface BuyerSession {
  /** The caller's own storefront authToken, for the calls the session's fields make. */
  token: string;
  user: UpstreamUser;
  kind: AccountKind;
  permissions: UpstreamPermission[];
}

/**
 * `customerInfo.userType` as the buyer portal's `UserTypes` reads it, which wins over the
 * published schema's older description of 3 ("exists in BundleB2B").
 */
const ACCOUNT_KINDS: ReadonlyMap<number, AccountKind> = new Map([
  [2, 'B2C_CUSTOMER'],
  [3, 'B2C_CUSTOMER'],
  [4, 'COMPANY_USER'],
  [5, 'COMPANY_USER'],
  [7, 'COMPANY_USER'],
  [6, 'SUPER_ADMIN'],
]);

/**
 * The session of `token`, asked of BigCommerce once per request (`context.loaders.sessions`).
 * A `userType` outside the known ones is UPSTREAM_BAD_RESPONSE: the public schema has no kind for
 * it, and guessing one could give a buyer a Super Admin's answers.
 */
export async function buyerSession(context: Pick<GatewayContext, 'loaders'>, token: string): Promise<BuyerSession> {
  const { user, userType, permissions } = await context.loaders.sessions.session(token);
  const kind = ACCOUNT_KINDS.get(userType);
  if (kind === undefined) throw new UpstreamResponseShapeError('graphql Session', `customerInfo.userType ${userType} is not a known account kind`);
  return { token, user, kind, permissions };
}

/** A Super Admin's two ids, as the masquerade operations take them. */
export interface SuperAdminIds {
  /** Their B2B Edition user id (`currentUser.id`), for `superAdminCompanies`. */
  superAdminId: number;
  /** Their BigCommerce customer id (`currentUser.bcId`), for `superAdminMasquerading`. */
  customerId: number;
}

/** Throws FORBIDDEN unless the session is a Super Admin's; answers their ids. */
export function requireSuperAdmin(session: BuyerSession, what: string): SuperAdminIds {
  if (session.kind !== 'SUPER_ADMIN') throw new ForbiddenError(`${what} is for Super Admins only.`);
  const superAdminId = Number(session.user.id);
  if (!Number.isSafeInteger(superAdminId) || superAdminId <= 0) {
    throw new UpstreamResponseShapeError('graphql Session', 'currentUser.id of a Super Admin is not a positive integer');
  }
  return { superAdminId, customerId: session.user.bcId };
}
