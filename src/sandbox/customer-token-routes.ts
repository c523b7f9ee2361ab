// Storefront authTokens over REST (docs/upstream.md#rest-authentication-endpoints).
import { z } from 'zod';
import type { SandboxContext } from './context.js';
import { failure, parameterError, serverError, success } from './envelope.js';
import type { SandboxRequest, SandboxResponse } from './exchange.js';
import { authenticateServer } from './server-auth.js';
import { intField, validateBody, validateQuery } from './validation.js';

const customerAuthFailed = (): SandboxResponse => failure(400, 'Customer auth failed', 'Calling BC API failed');

const credentialsBody = z.object({
  storeHash: z.string().min(1),
  email: z.email(),
  password: z.string().min(1),
  channelId: intField(),
  name: z.string().min(1),
  beginAt: intField().optional(),
  endAt: intField().optional(),
});

/** `POST /api/io/auth/customers` (docs/upstream.md#token-from-credentials): storefront authToken from a customer's credentials. */
export async function postAuthCustomers(request: SandboxRequest, context: SandboxContext): Promise<SandboxResponse> {
  const auth = authenticateServer(request, context);
  if (!auth.ok) return auth.response;
  const body = validateBody(request, credentialsBody);
  if (!body.ok) return body.response;
  const { storeHash, email, password, channelId, name, beginAt, endAt } = body.value;
  if (beginAt !== undefined && endAt !== undefined && endAt <= beginAt) {
    return parameterError({ endAt: ['endAt must be later than beginAt'] });
  }
  if (storeHash !== context.storeHash) return customerAuthFailed();
  const customer = context.store.authenticateCustomer(email, password);
  if (customer === undefined || !context.store.canLogIn(customer)) return customerAuthFailed();
  const token = await context.tokens.storefrontAuthToken({ email: customer.email, name, channelId, beginAt, endAt });
  return success({ name, token });
}

const customerAccessToken = z.object({
  value: z.string().min(1),
  // The docs say `expires_at`; Catalyst sends `expiresAt` and upstream takes it.
  expires_at: z.string().optional(),
  expiresAt: z.string().optional(),
});

const storefrontTokenBody = z.object({
  customerId: intField(),
  channelId: intField().optional(),
  customerAccessToken: customerAccessToken.optional(),
});

/** `POST /api/io/auth/customers/storefront` (docs/upstream.md#token-for-a-customer): B2B storefront token for any customer id. */
export async function postAuthCustomersStorefront(
  request: SandboxRequest,
  context: SandboxContext,
): Promise<SandboxResponse> {
  const auth = authenticateServer(request, context);
  if (!auth.ok) return auth.response;
  const body = validateBody(request, storefrontTokenBody);
  if (!body.ok) return body.response;
  const customer = context.store.customerByBcId(body.value.customerId);
  if (customer === undefined) return failure(404, 'Customer not found', 'Not Found Error');
  if (!context.store.canLogIn(customer)) return customerAuthFailed();
  const token = await context.tokens.b2bStorefrontToken({
    email: customer.email,
    bcCustomerId: customer.bcId,
    channelId: body.value.channelId ?? 1,
  });
  // The one endpoint whose `token` is an array (docs corrected from a live response).
  return success({ token: [token] });
}

const NO_CREDENTIALS = 'Invalid token header. No credentials provided.';

const storefrontQuery = z.object({
  jwtToken: z.string().optional(),
  channelId: intField().optional(),
});

/** `GET /api/io/auth/storefront?jwtToken=…` (docs/upstream.md#token-from-a-session-jwt): storefront authToken from a Current Customer JWT. */
export async function getAuthStorefront(request: SandboxRequest, context: SandboxContext): Promise<SandboxResponse> {
  if (request.headers['x-store-hash'] !== context.storeHash) return serverError();
  const query = validateQuery(request, storefrontQuery);
  if (!query.ok) return query.response;
  const unauthorized = failure(401, NO_CREDENTIALS, NO_CREDENTIALS);
  const jwt = query.value.jwtToken?.trim();
  if (!jwt) return unauthorized;
  const verified = await context.tokens.verifyCurrentCustomerJwt(jwt);
  if (!verified.ok) return unauthorized;
  const customer = context.store.customerByBcId(verified.value.customerId);
  if (customer === undefined) return unauthorized;
  if (!context.store.canLogIn(customer)) return customerAuthFailed();
  const token = await context.tokens.storefrontAuthToken({
    email: customer.email,
    name: 'storefront',
    channelId: query.value.channelId ?? 1,
  });
  return success({ token });
}
