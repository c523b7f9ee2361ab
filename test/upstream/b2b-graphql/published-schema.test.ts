// What the gateway sends to B2B GraphQL: every document the client sends is one of operations/,
// valid under every graphql-js rule against the excerpt (upstream-schema.graphql), and carries
// every value as a variable. The excerpt types each of its fields, arguments and input fields as
// BigCommerce's published schema does (`npm run upstream:check -- <published schema>` checks
// that; the published schema is not part of this repository), so a document valid here is
// valid there.
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildSchema, Kind, parse, print, stripIgnoredCharacters, validate, visit, type DocumentNode, type ValueNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { excerptMismatches } from '../../../scripts/check-upstream-excerpt.js';
import { createB2BGraphQLClient, type B2BGraphQLClient } from '../../../src/upstream/b2b-graphql/client.js';
import { createCircuitBreakers } from '../../../src/upstream/circuit-breaker.js';
import { createHttpTransport, type HttpTransport } from '../../../src/upstream/http-transport.js';

const DIR = new URL('../../../src/upstream/b2b-graphql/', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, DIR), 'utf8');
const excerpt = buildSchema(read('upstream-schema.graphql'));
const operationFiles = readdirSync(new URL('operations/', DIR)).filter((name) => name.endsWith('.graphql')).sort();

/** Every argument value (directives' included) that is not a variable, and every variable default. */
function pastedValues(document: DocumentNode): string[] {
  const found: string[] = [];
  const literalIn = (value: ValueNode): boolean => {
    if (value.kind === Kind.VARIABLE) return false;
    if (value.kind === Kind.LIST) return value.values.some(literalIn);
    if (value.kind === Kind.OBJECT) return value.fields.some((field) => literalIn(field.value));
    return true;
  };
  visit(document, {
    Argument(node) {
      if (literalIn(node.value)) found.push(`${node.name.value}: ${print(node.value)}`);
    },
    VariableDefinition(node) {
      if (node.defaultValue !== undefined) found.push(`$${node.variable.name.value} = ${print(node.defaultValue)}`);
    },
  });
  return found;
}

