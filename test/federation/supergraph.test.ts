import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { createGatewayRuntime } from '@graphql-hive/gateway-runtime';
import { composeServices } from '@theguild/federation-composition';
import { parse } from 'graphql';
import { createYoga } from 'graphql-yoga';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_BUYER } from '../../src/sandbox/index.js';
import { type Harness, startHarness, TRUSTED_KEY, useHarness } from '../harness.js';

// A test-only second subgraph: orders that reference their buyer, a B2BUser entity owned by
// the gateway's subgraph. Buyers repeat, as they do in real order lists.
const ORDERS_SDL = /* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  type Query { orders: [Order!]! }
  type Order { id: ID! total: Float! buyer: B2BUser! }
  type B2BUser @key(fields: "id", resolvable: false) { id: ID! }
`;
const BUYER_IDS = ['1001', '1002', '1001', '1001', '1002', '1001', '1002', '1001', '1001', '1002'];
const ORDERS = BUYER_IDS.map((buyerId, index) => ({ id: `o-${index + 1}`, total: 100 + index, buyer: { __typename: 'B2BUser', id: buyerId } }));

async function listen(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql` };
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

describe('the gateway as a subgraph of a federated supergraph', () => {
  let harness: Harness;
  let orders: { server: Server; url: string };
  let router: { server: Server; url: string };

  beforeAll(async () => {
    harness = await startHarness();
    orders = await listen(
      createYoga({
        schema: buildSubgraphSchema({ typeDefs: parse(ORDERS_SDL), resolvers: { Query: { orders: () => ORDERS } } }),
        logging: false,
      }),
    );
    // Composition reads the subgraph's SDL the way registries do: through `_service`.
    const service = await harness.graphql('{ _service { sdl } }');
    const sdl = (service.body.data?.['_service'] as { sdl: string }).sdl;
    const composition = composeServices([
      { name: 'b2b-auth', typeDefs: parse(sdl), url: harness.url },
      { name: 'orders', typeDefs: parse(ORDERS_SDL), url: orders.url },
    ]);
    expect(composition.errors).toBeUndefined();
    const runtime = createGatewayRuntime({
      supergraph: composition.supergraphSdl as string,
      logging: false,
      // The router forwards the caller's X-Gateway-Key: only trusted callers resolve users.
      propagateHeaders: {
        fromClientToSubgraphs: ({ request }) => ({ 'x-gateway-key': request.headers.get('x-gateway-key') }),
      },
    });
    router = await listen(runtime);
  });

  afterAll(async () => {
    await close(router.server);
    await close(orders.server);
    await harness.close();
  });

  beforeEach(() => harness.sandbox.clearRequests());

  const viaRouter = async (query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}) => {
    const response = await fetch(router.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query, variables }),
    });
    return { status: response.status, body: (await response.json()) as { data?: any; errors?: any[] } };
  };

  it('serves login through the supergraph', async () => {
    const reply = await viaRouter(
      'mutation($input: LoginInput!) { login(input: $input) { token { via storeHash } user { id email role } } }',
      { input: DEMO_BUYER },
    );
    expect(reply.body).toEqual({
      data: { login: { token: { via: 'GRAPHQL_LOGIN', storeHash: 'sandbox' }, user: { id: '1001', email: DEMO_BUYER.email, role: 'SENIOR_BUYER' } } },
    });
  });

  it('resolves the buyers of many orders with one upstream users call per distinct id', async () => {
    const reply = await viaRouter('{ orders { id total buyer { id email firstName role } } }', undefined, { 'x-gateway-key': TRUSTED_KEY });
    expect(reply.body.errors).toBeUndefined();
    const buyers = { '1001': { id: '1001', email: 'buyer@example.com', firstName: 'Marie', role: 'SENIOR_BUYER' }, '1002': { id: '1002', email: 'junior@example.com', firstName: 'Pierre', role: 'JUNIOR_BUYER' } };
    expect(reply.body.data.orders).toEqual(ORDERS.map((order) => ({ id: order.id, total: order.total, buyer: buyers[order.buyer.id as '1001' | '1002'] })));
    const userCalls = harness.sandbox.requests.filter((request) => request.path.startsWith('/api/v3/io/users/')).map((request) => `${request.method} ${request.path}`);
    expect(userCalls.sort()).toEqual(['GET /api/v3/io/users/1001', 'GET /api/v3/io/users/1002']);
    const call = harness.sandbox.requests.find((request) => request.path === '/api/v3/io/users/1001');
    expect(call?.headers['x-auth-token']).toBe(harness.sandbox.authToken);
    expect(call?.headers['x-store-hash']).toBe('sandbox');
  });

  it('refuses user lookups for callers without the trusted key, without calling BigCommerce', async () => {
    const reply = await viaRouter('{ orders { id buyer { id email } } }');
    expect(reply.body.errors?.map((error) => error.extensions?.code)).toContain('FORBIDDEN');
    expect(JSON.stringify(reply.body)).not.toContain('buyer@example.com');
    expect(harness.sandbox.requests).toEqual([]);
  });
});

describe('entity lookups on the subgraph itself', () => {
  const harness = useHarness();

  const ENTITIES = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on B2BUser { id bcId email role } } }';

  it('answers null for an id the store does not have', async () => {
    const reply = await harness.graphql(ENTITIES, { r: [{ __typename: 'B2BUser', id: '424242' }] }, { 'x-gateway-key': TRUSTED_KEY });
    expect(reply.body).toEqual({ data: { _entities: [null] } });
  });

  it('bounds the upstream calls in flight for a large batch', async () => {
    const ids = Array.from({ length: 40 }, (_, index) => String(index + 1));
    let inFlight = 0;
    let peak = 0;
    harness.sandbox.injectFault({ match: /^GET \/api\/v3\/io\/users\//, latencyMs: 20 });
    const original = harness.sandbox.requests.push.bind(harness.sandbox.requests);
    // Count concurrency from the sandbox side: a request is in flight from arrival until its answer.
    harness.sandbox.requests.push = (...items) => {
      inFlight += items.length;
      peak = Math.max(peak, inFlight);
      setTimeout(() => (inFlight -= items.length), 19);
      return original(...items);
    };
    try {
      const reply = await harness.graphql(ENTITIES, { r: ids.map((id) => ({ __typename: 'B2BUser', id })) }, { 'x-gateway-key': TRUSTED_KEY });
      expect((reply.body.data?.['_entities'] as unknown[]).length).toBe(40);
    } finally {
      harness.sandbox.requests.push = original;
      harness.sandbox.clearFaults();
    }
    expect(harness.sandbox.requests.filter((request) => request.path.startsWith('/api/v3/io/users/'))).toHaveLength(40);
    expect(peak).toBeLessThanOrEqual(4);
    expect(peak).toBeGreaterThan(1);
  });
});
