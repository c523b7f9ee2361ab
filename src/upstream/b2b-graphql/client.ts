import { z } from 'zod';
import { CredentialsRejectedError, InputValidationError, TokenRejectedError, UpstreamGraphQLError, UpstreamResponseShapeError } from '../../errors/gateway-errors.js';
import type { CircuitBreakers } from '../circuit-breaker.js';
import type { HttpTransport } from '../http-transport.js';
import {
  upstreamPermissions,
  upstreamUser,
  type UpstreamCheckoutLogin,
  type UpstreamCompany,
  type UpstreamCompanyPage,
  type UpstreamPermission,
  type UpstreamSession,
  type UpstreamUser,
} from '../models.js';
import {
  AuthorizationDocument,
  CheckoutLoginDocument,
  CurrentUserDocument,
  LoginDocument,
  SessionDocument,
  StoreFrontTokenDocument,
  SuperAdminBeginMasqueradeDocument,
  SuperAdminCompaniesDocument,
  SuperAdminEndMasqueradeDocument,
  SuperAdminMasqueradingDocument,
  type CustomerStoreFrontTokenInputType,
  type UserAuthType,
  type UserLoginType,
} from './generated.js';
import { createRunner, operation, parseAnswer, type Operation } from './operation.js';

export interface LoginResult {
  token: string;
  storefrontLoginToken: string | null;
  user: UpstreamUser | null;
  permissions: UpstreamPermission[];
}

export interface AuthorizationResult {
  token: string;
  permissions: UpstreamPermission[];
}

/** One page of {@link B2BGraphQLClient.superAdminCompanies}. */
export interface SuperAdminCompaniesPage {
  /** The Super Admin's B2B Edition user id (`currentUser.id`), not their BigCommerce customer id. */
  superAdminId: number;
  /** Free text matched against the companies; sent as a variable, never pasted into the document. */
  search: string | null;
  first: number;
  offset: number;
}

/**
 * The B2B GraphQL Storefront API operations the gateway uses (docs/upstream.md#b2b-graphql), one method
 * per upstream document of `operations/`.
 *
 * Methods that take a `token` send the buyer's own storefront authToken as
 * `Authorization: Bearer <token>`, never the X-Auth-Token, and throw `TokenRejectedError` when the
 * upstream refuses it (HTTP 401, code 40101, "JWT verification failed").
 *
 * An answer that carries `errors` is a failed call even when it also carries some `data`: every
 * field these documents ask for is one the public contract needs, so a partial answer is never
 * read. A token refusal anywhere in `errors` wins over the other errors. Where the public
 * contract promises a value and the upstream sent null, the call throws
 * `UpstreamResponseShapeError` (UPSTREAM_BAD_RESPONSE).
 */
export interface B2BGraphQLClient {
  /** Anonymous. */
  login(loginData: UserLoginType): Promise<LoginResult>;
  /** Anonymous. */
  authorization(authData: UserAuthType): Promise<AuthorizationResult>;
  /**
   * The user a storefront authToken belongs to. Throws `TokenRejectedError` when the upstream
   * refuses the token or names no user.
   */
  currentUser(token: string): Promise<UpstreamUser>;
  /**
   * `currentUser` and `customerInfo` in one request. Throws `TokenRejectedError` when the token
   * is refused or names no user, `UpstreamResponseShapeError` when `customerInfo` or its
   * `userType` is null.
   */
  session(token: string): Promise<UpstreamSession>;
  /**
   * The company a Super Admin is masquerading as, or null when none. `customerId` is their
   * BigCommerce customer id (`currentUser.bcId`). A company without a numeric id or a name is
   * `UpstreamResponseShapeError`.
   */
  superAdminMasquerading(token: string, customerId: number): Promise<UpstreamCompany | null>;
  /**
   * One page of the companies a Super Admin may act for. A null connection, a null `totalCount`,
   * or a company without `companyId` or `companyName` is `UpstreamResponseShapeError`.
   */
  superAdminCompanies(token: string, page: SuperAdminCompaniesPage): Promise<UpstreamCompanyPage>;
  /**
   * Begins a masquerade as `companyId` (`UpstreamCompany.id`). Any refusal other than the
   * token's is `InputValidationError` on `companyId` (BAD_USER_INPUT): BigCommerce does not
   * document how it refuses an unknown company, one the Super Admin may not act for, or an
   * inactive one, and all of them are about the company the caller named. The answer's
   * `userInfo` is not read.
   */
  superAdminBeginMasquerade(token: string, companyId: number): Promise<void>;
  /** Ends the masquerade as `companyId`. The answer's `message` is not read. */
  superAdminEndMasquerade(token: string, companyId: number): Promise<void>;
  /**
   * Anonymous: a BigCommerce GraphQL Storefront API token. `expiresAt` is in Unix seconds. A null
   * or empty token is `UpstreamResponseShapeError`; a refusal stays `UpstreamGraphQLError`
   * (the store hash and channel are the gateway's to check before calling).
   */
  storeFrontToken(data: CustomerStoreFrontTokenInputType): Promise<string>;
  /**
   * A redirect URL that signs the token's user in to checkout with the cart. Any refusal other
   * than the token's is `InputValidationError` on `cartId` (BAD_USER_INPUT). A null
   * `redirectUrl` is `UpstreamResponseShapeError`.
   */
  checkoutLogin(token: string, cartId: string): Promise<UpstreamCheckoutLogin>;
}

