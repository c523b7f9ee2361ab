import type { MutationResolvers } from '../../generated/resolvers-types.js';
import { issueServerTokenInput } from '../../inputs/admin.js';
import { validateInput } from '../../inputs/validate.js';
import { requireTrustedCaller } from '../../access/trusted-callers.js';
import { issueServerToken as issueUpstream } from '../../upstream/rest/server-tokens.js';

/** `issueServerToken`: `POST /api/io/auth/backend` (docs/upstream.md#issue-a-server-token). Trusted callers only; deprecated. */
export const issueServerToken: NonNullable<MutationResolvers['issueServerToken']> = async (_parent, args, context) => {
  requireTrustedCaller(context, 'Issuing a server-to-server token');
  const input = validateInput(issueServerTokenInput, args.input, 'input');
  const store = context.stores.resolve(input.storeHash);
  // A backend user's password is guessed like a buyer's: the account budgets apply, even to a
  // trusted caller (a leaked gateway key must not become an unlimited password oracle).
  const attempt = { address: context.clientAddress, trusted: context.trusted, storeHash: store.storeHash, email: input.email };
  const issued = await context.credentialLimiter.attempt(attempt, () =>
    issueUpstream(context.upstream.rest, store, { email: input.email, password: input.password, name: input.name }),
  );
  return { name: issued.name, storeHash: store.storeHash, token: issued.token };
};
