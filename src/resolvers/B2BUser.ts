import type { B2BRole, B2BUserResolvers } from '../generated/resolvers-types.js';

// Role codes as BigCommerce's own buyer portal reads them (b2b-upstream.md §4).
const ROLES: ReadonlyMap<number, B2BRole> = new Map([
  [0, 'ADMIN'],
  [1, 'SENIOR_BUYER'],
  [2, 'JUNIOR_BUYER'],
  [3, 'SUPER_ADMIN'],
  [99, 'B2C_CUSTOMER'],
  [100, 'GUEST'],
]);

/** `B2BUser` fields that differ from the upstream user. */
export const B2BUser: B2BUserResolvers = {
  role: (user) => ROLES.get(user.role) ?? 'UNKNOWN',
  roleCode: (user) => user.role,
};
