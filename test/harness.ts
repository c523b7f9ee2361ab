import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import { loadConfig } from '../src/config/environment.js';
import { createGateway, type Gateway, type GatewayOptions } from '../src/gateway.js';
import { createLogger } from '../src/observability/logger.js';
import { createSandbox, type Sandbox, type SandboxOptions } from '../src/sandbox/index.js';

/** The trusted key the harness configures (`X-Gateway-Key`). */
export const TRUSTED_KEY = 'test-trusted-key-0123456789abcdef';

/** A GraphQL answer as a client sees it. */
export interface GraphQLReply {
  status: number;
  headers: Headers;
  body: {
    data?: Record<string, unknown> | null;
    errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, unknown> }>;
  };
}

export interface Harness {
  /** The gateway's GraphQL endpoint over real HTTP, e.g. `http://127.0.0.1:41234/graphql`. */
  url: string;
  sandbox: Sandbox;
  gateway: Gateway;
  /** Every line the gateway logged, in order. */
  logs: string[];
  /** POSTs a GraphQL request to the gateway over HTTP. */
  graphql(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GraphQLReply>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  sandbox?: SandboxOptions;
  /** Extra environment for `loadConfig`. */
  env?: Record<string, string>;
  /** Extra options for `createGateway` (the logger is the harness's). */
  gateway?: Omit<GatewayOptions, 'logger'>;
}

/** Every credential limit off and no floor on failed answers: the settings `startHarness` uses. */
export const CREDENTIAL_LIMITS_OFF = {
  GATEWAY_RATE_LIMIT_ACCOUNT_PER_MINUTE: '0',
  GATEWAY_RATE_LIMIT_ACCOUNT_PER_HOUR: '0',
  GATEWAY_RATE_LIMIT_ADDRESS_PER_MINUTE: '0',
  GATEWAY_RATE_LIMIT_ADDRESS_PER_HOUR: '0',
  GATEWAY_MIN_FAILED_LOGIN_MS: '0',
} as const;

/**
 * Starts a sandbox and a gateway pointed at it (gateway → HTTP → sandbox), both on 127.0.0.1
 * port 0, and captures the gateway's log lines (level debug).
 */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  // Tests make far more than 150 calls a minute; the rate-limit tests lower this again.
  const sandbox = await createSandbox({ rateLimit: 10_000, ...options.sandbox });
  const logs: string[] = [];
  const config = loadConfig({
    B2B_API_URL: sandbox.url,
    B2B_STORE_HASH: sandbox.storeHash,
    B2B_AUTH_TOKEN: sandbox.authToken,
    GATEWAY_TRUSTED_KEYS: TRUSTED_KEY,
    // Tests make many logins from 127.0.0.1, many failing on purpose: the credential limits and
    // the floor on failed answers are off unless a test turns them on
    // (test/e2e/credential-limits.test.ts).
    ...CREDENTIAL_LIMITS_OFF,
    ...options.env,
  });
  const gateway = await createGateway(config, {
    ...options.gateway,
    logger: createLogger({ level: 'debug', write: (line) => logs.push(line), secrets: [sandbox.authToken, TRUSTED_KEY] }),
  });
  const server = createServer(gateway.yoga);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;

  return {
    url,
    sandbox,
    gateway,
    logs,
    async graphql(query, variables, headers = {}) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...headers },
        body: JSON.stringify({ query, ...(variables && { variables }) }),
      });
      return { status: response.status, headers: response.headers, body: (await response.json()) as GraphQLReply['body'] };
    },
    async close() {
      await closeServer(server);
      await gateway.close();
      await sandbox.close();
    },
  };
}

/**
 * The harness of the calling file (or `describe` block): started before its tests, closed after
 * them, with the sandbox's request log and faults cleared before each test. The object returned
 * is filled in when the harness has started, so tests use it as they would `startHarness`'s.
 */
