import { readFileSync } from 'node:fs';
import { getIntrospectionQuery } from 'graphql';
import { describe, expect, it } from 'vitest';
import { graphiqlOptions } from '../../src/http/graphiql.js';
import { DEFAULT_QUERY_LIMITS } from '../../src/plugins/use-query-limits.js';
import { DEMO_BUYER } from '../../src/sandbox/index.js';
import { useHarness } from '../harness.js';

const harness = useHarness();

// Every document below would call BigCommerce if it ran: a refusal shows as no upstream request.
const LOGIN_ARGS = `input: { email: "${DEMO_BUYER.email}", password: "wrong password" }`;
const repeat = (count: number, item: (index: number) => string) => Array.from({ length: count }, (_, index) => item(index + 1)).join(' ');

/** A refusal by a limit: one validation error, before anything runs. */
const refused = (message: string) => ({
  status: 400,
  body: { errors: [{ message, extensions: { code: 'GRAPHQL_VALIDATION_FAILED', requestId: expect.any(String) } }] },
});

const send = async (query: string, headers?: Record<string, string>) => {
  const reply = await harness.graphql(query, undefined, headers);
  return { status: reply.status, body: reply.body };
};

describe('query limits (GraphQL Armor)', () => {
  it('uses the documented defaults', () => {
    expect(DEFAULT_QUERY_LIMITS).toEqual({ maxDepth: 10, maxAliases: 10, maxTokens: 1000, maxDirectives: 5, maxCost: 200, maxErrors: 5, blockFieldSuggestions: false });
  });

  it('lets a login within every limit reach BigCommerce', async () => {
    const reply = await send(`mutation { login(${LOGIN_ARGS}) { token { value } } }`);
    expect(reply.body.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    expect(harness.sandbox.requests).toHaveLength(1);
  });

  it('refuses a depth bomb of nested fragments with 400 and never calls BigCommerce', async () => {
    // login, 8 fragments, token, value: 11 levels.
    const open = repeat(8, () => '... on LoginPayload {');
    const reply = await send(`mutation { login(${LOGIN_ARGS}) { ${open} token { value } ${'}'.repeat(8)} } }`);
    expect(reply).toEqual(refused('Query depth limit of 10 exceeded, found 11.'));
    expect(harness.sandbox.requests).toEqual([]);
  });

  it('refuses 11 aliased logins, and the upstream sees none of them', async () => {
    const reply = await send(`mutation { ${repeat(11, (index) => `a${index}: login(${LOGIN_ARGS}) { token { value } }`)} }`);
    expect(reply).toEqual(refused('Aliases limit of 10 exceeded, found 11.'));
    expect(harness.sandbox.requests).toEqual([]);
  });

  it('counts __typename aliases too: 10 pass, 11 are refused', async () => {
    const ten = await send(`{ ${repeat(10, (index) => `a${index}: __typename`)} }`);
    expect(ten).toEqual({ status: 200, body: { data: Object.fromEntries(Array.from({ length: 10 }, (_, index) => [`a${index + 1}`, 'Query'])) } });
    const eleven = await send(`{ ${repeat(11, (index) => `a${index}: __typename`)} }`);
    expect(eleven).toEqual(refused('Aliases limit of 10 exceeded, found 11.'));
  });

  it('lets 5 directives through and refuses 6', async () => {
    const five = await send(`{ ${repeat(5, (index) => `a${index}: __typename @include(if: true)`)} }`);
    expect(five).toEqual({ status: 200, body: { data: Object.fromEntries(Array.from({ length: 5 }, (_, index) => [`a${index + 1}`, 'Query'])) } });
    const reply = await send(`mutation { login(${LOGIN_ARGS}) { token { ${repeat(6, () => 'value @include(if: true)')} } } }`);
    expect(reply).toEqual(refused('Directives limit of 5 exceeded, found 6.'));
    expect(harness.sandbox.requests).toEqual([]);
  });

  it("answers graphql-cop's directive overloading (ten unknown directives) with one error, not one per directive", async () => {
    expect(await send('query cop { __typename @aa@aa@aa@aa@aa@aa@aa@aa@aa@aa }')).toEqual(refused('Directives limit of 5 exceeded, found 10.'));
    expect(await send(`mutation { login(${LOGIN_ARGS}) { token { value ${'@skip(if: false)'.repeat(60)} } } }`)).toEqual(
      refused('Directives limit of 5 exceeded, found 60.'),
    );
    expect(harness.sandbox.requests).toEqual([]);
  });

  it('answers a document over a limit with that limit alone, whatever else is wrong with it', async () => {
    const reply = await send(`{ ${repeat(11, (index) => `a${index}: nope`)} }`);
    expect(reply).toEqual(refused('Aliases limit of 10 exceeded, found 11.'));
  });

  it('stops validating a document at 5 errors', async () => {
    const reply = await send(`{ ${repeat(20, (index) => `f${index}`)} }`);
    const unknown = (index: number) => ({
      message: `Cannot query field "f${index}" on type "Query".`,
      locations: [{ line: 1, column: 3 + (index - 1) * 3 }],
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED', requestId: expect.any(String) },
    });
    expect(reply).toEqual({
      status: 400,
      body: {
        errors: [
          ...[1, 2, 3, 4, 5].map(unknown),
          { message: 'Too many validation errors, error limit reached. Validation aborted.', extensions: { code: 'GRAPHQL_VALIDATION_FAILED', requestId: expect.any(String) } },
        ],
      },
    });
  });

  it('refuses an operation whose estimated cost exceeds 200', async () => {
    // login 2, plus 1.5 × 13 tokens of (2 + 1.5 × 6 scalars): 216.5.
    const reply = await send(`mutation { login(${LOGIN_ARGS}) { ${repeat(13, () => 'token { value storeHash channelId notBefore expiresAt via }')} } }`);
    expect(reply).toEqual(refused('Query Cost limit of 200 exceeded, found 216.5.'));
    expect(harness.sandbox.requests).toEqual([]);
  });

  it("refuses graphql-cop's field duplication: __typename 500 times costs 500, though it runs once", async () => {
    expect(await send(`query cop { ${'__typename \n'.repeat(500)}} `)).toEqual(refused('Query Cost limit of 200 exceeded, found 500.'));
  });

  it('counts a page size once, written out or passed as a variable', async () => {
    const page = '{ totalCount companies { id name } }';
    const codes = async (query: string, variables?: Record<string, unknown>) =>
      ((await harness.graphql(query, variables)).body.errors ?? []).map((error) => error.extensions?.['code']);
    // No token: each answers UNAUTHENTICATED after validation, so a limit would show first.
    expect(await codes(`{ masqueradeCompanies(first: 100) ${page} }`)).toEqual(['UNAUTHENTICATED']);
    expect(await codes(`query Page($first: Int) { masqueradeCompanies(first: $first) ${page} }`, { first: 100 })).toEqual(['UNAUTHENTICATED']);
    expect(await codes(`{ ...Page } fragment Page on Query { masqueradeCompanies(first: 20, offset: 40) ${page} }`)).toEqual(['UNAUTHENTICATED']);
    // What a page's selection costs is still counted, once.
    expect(await send(`{ masqueradeCompanies(first: 100) { companies { ${repeat(60, () => 'id name')} } } }`)).toEqual(
      refused('Query Cost limit of 200 exceeded, found 275.'),
    );
    expect(harness.sandbox.requests).toEqual([]);
  });

  describe("the schema's real operations pass every limit", () => {
    const persisted = Object.values(JSON.parse(readFileSync(new URL('../../examples/client/persisted-documents.json', import.meta.url), 'utf8')) as Record<string, string>);
    const { graphiql } = graphiqlOptions({ production: false, sandbox: true, demo: DEMO_BUYER });
    const tabs = typeof graphiql === 'object' ? (graphiql.defaultTabs ?? []) : [];
    const documents = [
      ...persisted.map((query, index) => ({ name: `examples/client persisted document ${index + 1}`, query, variables: { input: DEMO_BUYER } })),
      ...tabs.map((tab, index) => ({ name: `GraphiQL tab ${index + 1}`, query: tab.query ?? '', variables: JSON.parse(tab.variables ?? '{}') as Record<string, unknown> })),
    ];

    it('there are 3 persisted documents and 9 GraphiQL tabs', () => {
      expect(documents.map((document) => document.name)).toEqual([
        'examples/client persisted document 1',
        'examples/client persisted document 2',
        'examples/client persisted document 3',
        ...Array.from({ length: 9 }, (_, index) => `GraphiQL tab ${index + 1}`),
      ]);
    });

    it.each(documents)('$name runs: no parse or validation error', async ({ query, variables }) => {
      const reply = await harness.graphql(query, variables);
      const codes = (reply.body.errors ?? []).map((error) => error.extensions?.['code']);
      expect(codes.filter((code) => code === 'GRAPHQL_VALIDATION_FAILED' || code === 'GRAPHQL_PARSE_FAILED')).toEqual([]);
      expect(reply.body.data).toBeDefined();
    });
  });

  it('stops parsing a document past 1000 tokens: GRAPHQL_PARSE_FAILED, 400', async () => {
    const reply = await send(`mutation { login(${LOGIN_ARGS}) { token { ${'value '.repeat(1000)} } } }`);
    expect(reply).toEqual({ status: 400, body: { errors: [{ message: 'Syntax Error: Token limit of 1000 exceeded.', extensions: { code: 'GRAPHQL_PARSE_FAILED', requestId: expect.any(String) } }] } });
    expect(harness.sandbox.requests).toEqual([]);
  });

  it('answers a refusal with 200 to a client that accepts only application/json, as the GraphQL-over-HTTP spec asks', async () => {
    const response = await fetch(harness.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query: `{ ${repeat(11, (index) => `a${index}: __typename`)} }` }),
    });
    expect({ status: response.status, body: await response.json() }).toEqual({
      status: 200,
      body: refused('Aliases limit of 10 exceeded, found 11.').body,
    });
  });

  it("passes GraphiQL's full introspection query", async () => {
    const query = getIntrospectionQuery({
      descriptions: true,
      specifiedByUrl: true,
      directiveIsRepeatable: true,
      schemaDescription: true,
      inputValueDeprecation: true,
      oneOf: true,
    });
    const reply = await send(query);
    expect(reply.status).toBe(200);
    expect(reply.body.errors).toBeUndefined();
    expect(reply.body.data?.['__schema']).toMatchObject({ queryType: { name: 'Query' }, mutationType: { name: 'Mutation' } });
  });

  it('keeps serving after refusals', async () => {
    await send(`{ ${'__typename '.repeat(2000)} }`);
    await send(`{ ${repeat(50, (index) => `a${index}: __typename`)} }`);
    expect(await send('{ __typename }')).toEqual({ status: 200, body: { data: { __typename: 'Query' } } });
  });

  it('keeps "Did you mean" suggestions outside production', async () => {
    const reply = await send('{ tokenInf(token: "x") { email } }');
    expect(reply).toEqual({
      status: 400,
      body: {
        errors: [
          {
            message: 'Cannot query field "tokenInf" on type "Query". Did you mean "tokenInfo"?',
            locations: [{ line: 1, column: 3 }],
            extensions: { code: 'GRAPHQL_VALIDATION_FAILED', requestId: expect.any(String) },
          },
        ],
      },
    });
  });
});
