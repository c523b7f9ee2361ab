// What the gateway sends to B2B GraphQL, checked against BigCommerce's published schema
// (src/upstream/b2b-graphql/published-schema.graphql): every document the client sends is valid
// there, carries every value as a variable, and the excerpt the documents are typed against
// (upstream-schema.graphql) types each of its fields, arguments and input fields as published.
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  buildSchema,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isIntrospectionType,
  isNonNullType,
  isObjectType,
  isScalarType,
  isSpecifiedScalarType,
  isUnionType,
  Kind,
  parse,
  print,
  stripIgnoredCharacters,
  validate,
  visit,
  type DocumentNode,
  type GraphQLArgument,
  type GraphQLInputField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type ValueNode,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createB2BGraphQLClient, type B2BGraphQLClient } from '../../../src/upstream/b2b-graphql/client.js';
import { createCircuitBreakers } from '../../../src/upstream/circuit-breaker.js';
import { createHttpTransport, type HttpTransport } from '../../../src/upstream/http-transport.js';

const DIR = new URL('../../../src/upstream/b2b-graphql/', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, DIR), 'utf8');
const published = buildSchema(read('published-schema.graphql'));
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

/** The type of `theirs` that a type of `mine` stands for: root types by role, the others by name. */
function counterpart(mine: GraphQLSchema, theirs: GraphQLSchema, type: GraphQLNamedType): GraphQLNamedType | undefined {
  if (type === mine.getQueryType()) return theirs.getQueryType() ?? undefined;
  if (type === mine.getMutationType()) return theirs.getMutationType() ?? undefined;
  return theirs.getType(type.name);
}

const kindOf = (type: GraphQLNamedType) =>
  isObjectType(type) ? 'object' : isInterfaceType(type) ? 'interface' : isInputObjectType(type) ? 'input' : isEnumType(type) ? 'enum' : isUnionType(type) ? 'union' : 'scalar';

const isRequired = (input: GraphQLArgument | GraphQLInputField) => isNonNullType(input.type) && input.defaultValue === undefined;

/** Inputs (arguments or input fields) of one place, compared: same type string and default; none the published one requires left out. */
function compareInputs(where: string, mine: readonly (GraphQLArgument | GraphQLInputField)[], theirs: readonly (GraphQLArgument | GraphQLInputField)[]): string[] {
  const out: string[] = [];
  for (const input of mine) {
    const other = theirs.find((candidate) => candidate.name === input.name);
    if (other === undefined) out.push(`${where}.${input.name}: not in the published schema`);
    else if (String(input.type) !== String(other.type)) out.push(`${where}.${input.name}: ${String(input.type)} here, ${String(other.type)} published`);
    else if (JSON.stringify(input.defaultValue) !== JSON.stringify(other.defaultValue)) {
      out.push(`${where}.${input.name}: default ${JSON.stringify(input.defaultValue)} here, ${JSON.stringify(other.defaultValue)} published`);
    }
  }
  for (const other of theirs) {
    if (isRequired(other) && !mine.some((input) => input.name === other.name)) out.push(`${where}.${other.name}: required by the published schema, missing here`);
  }
  return out;
}

/** Where an excerpt and the published schema disagree; empty when every type, field, argument and input field agrees. */
function excerptMismatches(mine: GraphQLSchema, theirs: GraphQLSchema): string[] {
  const out: string[] = [];
  for (const type of Object.values(mine.getTypeMap())) {
    if (isIntrospectionType(type) || isSpecifiedScalarType(type)) continue;
    const other = counterpart(mine, theirs, type);
    if (other === undefined) {
      out.push(`${type.name}: not in the published schema`);
      continue;
    }
    if (kindOf(type) !== kindOf(other)) {
      out.push(`${type.name}: ${kindOf(type)} here, ${kindOf(other)} published`);
      continue;
    }
    if ((isObjectType(type) || isInterfaceType(type)) && (isObjectType(other) || isInterfaceType(other))) {
      const theirInterfaces = other.getInterfaces().map((item) => item.name);
      for (const item of type.getInterfaces()) if (!theirInterfaces.includes(item.name)) out.push(`${type.name}: implements ${item.name} here only`);
      const theirFields = other.getFields();
      for (const field of Object.values(type.getFields())) {
        const theirField = theirFields[field.name];
        if (theirField === undefined) out.push(`${type.name}.${field.name}: not in the published schema`);
        else {
          if (String(field.type) !== String(theirField.type)) out.push(`${type.name}.${field.name}: ${String(field.type)} here, ${String(theirField.type)} published`);
          out.push(...compareInputs(`${type.name}.${field.name}`, field.args, theirField.args));
        }
      }
    } else if (isInputObjectType(type) && isInputObjectType(other)) {
      out.push(...compareInputs(type.name, Object.values(type.getFields()), Object.values(other.getFields())));
    } else if (isEnumType(type) && isEnumType(other)) {
      for (const value of type.getValues()) if (other.getValue(value.name) === undefined) out.push(`${type.name}.${value.name}: not in the published schema`);
    } else if (isUnionType(type) && isUnionType(other)) {
      const members = other.getTypes().map((member) => member.name);
      for (const member of type.getTypes()) if (!members.includes(member.name)) out.push(`${type.name}: ${member.name} is not a published member`);
    } else if (!isScalarType(type)) {
      out.push(`${type.name}: cannot compare a ${kindOf(type)}`);
    }
  }
  return out;
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

  it('are valid against the published schema and the excerpt, under every graphql-js rule', async () => {
    const sent = await sentDocuments();
    const errors = [...sent].flatMap(([name, query]) => [
      ...validate(published, parse(query)).map((error) => `${name} (published): ${error.message}`),
      ...validate(excerpt, parse(query)).map((error) => `${name} (excerpt): ${error.message}`),
    ]);
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

describe('the excerpt upstream-schema.graphql', () => {
  it('types every type, field, argument and input field exactly as the published schema does', () => {
    expect(excerptMismatches(excerpt, published)).toEqual([]);
  });

  it('is found out when it drifts from the published schema', () => {
    const drifted = buildSchema(`
      type Query { currentUser: UserType  superAdminCompanies(search: String, first: String): Int  madeUp: Int }
      type UserType { id: ID  bcId: Int!  nickname: String }
      type CompanyInfoType { id: ID  companyStatus: Int }
      input CheckoutLoginType { cartId: String }
      input UserLoginType { storeHash: String!  email: String!  password: String!  channelId: Int = 2 }
    `);
    expect(excerptMismatches(drifted, published)).toEqual([
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