export function useHarness(options: HarnessOptions = {}): Harness {
  const harness = {} as Harness;
  beforeAll(async () => {
    Object.assign(harness, await startHarness(options));
  });
  afterAll(() => harness.close?.());
  beforeEach(() => {
    harness.sandbox.clearRequests();
    harness.sandbox.clearFaults();
  });
  return harness;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** The operations the tests send, with every field of the payloads. */
export const TOKEN_FIELDS = 'value storeHash channelId notBefore expiresAt via';

export const LOGIN = /* GraphQL */ `
  mutation Login($input: LoginInput!) {
    login(input: $input) {
      token { ${TOKEN_FIELDS} }
      storefrontLoginToken
      user { id bcId email firstName lastName role roleCode }
      permissions { code permissionLevel }
    }
  }
`;

export const AUTHORIZATION = /* GraphQL */ `
  mutation Authorization($input: AuthorizationInput!) {
    authorization(input: $input) {
      token { ${TOKEN_FIELDS} }
      permissions { code permissionLevel }
    }
  }
`;

export const ISSUE = /* GraphQL */ `
  mutation Issue($input: IssueStorefrontTokenInput!) {
    issueStorefrontToken(input: $input) {
      token { ${TOKEN_FIELDS} }
    }
  }
`;

/**
 * A storefront token as the gateway answers it ({@link TOKEN_FIELDS}) for the sandbox's store on
 * channel 1, issued `via`; `fields` pin down the others or change them.
 */
export function expectedToken(via: string, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return { value: expect.any(String), storeHash: 'sandbox', channelId: 1, notBefore: expect.any(String), expiresAt: expect.any(String), via, ...fields };
}

export const TOKEN_INFO = /* GraphQL */ `
  query TokenInfo($token: String!) {
    tokenInfo(token: $token) {
      storeHash email customerId channelIds issuedAt notBefore expiresAt expired signatureVerified claims
    }
  }
`;

/** The administration operations (server-to-server tokens), with every field of the payloads. */
export const ISSUE_SERVER_TOKEN = /* GraphQL */ `
  mutation IssueServerToken($input: IssueServerTokenInput!) {
    issueServerToken(input: $input) { name storeHash token }
  }
`;

export const SERVER_TOKENS = /* GraphQL */ `
  query ServerTokens($limit: Int!, $offset: Int!, $storeHash: String) {
    serverTokens(limit: $limit, offset: $offset, storeHash: $storeHash) {
      totalCount limit offset
      nodes { id name email storeHash token eventChannel }
    }
  }
`;

export const REVOKE_SERVER_TOKEN = /* GraphQL */ `
  mutation Revoke($id: Int!, $storeHash: String) {
    revokeServerToken(id: $id, storeHash: $storeHash) { id storeHash }
  }
`;

/**
 * A GraphQL answer without the `extensions.requestId` of its errors: a fresh id per request
 * (observability), which these tests have no reason to pin down.
 */
export function withoutRequestIds<Body extends { errors?: Array<{ extensions?: Record<string, unknown> }> }>(body: Body): Body {
  if (body.errors === undefined) return body;
  return {
    ...body,
    errors: body.errors.map((error) => {
      if (error.extensions === undefined || !('requestId' in error.extensions)) return error;
      const { requestId: _requestId, ...extensions } = error.extensions;
      return { ...error, extensions };
    }),
  };
}

/** Sends a request to the gateway; the answer's errors come without their `extensions.requestId`. */
export function sendWithoutRequestIds(harness: Harness) {
  return async (...args: Parameters<Harness['graphql']>): Promise<GraphQLReply> => {
    const reply = await harness.graphql(...args);
    return { ...reply, body: withoutRequestIds(reply.body) };
  };
}

/** The first error's code and message, the usual thing to assert. */
export function firstError(reply: GraphQLReply): { code: unknown; message: string } | undefined {
  const error = reply.body.errors?.[0];
  return error && { code: error.extensions?.['code'], message: error.message };
}
