import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { createGatewayRuntime } from '@graphql-hive/gateway-runtime';
import { composeServices } from '@theguild/federation-composition';
import { parse } from 'graphql';
import { createYoga } from 'graphql-yoga';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_BUYER } from '../../src/sandbox/index.js';
import { startHarness, TRUSTED_KEY, type Harness } from '../harness.js';

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness({ env: { NODE_ENV: 'production' } });
});
afterAll(() => harness?.close());
beforeEach(() => harness.sandbox.clearRequests());

const TRUSTED = { 'x-gateway-key': TRUSTED_KEY };
const send = async (query: string, variables?: Record<string, unknown>, headers?: Record<string, string>) => {
  const reply = await harness.graphql(query, variables, headers);
  return { status: reply.status, body: reply.body };
};
const disabled = (field: string, line: number, column: number) => ({
  message: `GraphQL introspection has been disabled, but the requested query contained the field "${field}".`,
  locations: [{ line, column }],
  extensions: { code: 'GRAPHQL_VALIDATION_FAILED', requestId: expect.any(String) },
});

describe('in production', () => {
  it('runs in production mode', () => {
    expect(harness.gateway.config.production).toBe(true);
  });

  it('refuses introspection to an untrusted caller with 400', async () => {
    expect(await send('{ __schema { queryType { name } } }')).toEqual({
      status: 400,
      body: { errors: [disabled('__schema', 1, 3), disabled('queryType', 1, 14)] },
    });
    expect(await send('{ __type(name: "B2BUser") { name } }')).toEqual({ status: 400, body: { errors: [disabled('__type', 1, 3)] } });
  });

  it('refuses introspection to a wrong key', async () => {
    const reply = await send('{ __schema { queryType { name } } }', undefined, { 'x-gateway-key': `${TRUSTED_KEY}x` });
    expect(reply.status).toBe(400);
  });

  it('answers introspection to a trusted caller, and still refuses the same document to others afterwards', async () => {
    const query = '{ __schema { queryType { name } } }';
    expect(await send(query, undefined, TRUSTED)).toEqual({ status: 200, body: { data: { __schema: { queryType: { name: 'Query' } } } } });
    // Yoga caches validation per document: the trusted answer must not be served from it.
    expect((await send(query)).status).toBe(400);
  });

  it('refuses _service { sdl } to an untrusted caller, and answers it to a trusted one', async () => {
    expect(await send('{ _service { sdl } }')).toEqual({ status: 400, body: { errors: [disabled('_service', 1, 3)] } });
    const trusted = await send('{ _service { sdl } }', undefined, TRUSTED);
    expect(trusted.status).toBe(200);
    expect((trusted.body.data?.['_service'] as { sdl: string }).sdl).toContain('type B2BUser');
  });

  it('does not serve GraphiQL to a browser', async () => {
    const response = await fetch(harness.url, { headers: { accept: 'text/html' } });
    expect({ status: response.status, contentType: response.headers.get('content-type'), body: await response.text() }).toEqual({
      status: 406,
      contentType: null,
      body: '',
    });
  });

  it('hides "Did you mean" suggestions in validation errors', async () => {
    expect(await send('{ tokenInf(token: "x") { email } }')).toEqual({
      status: 400,
      body: {
        errors: [{ message: 'Cannot query field "tokenInf" on type "Query".', locations: [{ line: 1, column: 3 }], extensions: { code: 'GRAPHQL_VALIDATION_FAILED', requestId: expect.any(String) } }],
      },
    });
  });

  it('hides suggestions for misspelt input fields in variables too', async () => {
    const reply = await send('mutation($input: LoginInput!) { login(input: $input) { token { value } } }', {
      input: { emial: DEMO_BUYER.email, password: DEMO_BUYER.password },
    });
    expect(reply).toEqual({
      status: 400,
      body: {
        errors: [
          {
            message: 'Variable "$input" got an invalid value: Field "email" of required type "String!" was not provided.',
            locations: [{ line: 1, column: 10 }],
            extensions: { code: 'BAD_USER_INPUT', requestId: expect.any(String) },
          },
          {
            message: 'Variable "$input" got an invalid value: Field "emial" is not defined by type "LoginInput".',
            locations: [{ line: 1, column: 10 }],
            extensions: { code: 'BAD_USER_INPUT', requestId: expect.any(String) },
          },
        ],
      },
    });
    expect(harness.sandbox.requests).toEqual([]);
  });

  it('applies the query limits', async () => {
    const aliases = Array.from({ length: 11 }, (_, index) => `a${index}: __typename`).join(' ');
    expect(await send(`{ ${aliases} }`, undefined, TRUSTED)).toEqual({
      status: 400,
      body: { errors: [{ message: 'Aliases limit of 10 exceeded, found 11.', extensions: { code: 'GRAPHQL_VALIDATION_FAILED', requestId: expect.any(String) } }] },
    });
  });

  it('logs a buyer in over an ordinary JSON POST', async () => {
    const reply = await send('mutation($input: LoginInput!) { login(input: $input) { token { via } user { email } } }', { input: DEMO_BUYER });
    expect(reply).toEqual({ status: 200, body: { data: { login: { token: { via: 'GRAPHQL_LOGIN' }, user: { email: DEMO_BUYER.email } } } } });
  });
});

// The router of a federated supergraph is a trusted caller: it composes from `_service` and sends
// `_entities` with X-Gateway-Key (JSON POSTs, so CSRF prevention never applies to it).
describe('in production, as a subgraph behind a supergraph router', () => {
  const ORDERS_SDL = /* GraphQL */ `
    extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
    type Query { orders: [Order!]! }
    type Order { id: ID! buyer: B2BUser! }
    type B2BUser @key(fields: "id", resolvable: false) { id: ID! }
  `;
  const servers: Server[] = [];
  let routerUrl: string;

  const listen = async (handler: Parameters<typeof createServer>[1]) => {
    const server = createServer(handler);
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  };

  beforeAll(async () => {
    const ordersUrl = await listen(
      createYoga({
        schema: buildSubgraphSchema({
          typeDefs: parse(ORDERS_SDL),
          resolvers: { Query: { orders: () => [{ id: 'o-1', buyer: { __typename: 'B2BUser', id: '1001' } }] } },
        }),
        logging: false,
      }),
    );
    const service = await send('{ _service { sdl } }', undefined, TRUSTED);
    const composition = composeServices([
      { name: 'b2b-auth', typeDefs: parse((service.body.data?.['_service'] as { sdl: string }).sdl), url: harness.url },
      { name: 'orders', typeDefs: parse(ORDERS_SDL), url: ordersUrl },
    ]);
    expect(composition.errors).toBeUndefined();
    routerUrl = await listen(
      createGatewayRuntime({
        supergraph: composition.supergraphSdl as string,
        logging: false,
        propagateHeaders: { fromClientToSubgraphs: ({ request }) => ({ 'x-gateway-key': request.headers.get('x-gateway-key') }) },
      }),
    );
  });

  afterAll(async () => {
    for (const server of servers) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('resolves B2BUser entities for a trusted client of the router', async () => {
    const response = await fetch(routerUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...TRUSTED },
      body: JSON.stringify({ query: '{ orders { id buyer { id email role } } }' }),
    });
    expect(await response.json()).toEqual({ data: { orders: [{ id: 'o-1', buyer: { id: '1001', email: DEMO_BUYER.email, role: 'SENIOR_BUYER' } }] } });
  });
});
