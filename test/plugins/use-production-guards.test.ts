import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { createGatewayRuntime } from '@graphql-hive/gateway-runtime';
import { composeServices } from '@theguild/federation-composition';
import { parse } from 'graphql';
import { createYoga } from 'graphql-yoga';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_BUYER } from '../../src/sandbox/index.js';
import { type GraphQLReply, TRUSTED_KEY, useHarness } from '../harness.js';

const harness = useHarness({ env: { NODE_ENV: 'production' } });

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

// graphql-cop's checks, each request as the tool sends it (Python requests: `Accept: */*`, JSON
// bodies with `operationName: "cop"`, no CSRF header), and the answer that makes it find nothing.
describe('in production, graphql-cop finds nothing', () => {
  const COP_HEADERS = { 'user-agent': 'graphql-cop/1.14', accept: '*/*' };
  const answer = async (response: Response) => {
    const text = await response.text();
    return { status: response.status, body: text === '' ? text : (JSON.parse(text) as GraphQLReply['body']) };
  };
  const cop = async (body: unknown) =>
    answer(await fetch(harness.url, { method: 'POST', headers: { ...COP_HEADERS, 'content-type': 'application/json' }, body: JSON.stringify(body) }));
  const copQuery = (query: string) => cop({ query, operationName: 'cop' });
  const validationError = (message: string) => ({ message, extensions: { code: 'GRAPHQL_VALIDATION_FAILED', requestId: expect.any(String) } });
  const csrfRefusal = { status: 403, body: { errors: [{ message: 'Required CSRF header(s) not present', extensions: { requestId: expect.any(String) } }] } };

  it('alias overloading: 101 aliases are refused', async () => {
    const aliases = Array.from({ length: 101 }, (_, index) => `alias${index}:__typename \n`).join('');
    expect(await copQuery(`query cop { ${aliases} }`)).toEqual({ status: 200, body: { errors: [validationError('Aliases limit of 10 exceeded, found 101.')] } });
  });

  it('array-based batching: ten queries in one body are refused', async () => {
    expect(await cop(Array.from({ length: 10 }, () => ({ query: 'query cop { __typename }' })))).toEqual({
      status: 400,
      body: { errors: [{ message: 'Batching is not supported.', extensions: { code: 'BAD_REQUEST', requestId: expect.any(String) } }] },
    });
  });

  it('field duplication: __typename 500 times is refused', async () => {
    expect(await copQuery(`query cop { ${'__typename \n'.repeat(500)}} `)).toEqual({ status: 200, body: { errors: [validationError('Query Cost limit of 200 exceeded, found 500.')] } });
  });

  it('directive overloading: ten unknown directives get one error, not ten', async () => {
    expect(await copQuery('query cop { __typename @aa@aa@aa@aa@aa@aa@aa@aa@aa@aa }')).toEqual({ status: 200, body: { errors: [validationError('Directives limit of 5 exceeded, found 10.')] } });
  });

  it('introspection, circular introspection and field suggestions through __schema: no data, no hint', async () => {
    for (const query of [
      'query cop { __schema { types { name fields { name } } } }',
      'query cop { __schema { types { fields { type { fields { type { fields { type { fields { type { name } } } } } } } } } } }',
      'query cop { __schema { directive } }',
    ]) {
      const reply = await copQuery(query);
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual({ errors: expect.arrayContaining([expect.objectContaining({ extensions: { code: 'GRAPHQL_VALIDATION_FAILED', requestId: expect.any(String) } })]) });
      expect(JSON.stringify(reply.body)).not.toContain('Did you mean');
    }
  });

  it('trace mode and unhandled errors: no extensions but the code and request id', async () => {
    expect(await copQuery('query cop { __typename }')).toEqual({ status: 200, body: { data: { __typename: 'Query' } } });
    expect(await copQuery('qwerty cop { abc }')).toEqual({
      status: 200,
      body: {
        errors: [
          {
            message: 'Syntax Error: Unexpected Name "qwerty".',
            locations: [{ line: 1, column: 1 }],
            extensions: { code: 'GRAPHQL_PARSE_FAILED', requestId: expect.any(String) },
          },
        ],
      },
    });
  });

  it('a query or a mutation over GET, and a url-encoded POST, are refused as possible CSRF', async () => {
    for (const query of ['query cop {__typename}', 'mutation cop {__typename}']) {
      expect(await answer(await fetch(`${harness.url}?${new URLSearchParams({ query })}`, { headers: COP_HEADERS }))).toEqual(csrfRefusal);
    }
    const form = await fetch(harness.url, {
      method: 'POST',
      headers: { ...COP_HEADERS, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ query: 'query cop { __typename }' }),
    });
    expect(await answer(form)).toEqual(csrfRefusal);
  });

  it('no GraphQL IDE on /graphql nor on the paths graphql-cop tries', async () => {
    for (const path of ['/graphql', '/', '/graphiql', '/playground', '/console']) {
      const response = await fetch(new URL(path, harness.url), { headers: { ...COP_HEADERS, accept: 'text/html' } });
      const text = await response.text();
      expect({ path, status: response.status, text }).toEqual({ path, status: path === '/graphql' ? 406 : 404, text: '' });
    }
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
