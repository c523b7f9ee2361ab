import { createSchema, createYoga } from 'graphql-yoga';
import { serveYoga } from './serve-yoga.js';
import { Agent, request } from 'undici';
import { STORE_HASH, UPSTREAM_LOGIN } from './targets.js';

/*
 * A login's floor on this stack: graphql-yoga with its defaults on node:http, whose `login`
 * does nothing but post the upstream's `login` through a pooled undici agent and hand its result
 * back. No input validation, rate limit, token reading, failover, circuit, deadline, metrics,
 * request ids or error mapping: whatever the gateway's `login` costs beyond this is what those
 * cost. Reads the upstream's base URL from B2B_API_URL; prints `{"url": …}` when it listens.
 */
const upstream = `${process.env['B2B_API_URL'] ?? ''}/graphql`;
const agent = new Agent({ connections: 32, keepAliveTimeout: 10_000 });

const yoga = createYoga({
  schema: createSchema({
    typeDefs: /* GraphQL */ `
      type Query { hello: String }
      type Mutation { login(email: String!, password: String!): LoginResult }
      type LoginResult { token: String storefrontLoginToken: String user: User permissions: [Permission] }
      type User { id: ID email: String role: Int }
      type Permission { code: String permissionLevel: Int }
    `,
    resolvers: {
      Mutation: {
        async login(_parent: unknown, args: { email: string; password: string }) {
          const answer = await request(upstream, {
            method: 'POST',
            dispatcher: agent,
            headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' },
            body: JSON.stringify({ query: UPSTREAM_LOGIN, variables: { loginData: { storeHash: STORE_HASH, email: args.email, password: args.password, channelId: 1 } } }),
          });
          const body = (await answer.body.json()) as { data: { login: { result: unknown } } };
          return body.data.login.result;
        },
      },
    },
  }),
  graphiql: false,
  landingPage: false,
});

serveYoga(yoga);
