import { createSchema, createYoga } from 'graphql-yoga';
import { serveYoga } from './serve-yoga.js';
import { HEADERS, STORE_HASH, UPSTREAM_LOGIN } from './targets.js';

/*
 * A login's floor on this stack: graphql-yoga on node:http answering the gateway's own `login`
 * document (the `gatewayLogin` workload, so the same request and an answer of the same shape),
 * whose resolver does nothing but post the upstream's `login` through the gateway's own upstream
 * transport (`createHttpTransport`: undici's `dispatch` on a pooled agent, with its deadline) and
 * hand the result back. Yoga's own request-body stream is off, as the gateway turns it off
 * (it checks `Content-Length` instead). No input validation, rate limit, token reading,
 * graphql-request, answer check, failover, circuit, metrics, request ids or error mapping:
 * whatever the gateway's `login` costs beyond this is what those cost. Reads the upstream's base
 * URL from B2B_API_URL; prints `{"url": …}` when it listens.
 */

interface Transport {
  send(call: { endpoint: string; method: 'POST'; url: string; headers: Record<string, string>; body: string }): Promise<{ status: number; body: string }>;
}
// The built gateway's module (`dist/src/…`, beside this file's `dist/bench/`), as `in-process.ts` loads a build.
const { createHttpTransport } = (await import(new URL('../src/upstream/http-transport.js', import.meta.url).href)) as {
  createHttpTransport(options: { timeoutMs: number }): Transport;
};

const upstream = `${process.env['B2B_API_URL'] ?? ''}/graphql`;
const transport = createHttpTransport({ timeoutMs: 10_000 });
const head = `{"query":${JSON.stringify(UPSTREAM_LOGIN)},"operationName":"Login","variables":`;
// The gateway reads `expiresAt` from the token's `exp` claim; the floor answers a string as long.
const EXPIRES_AT = new Date(Date.now() + 86_400_000).toISOString();

interface UpstreamLogin {
  token: string;
  storefrontLoginToken: string | null;
  user: unknown;
  permissions: unknown[];
}

const yoga = createYoga({
  schema: createSchema({
    typeDefs: /* GraphQL */ `
      type Query { hello: String }
      type Mutation { login(input: LoginInput!): LoginPayload! }
      input LoginInput { email: String! password: String! storeHash: String channelId: Int }
      type LoginPayload { token: StorefrontToken! storefrontLoginToken: String user: User permissions: [Permission!]! }
      type StorefrontToken { value: String! expiresAt: String via: String! }
      type User { id: ID! email: String role: Int }
      type Permission { code: String! permissionLevel: Int }
    `,
    resolvers: {
      Mutation: {
        async login(_parent: unknown, { input }: { input: { email: string; password: string } }) {
          const variables = { loginData: { storeHash: STORE_HASH, email: input.email, password: input.password, channelId: 1 } };
          const answer = await transport.send({ endpoint: 'graphql login', method: 'POST', url: upstream, headers: HEADERS, body: `${head}${JSON.stringify(variables)}}` });
          const { result } = (JSON.parse(answer.body) as { data: { login: { result: UpstreamLogin } } }).data.login;
          return {
            token: { value: result.token, expiresAt: EXPIRES_AT, via: 'GRAPHQL_LOGIN' },
            storefrontLoginToken: result.storefrontLoginToken,
            user: result.user,
            permissions: result.permissions,
          };
        },
      },
    },
  }),
  graphiql: false,
  landingPage: false,
  maxRequestBodySize: false,
});

serveYoga(yoga);
