// Root resolvers of the B2B GraphQL Storefront API excerpt (b2b-upstream.md §4). The schema comes
// from the upstream SDL; these return plain objects shaped like its types.
import { GraphQLError } from 'graphql';
import type { SandboxContext } from './context.js';
import type { StorefrontCustomer } from './store.js';
import type { VerifyFailure } from './tokens.js';

/** Per-request GraphQL context. */
export interface GraphqlRequestContext {
  /** The raw `Authorization` header. */
  authorization: string | undefined;
}

const INVALID_LOGIN = 40001;
const INVALID_TOKEN = 40101;

// The pending sentence is the one BigCommerce's buyer portal matches on (its login page and tests);
// the other two are the sandbox's own wording. Upstream sends these with no `extensions`.
const COMPANY_STATUS_MESSAGES: Record<number, string> = {
  0: 'Your business account is pending approval. You will gain access to business account features, products, and pricing after account approval.',
  2: 'Your business account has been rejected. Please contact the store owner or our support team for more information.',
  3: 'This business account is inactive. Reach out to our support team to reactivate your account.',
};

function invalidToken(reason: VerifyFailure | 'missing'): GraphQLError {
  const message =
    reason === 'missing'
      ? 'Authentication credentials were not provided.'
      : reason === 'expired'
        ? 'Signature has expired'
        : 'Error decoding signature';
  return new GraphQLError(message, { extensions: { code: INVALID_TOKEN } });
}

function toUserType(context: SandboxContext, customer: StorefrontCustomer) {
  const company = context.store.companyOf(customer);
  return {
    id: String(customer.b2bUserId),
    bcId: customer.bcId,
    firstName: customer.firstName,
    lastName: customer.lastName,
    email: customer.email,
    phone: customer.phone,
    role: customer.role,
    companyRoleId: customer.company?.companyRoleId ?? null,
    companyRoleName: customer.company?.companyRoleName ?? null,
    companyInfo: company ? { id: String(company.id), companyName: company.name, companyStatus: company.status } : null,
  };
}

/** Refuses Company users whose company is not approved, with the upstream's long sentences. */
function assertCanLogIn(context: SandboxContext, customer: StorefrontCustomer): void {
  if (context.store.canLogIn(customer)) return;
  const status = context.store.companyOf(customer)?.status ?? 0;
  throw new GraphQLError(COMPANY_STATUS_MESSAGES[status] ?? COMPANY_STATUS_MESSAGES[0] ?? 'Login failed');
}

async function authResult(context: SandboxContext, customer: StorefrontCustomer, channelId: number, name: string) {
  const [token, storefrontLoginToken] = await Promise.all([
    context.tokens.storefrontAuthToken({ email: customer.email, name, channelId }),
    context.tokens.storefrontLoginToken({ bcCustomerId: customer.bcId, channelId }),
  ]);
  return {
    result: {
      token,
      user: toUserType(context, customer),
      loginType: 2,
      storefrontLoginToken,
      permissions: (customer.company?.permissions ?? []).map((p) => ({ ...p })),
    },
  };
}

interface LoginArgs {
  loginData: { storeHash: string; email: string; password: string; channelId?: number | null };
}

interface AuthorizationArgs {
  authData: { bcToken: string; channelId?: number | null };
}

/** The `rootValue`: graphql-js calls these for the root fields of the same name. */
export function createRootValue(context: SandboxContext) {
  return {
    async login({ loginData }: LoginArgs) {
      if (loginData.storeHash !== context.storeHash) throw new GraphQLError('Store not found');
      const customer = context.store.authenticateCustomer(loginData.email, loginData.password);
      if (customer === undefined) throw new GraphQLError('Invalid Login', { extensions: { code: INVALID_LOGIN } });
      assertCanLogIn(context, customer);
      return authResult(context, customer, loginData.channelId ?? 1, 'login');
    },

    async authorization({ authData }: AuthorizationArgs) {
      const verified = await context.tokens.verifyCurrentCustomerJwt(authData.bcToken.trim());
      // Observed upstream: a string that is not a JWT gets this message and no extensions.
      if (!verified.ok && verified.reason === 'malformed') throw new GraphQLError('JWT verification failed');
      if (!verified.ok) throw invalidToken(verified.reason);
      const customer = context.store.customerByBcId(verified.value.customerId);
      if (customer === undefined) throw invalidToken('invalid');
      assertCanLogIn(context, customer);
      return authResult(context, customer, authData.channelId ?? 1, 'authorization');
    },

    async currentUser(_args: unknown, request: GraphqlRequestContext) {
      // Split on any whitespace: BigCommerce's buyer portal sends `Bearer  <token>` (two spaces).
      const [scheme, token, ...rest] = (request.authorization ?? '').trim().split(/\s+/);
      if (scheme?.toLowerCase() !== 'bearer' || !token || rest.length > 0) throw invalidToken('missing');
      const verified = await context.tokens.verifyStorefrontToken(token);
      if (!verified.ok) throw invalidToken(verified.reason);
      const customer = context.store.customerByEmail(verified.value.email);
      if (customer === undefined) throw invalidToken('invalid');
      return toUserType(context, customer);
    },
  };
}
