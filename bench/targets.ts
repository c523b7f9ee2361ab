import { benchJwt, unixIn } from './jwt.js';

/** The store the static responder plays and the gateway is configured for. */
export const STORE_HASH = 'benchstore';
export const PASSWORD = 'Bench-Passw0rd!';

/**
 * The gateway's environment as deployed: production mode, default limits, no tracing export, and
 * none of its settings inherited from the shell that runs the benchmark.
 */
export function gatewayEnvironment(upstreamUrl: string, port: number): Record<string, string> {
  const inherited = Object.entries(process.env).filter(
    (entry): entry is [string, string] => entry[1] !== undefined && !/^(B2B_|GATEWAY_|OTEL_|NODE_ENV$|PORT$|HOST$)/.test(entry[0]),
  );
  return {
    ...Object.fromEntries(inherited),
    NODE_ENV: 'production',
    B2B_API_URL: upstreamUrl,
    B2B_STORE_HASH: STORE_HASH,
    B2B_AUTH_TOKEN: 'bench-x-auth-token-not-a-secret',
    GATEWAY_TRUSTED_KEYS: 'bench-trusted-key-0123456789abcdef',
    PORT: String(port),
    HOST: '127.0.0.1',
  };
}

/** Every request carries these, as a GraphQL client's would. */
export const HEADERS = {
  'content-type': 'application/json',
  accept: 'application/graphql-response+json, application/json',
};

/** What is sent to one target, and what a good answer holds. */
export interface Workload {
  /** Path below the server's base URL. */
  path: string;
  /** One body per connection: the connection's own account, so no budget is shared by two. */
  bodies: (connections: number) => string[];
  /** The answer's `data` must have a non-empty string here. */
  expect: string[];
}

const body = (query: string, variables?: Record<string, unknown>) => JSON.stringify({ query, ...(variables && { variables }) });
const email = (connection: number) => `buyer${connection}@bench.example`;
const perConnection = (make: (connection: number) => string) => (connections: number) =>
  Array.from({ length: connections }, (_, connection) => make(connection));

/** The B2B GraphQL `login` mutation as the upstream takes it (b2b-upstream.md §4): what Hive Gateway and the responder get. */
export const UPSTREAM_LOGIN = `mutation Login($loginData: UserLoginType!) {
  login(loginData: $loginData) {
    result { token storefrontLoginToken loginType user { id bcId email firstName lastName role } permissions { code permissionLevel } }
  }
}`;

export const upstreamLogin: Workload = {
  path: '/graphql',
  bodies: perConnection((c) => body(UPSTREAM_LOGIN, { loginData: { storeHash: STORE_HASH, email: email(c), password: PASSWORD, channelId: 1 } })),
  expect: ['login', 'result', 'token'],
};

export const typename: Workload = {
  path: '/graphql',
  bodies: perConnection(() => body('{ __typename }')),
  expect: ['__typename'],
};

const LOGIN = `mutation Login($input: LoginInput!) {
  login(input: $input) {
    token { value expiresAt via }
    storefrontLoginToken
    user { id email role }
    permissions { code permissionLevel }
  }
}`;

export const gatewayLogin: Workload = {
  path: '/graphql',
  bodies: perConnection((c) => body(LOGIN, { input: { email: email(c), password: PASSWORD } })),
  expect: ['login', 'token', 'value'],
};

const AUTHORIZATION = `mutation Authorization($input: AuthorizationInput!) {
  authorization(input: $input) {
    token { value expiresAt via }
    permissions { code permissionLevel }
  }
}`;

// A Current Customer JWT per connection (b2b-upstream.md §5): the rate limiter counts its email.
const currentCustomerJwt = (connection: number) =>
  benchJwt({
    customer: { id: 200 + connection, email: email(connection), group_id: '0' },
    iss: 'bc/apps',
    iat: unixIn(0),
    exp: unixIn(900),
    aud: 'bench-app-client-id',
    store_hash: STORE_HASH,
    operation: 'current_customer',
  });

export const gatewayAuthorization: Workload = {
  path: '/graphql',
  bodies: perConnection((c) => body(AUTHORIZATION, { input: { bcToken: currentCustomerJwt(c) } })),
  expect: ['authorization', 'token', 'value'],
};

const ISSUE_BY_CREDENTIALS = `mutation IssueByCredentials($input: IssueStorefrontTokenInput!) {
  issueStorefrontToken(input: $input) {
    token { value expiresAt via }
  }
}`;

export const gatewayIssueByCredentials: Workload = {
  path: '/graphql',
  bodies: perConnection((c) => body(ISSUE_BY_CREDENTIALS, { input: { credentials: { email: email(c), password: PASSWORD } } })),
  expect: ['issueStorefrontToken', 'token', 'value'],
};

/**
 * Why a sample answer is not good, or `undefined` when it is: HTTP 2xx, no GraphQL `errors`,
 * and a non-empty string at the workload's `expect` path.
 */
export function sampleProblem(workload: Workload, status: number, text: string): string | undefined {
  if (status < 200 || status > 299) return `HTTP ${status}: ${text.slice(0, 500)}`;
  let json: { data?: unknown; errors?: unknown };
  try {
    json = JSON.parse(text) as typeof json;
  } catch {
    return `not JSON: ${text.slice(0, 500)}`;
  }
  if (json.errors !== undefined) return `GraphQL errors: ${JSON.stringify(json.errors).slice(0, 500)}`;
  let value: unknown = json.data;
  for (const key of workload.expect) value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
  return typeof value === 'string' && value !== '' ? undefined : `no data.${workload.expect.join('.')}: ${text.slice(0, 500)}`;
}
