// The buyer-session operations as the tests send them, and what they need around them: a token
// per sandbox account, and the upstream requests the sandbox recorded, as a reader checks them.
import { decodeJwt } from 'jose';
import type { RecordedRequest, Sandbox } from '../../src/sandbox/index.js';
import { SANDBOX_USERS } from '../../src/sandbox/index.js';
import { type Harness, LOGIN } from '../harness.js';

export const SESSION_FIELDS = 'user { id bcId email firstName lastName role roleCode } kind permissions { code permissionLevel } expiresAt masquerade { id name }';

export const SESSION = /* GraphQL */ `
  query Session {
    session { ${SESSION_FIELDS} }
  }
`;

export const MASQUERADE_COMPANIES = /* GraphQL */ `
  query MasqueradeCompanies($search: String, $first: Int, $offset: Int) {
    masqueradeCompanies(search: $search, first: $first, offset: $offset) {
      totalCount
      companies { id name }
    }
  }
`;

export const BEGIN_MASQUERADE = /* GraphQL */ `
  mutation BeginMasquerade($companyId: ID!) {
    beginMasquerade(companyId: $companyId) { ${SESSION_FIELDS} }
  }
`;

export const END_MASQUERADE = /* GraphQL */ `
  mutation EndMasquerade {
    endMasquerade { ${SESSION_FIELDS} }
  }
`;

export const ISSUE_STOREFRONT_API_TOKEN = /* GraphQL */ `
  mutation IssueStorefrontApiToken($input: IssueStorefrontApiTokenInput!) {
    issueStorefrontApiToken(input: $input) { value expiresAt allowedCorsOrigins channelId }
  }
`;

export const CHECKOUT_LOGIN = /* GraphQL */ `
  mutation CheckoutLogin($cartId: String!) {
    checkoutLogin(cartId: $cartId) { redirectUrl }
  }
`;

/** A cart id of the form BigCommerce issues, which the sandbox accepts. */
export const CART_ID = '0b5e4f2a-3c1d-4e6f-8a9b-0c1d2e3f4a5b';

/** The sandbox accounts the session tests sign in as. */
export type Account = 'buyer' | 'junior' | 'shopper' | 'superAdmin' | 'salesRep';

/** Logs an account in through the gateway and answers its storefront authToken; forgets the requests. */
export async function tokenOf(harness: Harness, account: Account): Promise<string> {
  const { email, password } = SANDBOX_USERS[account];
  const reply = await harness.graphql(LOGIN, { input: { email, password } });
  const token = (reply.body.data?.['login'] as { token: { value: string } } | undefined)?.token.value;
  if (token === undefined) throw new Error(`login of ${account} failed: ${JSON.stringify(reply.body)}`);
  harness.sandbox.clearRequests();
  return token;
}

/** The header that carries a token. */
export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** The `expiresAt` the gateway answers for a token: its `exp` claim. */
export const expiryOf = (token: string) => new Date(Number(decodeJwt(token).exp) * 1000).toISOString();

/** The session the gateway answers for the sandbox's Super Admin signed in with `token`, acting for `masquerade`. */
export function superAdminSession(token: string, masquerade: { id: string; name: string } | null) {
  const { superAdmin } = SANDBOX_USERS;
  return {
    user: { id: String(superAdmin.userId), bcId: superAdmin.bcId, email: superAdmin.email, firstName: 'Grace', lastName: 'Hopper', role: 'SUPER_ADMIN', roleCode: 3 },
    kind: 'SUPER_ADMIN',
    permissions: [
      { code: 'get_orders', permissionLevel: 2 },
      { code: 'get_quotes', permissionLevel: 2 },
      { code: 'purchase_enable', permissionLevel: 1 },
    ],
    expiresAt: expiryOf(token),
    masquerade,
  };
}

const JWT = /^[\w-]+\.[\w-]+\.[\w-]*$/;

/** A value with every JWT and password in it replaced, for printing. */
function redacted(value: unknown): unknown {
  if (typeof value === 'string') return JWT.test(value) ? '<redacted>' : value;
  if (Array.isArray(value)) return value.map(redacted);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, key === 'password' ? '<redacted>' : redacted(item)]));
  }
  return value;
}

/** One upstream request as a reader checks it: what was asked, with which credential, tokens and passwords redacted. */
export interface UpstreamCall {
  method: string;
  path: string;
  operationName: string | undefined;
  variables: unknown;
  /** `Bearer <redacted>` when the request carried a token, else undefined. */
  authorization: string | undefined;
  /** Whether the gateway's own X-Auth-Token travelled (it never should on these operations). */
  xAuthToken: boolean;
}

export function upstreamCall(request: RecordedRequest): UpstreamCall {
  const body = (typeof request.body === 'object' && request.body !== null ? request.body : {}) as { operationName?: string; variables?: unknown };
  const authorization = request.headers['authorization'];
  return {
    method: request.method,
    path: request.path,
    operationName: body.operationName,
    variables: redacted(body.variables),
    authorization: authorization === undefined ? undefined : authorization.replace(/^Bearer\s+\S+$/i, 'Bearer <redacted>'),
    xAuthToken: request.headers['x-auth-token'] !== undefined,
  };
}

/** Every upstream request the sandbox recorded since it was last cleared. */
export const upstreamCalls = (sandbox: Sandbox): UpstreamCall[] => sandbox.requests.map(upstreamCall);

/** The operation names of the recorded upstream requests, in order. */
export const upstreamOperations = (sandbox: Sandbox) => upstreamCalls(sandbox).map((call) => call.operationName);