const token = z.string().min(1);
const loginData = z.object({
  login: z
    .object({
      result: z.object({
        token,
        storefrontLoginToken: z.string().nullish().transform((value) => value ?? null),
        user: upstreamUser.nullish().transform((value) => value ?? null),
        permissions: upstreamPermissions,
      }),
    }),
});
const authorizationData = z.object({
  authorization: z.object({ result: z.object({ token, permissions: upstreamPermissions }) }),
});
const currentUserData = z.object({ currentUser: upstreamUser.nullable() });
const sessionData = z.object({
  currentUser: upstreamUser.nullable(),
  customerInfo: z.object({ userType: z.number().int(), permissions: upstreamPermissions }).nullable(),
});
const companyName = z.string().min(1);
const masqueradingData = z.object({
  // `CompanyType.id` is an ID: the numeric company id as a string.
  superAdminMasquerading: z
    .object({ id: z.union([z.string().regex(/^\d+$/).transform(Number), z.number().int()]).pipe(z.number().int().positive()), companyName })
    .transform(({ id, companyName: name }) => ({ id, name }))
    .nullable(),
});
const companiesData = z.object({
  superAdminCompanies: z.object({
    totalCount: z.number().int().nonnegative(),
    edges: z.array(z.object({ node: z.object({ companyId: z.number().int().positive(), companyName }) })),
  }),
});
const storeFrontTokenDataShape = z.object({ storeFrontToken: z.object({ token }) });
const checkoutLoginData = z.object({ checkoutLogin: z.object({ result: z.object({ redirectUrl: z.string().min(1) }) }) });

/** Upstream's "invalid or expired token" code (docs/upstream.md#graphql-errors). */
const INVALID_TOKEN_CODE = 40101;
/** What the upstream says, with no extensions, about a string that is not a JWT. */
const MALFORMED_JWT = /JWT verification failed/i;

/** The upstream refused the buyer's token: 40101, a malformed JWT, or HTTP 401. */
function isTokenRefusal(error: UpstreamGraphQLError): boolean {
  return (
    error.status === 401 ||
    error.errors.some((item) => Number(item.code) === INVALID_TOKEN_CODE || MALFORMED_JWT.test(item.message))
  );
}

/**
 * The B2B GraphQL client: graphql-request over the gateway's transport. No X-Auth-Token is ever
 * attached: `login`, `authorization` and `storeFrontToken` are anonymous, and every other
 * operation carries only the buyer's own token.
 */
