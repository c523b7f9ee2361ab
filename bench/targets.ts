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
  /** The body of a request made for buyer number `buyer` (ignored by a workload without accounts). */
  body: (buyer: number) => string;
  /** The answer's `data` must have a string here, starting with `valueStart`. */
  expect: string[];
  /** How the expected string starts: `eyJ` for a token (a JWT's encoded header). */
  valueStart: string;
}

const body = (query: string, variables?: Record<string, unknown>) => JSON.stringify({ query, ...(variables && { variables }) });
const email = (buyer: number) => `buyer${buyer}@bench.example`;

/**
 * Buyers per load connection. A connection cycles through buyers of its own, so every request is
 * another buyer's than the one before and no two requests in flight share an account's budgets;
 * every load connection still comes from 127.0.0.1, so they all share its address's budgets.
 */
export const BUYERS_PER_CONNECTION = 20;

/** The bodies connection number `connection` sends, in turn: one per buyer of its own. */
export const connectionBodies = (workload: Workload, connection: number): string[] =>
  Array.from({ length: BUYERS_PER_CONNECTION }, (_, index) => workload.body(connection * BUYERS_PER_CONNECTION + index));

/**
 * How a good answer's body starts: `data`, the expected path, then the start of the expected
 * string, e.g. `{"data":{"login":{"token":{"value":"eyJ`. Every server here prints the selected
 * fields in order and `data` first when there are no errors, so a prefix check tells a good
 * answer from a bad one without parsing it.
 */
export const answerStart = (workload: Workload): string =>
  `{"data":${workload.expect.map((key) => `{${JSON.stringify(key)}:`).join('')}"${workload.valueStart}`;

/** The B2B GraphQL `login` mutation as the upstream takes it (docs/upstream.md#graphql-login): what Hive Gateway and the responder get. */
export const UPSTREAM_LOGIN = `mutation Login($loginData: UserLoginType!) {
  login(loginData: $loginData) {
    result { token storefrontLoginToken loginType user { id bcId email firstName lastName role } permissions { code permissionLevel } }
  }
}`;

export const upstreamLogin: Workload = {
  path: '/graphql',
  body: (buyer) => body(UPSTREAM_LOGIN, { loginData: { storeHash: STORE_HASH, email: email(buyer), password: PASSWORD, channelId: 1 } }),
  expect: ['login', 'result', 'token'],
  valueStart: 'eyJ',
};

// A Current Customer JWT per buyer (docs/upstream.md#tokens): the rate limiter counts its email.
const currentCustomerJwt = (buyer: number) =>
  benchJwt({
    customer: { id: 200 + buyer, email: email(buyer), group_id: '0' },
    iss: 'bc/apps',
    iat: unixIn(0),
    exp: unixIn(900),
    aud: 'bench-app-client-id',
    store_hash: STORE_HASH,
    operation: 'current_customer',
  });

/** The B2B GraphQL `authorization` mutation as the gateway asks it (docs/upstream.md#graphql-authorization): what Hive Gateway gets. */
const UPSTREAM_AUTHORIZATION = `mutation Authorization($authData: UserAuthType!) {
  authorization(authData: $authData) {
    result { token permissions { code permissionLevel } }
  }
}`;

export const upstreamAuthorization: Workload = {
  path: '/graphql',
  body: (buyer) => body(UPSTREAM_AUTHORIZATION, { authData: { bcToken: currentCustomerJwt(buyer), channelId: 1 } }),
  expect: ['authorization', 'result', 'token'],
  valueStart: 'eyJ',
};

export const typename: Workload = {
  path: '/graphql',
  body: () => body('{ __typename }'),
  expect: ['__typename'],
  valueStart: 'Query',
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
  body: (buyer) => body(LOGIN, { input: { email: email(buyer), password: PASSWORD } }),
  expect: ['login', 'token', 'value'],
  valueStart: 'eyJ',
};

const AUTHORIZATION = `mutation Authorization($input: AuthorizationInput!) {
  authorization(input: $input) {
    token { value expiresAt via }
    permissions { code permissionLevel }
  }
}`;

export const gatewayAuthorization: Workload = {
  path: '/graphql',
  body: (buyer) => body(AUTHORIZATION, { input: { bcToken: currentCustomerJwt(buyer) } }),
  expect: ['authorization', 'token', 'value'],
  valueStart: 'eyJ',
};

const ISSUE_BY_CREDENTIALS = `mutation IssueByCredentials($input: IssueStorefrontTokenInput!) {
  issueStorefrontToken(input: $input) {
    token { value expiresAt via }
  }
}`;

export const gatewayIssueByCredentials: Workload = {
  path: '/graphql',
  body: (buyer) => body(ISSUE_BY_CREDENTIALS, { input: { credentials: { email: email(buyer), password: PASSWORD } } }),
  expect: ['issueStorefrontToken', 'token', 'value'],
  valueStart: 'eyJ',
};

/** Every workload by name: how a load process (`load.ts`) is told which to send. */
export const workloads = {
  upstreamLogin,
  upstreamAuthorization,
  typename,
  gatewayLogin,
  gatewayAuthorization,
  gatewayIssueByCredentials,
} satisfies Record<string, Workload>;
export type WorkloadName = keyof typeof workloads;

/**
 * Why a sample answer is not good, or `undefined` when it is: HTTP 2xx, no GraphQL `errors`, a
 * non-empty string at the workload's `expect` path, and a body that starts as
 * {@link answerStart} says, the check every answer under load gets.
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
  if (typeof value !== 'string' || value === '') return `no data.${workload.expect.join('.')}: ${text.slice(0, 500)}`;
  const start = answerStart(workload);
  return text.startsWith(start) ? undefined : `does not start with ${start}: ${text.slice(0, 500)}`;
}
