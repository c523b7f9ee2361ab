// Root resolvers of the B2B GraphQL Storefront API excerpt (docs/upstream.md#b2b-graphql). The schema comes
// from the upstream SDL; these return plain objects shaped like its types. The Super Admin's
// operations are in graphql-super-admin.ts.
import { GraphQLError } from 'graphql';
import type { SandboxContext } from './context.js';
import {
  authenticate,
  companyNotApproved,
  INVALID_LOGIN,
  invalidToken,
  notFound,
  type GraphqlRequestContext,
} from './graphql-auth.js';
import { createSuperAdminResolvers } from './graphql-super-admin.js';
import type { StorefrontCustomer } from './store.js';

export type { GraphqlRequestContext } from './graphql-auth.js';

/** BigCommerce cart ids are UUIDs. */
const CART_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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
    companyInfo: company ? { companyId: String(company.id), companyName: company.name } : null,
  };
}

/** Refuses Company users whose company is not approved, with the upstream's long sentences. */
function assertCanLogIn(context: SandboxContext, customer: StorefrontCustomer): void {
  if (context.store.canLogIn(customer)) return;
  throw companyNotApproved(context.store.companyOf(customer));
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
      permissions: context.store.permissionsOf(customer),
    },
  };
}

interface LoginArgs {
  loginData: { storeHash: string; email: string; password: string; channelId?: number | null };
}

interface AuthorizationArgs {
  authData: { bcToken: string; channelId?: number | null };
}

interface StoreFrontTokenArgs {
  storeFrontTokenData: { storeHash: string; channelId: number; expiresAt: number; allowedCorsOrigins: (string | null)[] };
}

interface CheckoutLoginArgs {
  cartData: { cartId: string };
}

/** An origin as browsers send it: scheme, host and port only. */
function isOrigin(value: string | null): boolean {
  if (value === null) return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === value;
  } catch {
    return false;
  }
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
      const { customer } = await authenticate(context, request);
      return toUserType(context, customer);
    },

    async customerInfo(_args: unknown, request: GraphqlRequestContext) {
      const { customer } = await authenticate(context, request);
      return {
        userType: context.store.userTypeOf(customer),
        userInfo: {
          id: customer.b2bUserId,
          firstName: customer.firstName,
          lastName: customer.lastName,
          phoneNumber: customer.phone,
          role: customer.role,
          companyRoleId: customer.company?.companyRoleId ?? null,
          companyRoleName: customer.company?.companyRoleName ?? null,
          email: customer.email,
        },
        permissions: context.store.permissionsOf(customer),
      };
    },

    // Anonymous, as the published schema says ("Doesn't require a Token").
    async storeFrontToken({ storeFrontTokenData: data }: StoreFrontTokenArgs) {
      if (data.storeHash !== context.storeHash) throw new GraphQLError('Store not found');
      if (data.channelId < 1) throw new GraphQLError('Channel not found');
      if (data.expiresAt <= context.tokens.nowSeconds()) throw new GraphQLError('The expiration time must be in the future.');
      if (!data.allowedCorsOrigins.every(isOrigin)) throw new GraphQLError('Each allowed CORS origin must be an origin, e.g. https://shop.example.com.');
      const token = await context.tokens.storefrontApiToken({
        channelId: data.channelId,
        expiresAt: data.expiresAt,
        allowedCorsOrigins: data.allowedCorsOrigins as string[],
      });
      return { token };
    },

    // The redirect signs the shopper in to the storefront, then opens checkout with the cart
    // (BigCommerce's Customer Login JWT with `redirect_to`).
    async checkoutLogin({ cartData }: CheckoutLoginArgs, request: GraphqlRequestContext) {
      const { customer, channelId } = await authenticate(context, request);
      if (!CART_ID.test(cartData.cartId)) throw notFound('Cart');
      const jwt = await context.tokens.storefrontLoginToken({
        bcCustomerId: customer.bcId,
        channelId,
        redirectTo: `/cart.php?action=loadInCheckout&id=${cartData.cartId}`,
      });
      return { result: { redirectUrl: `${context.storefrontUrl}/login/token/${jwt}` } };
    },

    ...createSuperAdminResolvers(context),
  };
}