export function createB2BGraphQLClient(endpointUrl: string, transport: HttpTransport, breakers: CircuitBreakers): B2BGraphQLClient {
  const run = createRunner(breakers);
  const loginOperation = operation(endpointUrl, transport, LoginDocument);
  const authorizationOperation = operation(endpointUrl, transport, AuthorizationDocument);
  const currentUserOperation = operation(endpointUrl, transport, CurrentUserDocument);
  const sessionOperation = operation(endpointUrl, transport, SessionDocument);
  const masqueradingOperation = operation(endpointUrl, transport, SuperAdminMasqueradingDocument);
  const companiesOperation = operation(endpointUrl, transport, SuperAdminCompaniesDocument);
  const beginMasqueradeOperation = operation(endpointUrl, transport, SuperAdminBeginMasqueradeDocument);
  const endMasqueradeOperation = operation(endpointUrl, transport, SuperAdminEndMasqueradeDocument);
  const storeFrontTokenOperation = operation(endpointUrl, transport, StoreFrontTokenDocument);
  const checkoutLoginOperation = operation(endpointUrl, transport, CheckoutLoginDocument);

  /** Sends the buyer's own token; its refusal is `TokenRejectedError`, any other GraphQL error stays an upstream fault. */
  async function runAsBuyer<TData, TVariables>(op: Operation<TData, TVariables>, variables: TVariables, buyerToken: string): Promise<TData> {
    try {
      return await run(op, variables, { authorization: `Bearer ${buyerToken}` });
    } catch (error) {
      if (error instanceof UpstreamGraphQLError && isTokenRefusal(error)) throw new TokenRejectedError(error.message);
      throw error;
    }
  }

  return {
    async login(variables) {
      try {
        const data = await run(loginOperation, { loginData: variables });
        return parseAnswer(loginOperation.endpoint, loginData, data).login.result;
      } catch (error) {
        // Wrong password, unknown email, inactive company: all one refusal to the caller.
        if (error instanceof UpstreamGraphQLError) throw new CredentialsRejectedError(error.message);
        throw error;
      }
    },
    async authorization(variables) {
      try {
        const data = await run(authorizationOperation, { authData: variables });
        return parseAnswer(authorizationOperation.endpoint, authorizationData, data).authorization.result;
      } catch (error) {
        // 40101 (invalid or expired), "JWT verification failed" (malformed), or anything else refused.
        if (error instanceof UpstreamGraphQLError) throw new TokenRejectedError(error.message);
        throw error;
      }
    },
    async currentUser(buyerToken) {
      const data = await runAsBuyer(currentUserOperation, {}, buyerToken);
      const user = parseAnswer(currentUserOperation.endpoint, currentUserData, data).currentUser;
      // GraphQL's usual "nobody is logged in": the token identifies no user.
      if (user === null) throw new TokenRejectedError(`${currentUserOperation.endpoint}: the token names no user`);
      return user;
    },
    async session(buyerToken) {
      const { endpoint } = sessionOperation;
      const data = await runAsBuyer(sessionOperation, {}, buyerToken);
      const { currentUser: user, customerInfo } = parseAnswer(endpoint, sessionData, data);
      if (user === null) throw new TokenRejectedError(`${endpoint}: the token names no user`);
      if (customerInfo === null) throw new UpstreamResponseShapeError(endpoint, 'customerInfo is null for a known user');
      return { user, userType: customerInfo.userType, permissions: customerInfo.permissions };
    },
    async superAdminMasquerading(buyerToken, customerId) {
      const data = await runAsBuyer(masqueradingOperation, { customerId }, buyerToken);
      return parseAnswer(masqueradingOperation.endpoint, masqueradingData, data).superAdminMasquerading;
    },
    async superAdminCompanies(buyerToken, page) {
      const data = await runAsBuyer(companiesOperation, page, buyerToken);
      const { totalCount, edges } = parseAnswer(companiesOperation.endpoint, companiesData, data).superAdminCompanies;
      return { totalCount, companies: edges.map(({ node }) => ({ id: node.companyId, name: node.companyName })) };
    },
    async superAdminBeginMasquerade(buyerToken, companyId) {
      try {
        await runAsBuyer(beginMasqueradeOperation, { companyId }, buyerToken);
      } catch (error) {
        // Unknown, not assigned to this Super Admin, inactive: BigCommerce documents none of these
        // answers, and each is about the company the caller named.
        if (error instanceof UpstreamGraphQLError) throw new InputValidationError('companyId', 'not a company this Super Admin may act for');
        throw error;
      }
    },
    async superAdminEndMasquerade(buyerToken, companyId) {
      await runAsBuyer(endMasqueradeOperation, { companyId }, buyerToken);
    },
    async storeFrontToken(storeFrontTokenData) {
      const data = await run(storeFrontTokenOperation, { storeFrontTokenData });
      return parseAnswer(storeFrontTokenOperation.endpoint, storeFrontTokenDataShape, data).storeFrontToken.token;
    },
    async checkoutLogin(buyerToken, cartId) {
      try {
        const data = await runAsBuyer(checkoutLoginOperation, { cartData: { cartId } }, buyerToken);
        return parseAnswer(checkoutLoginOperation.endpoint, checkoutLoginData, data).checkoutLogin.result;
      } catch (error) {
        if (error instanceof UpstreamGraphQLError) throw new InputValidationError('cartId', 'BigCommerce refused checkout for this cart');
        throw error;
      }
    },
  };
}