// What the client sends, as it sends it: a loopback server records each body and refuses it.
let server: Server;
let transport: HttpTransport;
let client: B2BGraphQLClient;
const bodies: { query: string; operationName: string; variables: unknown }[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      bodies.push(JSON.parse(body) as (typeof bodies)[number]);
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"errors":[{"message":"recorded"}],"data":null}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  transport = createHttpTransport({ timeoutMs: 2_000 });
  client = createB2BGraphQLClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`, transport, createCircuitBreakers());
});

afterAll(async () => {
  await transport.close();
  await new Promise((resolve) => server.close(resolve));
});

// One call of every method: a method added to the client without a line here fails to compile.
const CALLS: Record<keyof B2BGraphQLClient, (c: B2BGraphQLClient) => Promise<unknown>> = {
  login: (c) => c.login({ storeHash: 'abc123', email: 'buyer@example.com', password: 'Passw0rd!' }),
  authorization: (c) => c.authorization({ bcToken: 'eyJ.current.customer', channelId: 1 }),
  currentUser: (c) => c.currentUser('eyJ.buyer.token'),
  session: (c) => c.session('eyJ.buyer.token'),
  superAdminMasquerading: (c) => c.superAdminMasquerading('eyJ.buyer.token', 301),
  superAdminCompanies: (c) => c.superAdminCompanies('eyJ.buyer.token', { superAdminId: 3001, search: '" } evil: __typename #', first: 20, offset: 0 }),
  superAdminBeginMasquerade: (c) => c.superAdminBeginMasquerade('eyJ.buyer.token', 504),
  superAdminEndMasquerade: (c) => c.superAdminEndMasquerade('eyJ.buyer.token', 504),
  storeFrontToken: (c) =>
    c.storeFrontToken({ storeHash: 'abc123', channelId: 1, expiresAt: 1_900_000_000, allowedCorsOrigins: ['https://shop.example.com'] }),
  checkoutLogin: (c) => c.checkoutLogin('eyJ.buyer.token', '0b5e4f2a-3c1d-4e6f-8a9b-0c1d2e3f4a5b'),
};

/** The documents the client sent, by operation name, after calling every method once. */
async function sentDocuments(): Promise<Map<string, string>> {
  bodies.length = 0;
  for (const call of Object.values(CALLS)) await call(client).catch(() => undefined);
  return new Map(bodies.map((body) => [body.operationName, body.query]));
}

describe('the documents the gateway sends to B2B GraphQL', () => {
  it('are sent by a client whose every method the test calls', () => {
    expect(Object.keys(client).sort()).toEqual(Object.keys(CALLS).sort());
  });

  it('are exactly the files of operations/, one per client method, nothing built in code', async () => {
    const sent = await sentDocuments();
    expect(bodies).toHaveLength(Object.keys(CALLS).length);
    const files = new Map(
      operationFiles.map((file) => {
        const document = parse(read(`operations/${file}`));
        const [definition] = document.definitions;
        const name = definition?.kind === Kind.OPERATION_DEFINITION ? definition.name?.value : undefined;
        return [name ?? file, stripIgnoredCharacters(print(document))];
      }),
    );
    expect(sent).toEqual(files);
  });

  it('are valid against the excerpt of the published schema, under every graphql-js rule', async () => {
    const sent = await sentDocuments();
    const errors = [...sent].flatMap(([name, query]) => validate(excerpt, parse(query)).map((error) => `${name}: ${error.message}`));
    expect(errors).toEqual([]);
  });

  it('carry every value as a variable: no literal argument and no variable default', async () => {
    const sent = await sentDocuments();
    expect([...sent].flatMap(([name, query]) => pastedValues(parse(query)).map((value) => `${name}: ${value}`))).toEqual([]);
    // The search text the buyer portal pastes into its document travels in the variables.
    const companies = bodies.find((body) => body.operationName === 'SuperAdminCompanies');
    expect(companies?.variables).toEqual({ superAdminId: 3001, search: '" } evil: __typename #', first: 20, offset: 0 });
  });

  it('finds a pasted value wherever it sits in a document', () => {
    const document = parse(`
      query Pasted($id: Int!, $flag: Boolean!, $first: Int = 20) {
        superAdminCompanies(superAdminId: $id, search: "acme", first: $first) @include(if: true) { totalCount }
        checkoutLogin: superAdminMasquerading(customerId: 7) @skip(if: $flag) { id }
      }
      mutation Nested($cart: String!) { checkoutLogin(cartData: { cartId: $cart }) { result { redirectUrl } } }
      mutation Inline { checkoutLogin(cartData: { cartId: "c1" }) { result { redirectUrl } } }
    `);
    expect(pastedValues(document)).toEqual(['$first = 20', 'search: "acme"', 'if: true', 'customerId: 7', 'cartData: {cartId: "c1"}']);
  });
});

describe('the excerpt check (scripts/check-upstream-excerpt.ts)', () => {
  it('agrees with itself', () => {
    expect(excerptMismatches(excerpt, excerpt)).toEqual([]);
  });

  // The excerpt stands in for the published schema here: it types these places as published.
  it('finds every way an excerpt can drift from the schema it copies', () => {
    const drifted = buildSchema(`
      type Query { currentUser: UserType  superAdminCompanies(search: String, first: String): Int  madeUp: Int }
      type UserType { id: ID  bcId: Int!  nickname: String }
      type CompanyInfoType { id: ID  companyStatus: Int }
      input CheckoutLoginType { cartId: String }
      input UserLoginType { storeHash: String!  email: String!  password: String!  channelId: Int = 2 }
    `);
    expect(excerptMismatches(drifted, excerpt)).toEqual([
      'Query.superAdminCompanies: Int here, SuperAdminCompanyTypeCountableConnection published',
      'Query.superAdminCompanies.first: String here, Int published',
      'Query.superAdminCompanies.superAdminId: required by the published schema, missing here',
      'Query.madeUp: not in the published schema',
      'UserType.id: ID here, ID! published',
      'UserType.nickname: not in the published schema',
      'CompanyInfoType.id: not in the published schema',
      'CompanyInfoType.companyStatus: not in the published schema',
      'CheckoutLoginType.cartId: String here, String! published',
      'UserLoginType.channelId: default 2 here, 1 published',
    ]);
  });
});
