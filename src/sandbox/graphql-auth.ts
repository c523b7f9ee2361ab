// Who is calling the sandbox's GraphQL endpoint, and the errors it answers with. Upstream
// documents only 40101 (an invalid or expired token); the other codes and sentences here are
// the sandbox's own picks, and the gateway must not rely on them.
import { GraphQLError } from 'graphql';
import type { SandboxContext } from './context.js';
import type { Company, StorefrontCustomer } from './store.js';
import type { VerifyFailure } from './tokens.js';

/** Per-request GraphQL context. */
export interface GraphqlRequestContext {
  /** The raw `Authorization` header. */
  authorization: string | undefined;
}

export const INVALID_LOGIN = 40001;
export const INVALID_TOKEN = 40101;
const PERMISSION_DENIED = 40301;
const NOT_FOUND = 40401;

// The pending sentence is the one BigCommerce's buyer portal matches on (its login page and tests);
// the other two are the sandbox's own wording. Upstream sends these with no `extensions`.
const COMPANY_STATUS_MESSAGES: Record<number, string> = {
  0: 'Your business account is pending approval. You will gain access to business account features, products, and pricing after account approval.',
  2: 'Your business account has been rejected. Please contact the store owner or our support team for more information.',
  3: 'This business account is inactive. Reach out to our support team to reactivate your account.',
};

export function invalidToken(reason: VerifyFailure | 'missing'): GraphQLError {
  const message =
    reason === 'missing'
      ? 'Authentication credentials were not provided.'
      : reason === 'expired'
        ? 'Signature has expired'
        : 'Error decoding signature';
  return new GraphQLError(message, { extensions: { code: INVALID_TOKEN } });
}

/** A caller whose token is valid but who may not do this (e.g. a buyer asking for a Super Admin's data). */
export const permissionDenied = (): GraphQLError =>
  new GraphQLError('You do not have permission to perform this action.', { extensions: { code: PERMISSION_DENIED } });

export const notFound = (what: string): GraphQLError => new GraphQLError(`${what} not found.`, { extensions: { code: NOT_FOUND } });

/** The sentence a company that is not approved is refused with. */
export const companyNotApproved = (company: Company | undefined): GraphQLError =>
  new GraphQLError(COMPANY_STATUS_MESSAGES[company?.status ?? 0] ?? COMPANY_STATUS_MESSAGES[0] ?? 'Company not approved');

/** The customer of the request's `Authorization: Bearer <storefront authToken>`, or a 40101 error. */
export async function authenticate(
  context: SandboxContext,
  request: GraphqlRequestContext,
): Promise<{ customer: StorefrontCustomer; channelId: number }> {
  // Split on any whitespace: BigCommerce's buyer portal sends `Bearer  <token>` (two spaces).
  const [scheme, token, ...rest] = (request.authorization ?? '').trim().split(/\s+/);
  if (scheme?.toLowerCase() !== 'bearer' || !token || rest.length > 0) throw invalidToken('missing');
  const verified = await context.tokens.verifyStorefrontToken(token);
  if (!verified.ok) throw invalidToken(verified.reason);
  const customer = context.store.customerByEmail(verified.value.email);
  if (customer === undefined) throw invalidToken('invalid');
  return { customer, channelId: verified.value.channelId };
}

/** The calling Super Admin, or a permission error for anyone else. */
export async function authenticateSuperAdmin(context: SandboxContext, request: GraphqlRequestContext): Promise<StorefrontCustomer> {
  const { customer } = await authenticate(context, request);
  if (customer.superAdmin === null) throw permissionDenied();
  return customer;
}
