import type { B2BRole, B2BUserResolvers } from '../generated/resolvers-types.js';
import { requireTrustedCaller } from '../access/trusted-callers.js';

// Role codes as BigCommerce's own buyer portal reads them (docs/upstream.md#role-codes).
const ROLES: ReadonlyMap<number, B2BRole> = new Map([
  [0, 'ADMIN'],
  [1, 'SENIOR_BUYER'],
  [2, 'JUNIOR_BUYER'],
  [3, 'SUPER_ADMIN'],
  [99, 'B2C_CUSTOMER'],
  [100, 'GUEST'],
]);

/** `B2BUser`: the federation entity resolver and the fields that differ from the upstream user. */
export const B2BUser: B2BUserResolvers = {
  // A supergraph router resolving `B2BUser` references sent by other subgraphs. User records
  // are personal data, so only trusted callers (the router forwards X-Gateway-Key) may ask.
  //
  // Not `async`, and every promise handed back is already observed: @apollo/subgraph maps all
  // representations to promises before awaiting them, so when a later representation throws
  // (an unknown __typename), an earlier rejected promise would be left unhandled and could
  // bring the process down.
  __resolveReference: (reference, context) => {
    requireTrustedCaller(context, 'Looking up users by id');
    const id = Number(reference.id);
    if (!Number.isSafeInteger(id) || id <= 0) return null;
    const user = context.loaders.users.load(id);
    user.catch(() => undefined);
    return user;
  },
  role: (user) => ROLES.get(user.role) ?? 'UNKNOWN',
  roleCode: (user) => user.role,
};
