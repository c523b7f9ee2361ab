// fast-check arbitraries for hostile GraphQL-over-HTTP requests, one per category: each carries a
// password (or the X-Auth-Token) somewhere a client could put one.
import fc from 'fast-check';
import { AUTHORIZATION, ISSUE, LOGIN, TOKEN_INFO, TRUSTED_KEY } from '../harness.js';
import {
  ACCEPTS,
  anyJson,
  codeUnit,
  CONTENT_TYPES,
  email,
  FUZZ_AUTH_TOKEN,
  literal,
  name,
  nestJson,
  password,
  randomHeaders,
  secret,
  SECRET_PREFIX,
  text,
  textWithSecret,
  unicodeText,
  validLogin,
  validLoginVariables,
  wellFormed,
  wrongTyped,
} from './values.js';

export const CATEGORIES = [
  'malformed-json',
  'malformed-document',
  'wrong-types',
  'huge-unicode',
  'nulls',
  'deep-nesting',
  'unknown-fields',
  'oneof',
  'operation-names',
  'get-query',
  'headers',
  'methods',
] as const;
export type Category = (typeof CATEGORIES)[number];

/** One generated request, as `fetch` or `node:http` sends it. */
export interface FuzzRequest {
  category: Category;
  method: string;
  /** Path and query string. */
  path: string;
  headers: Record<string, string>;
  body: string | Uint8Array | undefined;
  /** Which gateway answers: production (GraphiQL off, no suggestions, no introspection) or development. */
  production: boolean;
}

// ---------------------------------------------------------------------------------------------
// Documents

const VIEWER = 'query Viewer { viewer { id bcId email firstName lastName role } }';
const ENTITIES = 'query Entities($representations: [_Any!]!) { _entities(representations: $representations) { ... on B2BUser { id email } } }';
const INTROSPECTION = '{ __schema { queryType { name } types { name fields { name } } } }';
const SERVICE = '{ _service { sdl } }';
const TYPENAME = '{ __typename }';

/** The operations and the shape of a correct `$input`, to mutate field by field. */
const INPUT_FIELDS = {
  login: { document: LOGIN, fields: ['email', 'password', 'storeHash', 'channelId'] },
  authorization: { document: AUTHORIZATION, fields: ['bcToken', 'storeHash', 'channelId'] },
} as const;

// ---------------------------------------------------------------------------------------------
// Envelopes

const production = fc.boolean();

function post(category: Category, body: string | Uint8Array, headers: Record<string, string> = {}): fc.Arbitrary<FuzzRequest> {
  return production.map((isProduction) => ({
    category,
    method: 'POST',
    path: '/graphql',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...headers },
    body,
    production: isProduction,
  }));
}

/** A JSON POST of `payload`, with the usual or a random `accept`. */
function postJson(category: Category, payload: fc.Arbitrary<unknown>): fc.Arbitrary<FuzzRequest> {
  return fc
    .tuple(payload, fc.constantFrom(...ACCEPTS.slice(0, 4)), fc.boolean())
    .chain(([value, accept, trusted]) => post(category, JSON.stringify(value), { accept, ...(trusted && { 'x-gateway-key': TRUSTED_KEY }) }));
}

// ---------------------------------------------------------------------------------------------
// Categories

const malformedJson: fc.Arbitrary<FuzzRequest> = fc
  .oneof(
    // A valid login body, truncated, with a character inserted, or with a structural one replaced.
    fc.tuple(validLogin, fc.nat(), fc.oneof(codeUnit, fc.constantFrom('{', '}', '[', ']', '"', ',', ':', '\\')), fc.constantFrom('cut', 'insert', 'replace')).map(
      ([body, at, char, how]) => {
        const json = JSON.stringify(body);
        const index = at % json.length;
        if (how === 'cut') return json.slice(0, index);
        if (how === 'insert') return json.slice(0, index) + char + json.slice(index);
        return json.slice(0, index) + char + json.slice(index + 1);
      },
    ),
    // Not a GraphQL request body at all.
    fc.tuple(unicodeText, secret).map(([garbage, value]) => `${garbage}${value}`),
    validLogin.map((body) => `\uFEFF${JSON.stringify(body)}`),
    validLogin.map((body) => `${JSON.stringify(body)}}}`),
    validLogin.map((body) => JSON.stringify(body).replaceAll('"', "'")),
    validLogin.map((body) => JSON.stringify([body, body])),
    validLogin.map((body) => JSON.stringify(body).replace('{', '{/* comment */')),
    validLogin.map((body) => JSON.stringify(body).replace('}', ',}')),
    fc.constantFrom('', 'null', 'true', '0', '"query"', '[]', '{}', 'NaN', '{"query": Infinity}', '{"query":"{ __typename }","query":1}'),
    // Top-level fields of the wrong type.
    fc.tuple(wrongTyped, wrongTyped, wrongTyped, secret).map(([query, variables, extra, value]) =>
      JSON.stringify({ query, variables, operationName: extra, extensions: { persistedQuery: value } }),
    ),
    fc.tuple(validLoginVariables, fc.boolean()).map(([variables, nested]) => JSON.stringify({ query: LOGIN, variables: nested ? JSON.stringify(JSON.stringify(variables)) : JSON.stringify(variables) })),
  )
  .chain((body) => post('malformed-json', body))
  .chain((request) =>
    // Now and then, bytes that are not UTF-8 at all around a password.
    fc.oneof(
      { arbitrary: fc.constant(request), weight: 9 },
      {
        arbitrary: fc.tuple(fc.uint8Array({ maxLength: 64 }), password).map(([bytes, value]) => ({
          ...request,
          body: Buffer.concat([Buffer.from([0xff, 0xfe, 0xc3]), bytes, Buffer.from(value), Buffer.from([0xed, 0xa0, 0x80])]),
        })),
        weight: 1,
      },
    ),
  );

// A password literal in a document with a typo around it: the syntax error must not quote it.
const malformedDocument: fc.Arbitrary<FuzzRequest> = postJson(
  'malformed-document',
  fc
    .tuple(
      secret,
      fc.constantFrom(
        'mutation { login(input: { email: "buyer@example.com", password %s }) { token { value } } }',
        'mutation { login(input: { email: "buyer@example.com", password: %s %s }) { token { value } } }',
        'mutation { login(input: { email: "buyer@example.com" password: %s }) { token { value } }',
        'mutation { login(%s) { token { value } } }',
        'mutation { login(input: %s) { token { value } } }',
        'mutation { login(input: { email: "buyer@example.com", password: %s }) { token { value %s } } }',
        'mutation Login(%s) { login(input: {}) { token { value } } }',
        'mutation { login(input: { email: "buyer@example.com", password: %s) { token { value } } }',
        'mutation { login(input: { email: "buyer@example.com", password: %s }) { token { value } } } %s',
        '%s mutation { login(input: { email: "buyer@example.com", password: "x" }) { token { value } } }',
        'mutation { login(input: { email: "buyer@example.com", password: %s }) @%s { token { value } } }',
        'query { tokenInfo(token: %s, token: %s) { email } }',
        'query { tokenInfo(token: %s) { email } } fragment %s on Query { __typename }',
        'mutation { issueStorefrontToken(input: { credentials: { email: "buyer@example.com", password: %s } sessionJwt: { jwtToken: %s } }) { token { value } } }',
      ),
      fc.constantFrom('string', 'block', 'escaped', 'unterminated', 'bare'),
    )
    .map(([value, template, quoting]) => {
      const quoted =
        quoting === 'string'
          ? JSON.stringify(value)
          : quoting === 'block'
            ? `"""${value}"""`
            : quoting === 'escaped'
              ? JSON.stringify(value).replace(value, value.replace(/-/g, '\\u002D'))
              : quoting === 'unterminated' || !value.startsWith(SECRET_PREFIX)
                ? `"${value}`
                : // Bare, a password is no GraphQL name (it has dashes); the X-Auth-Token could be one, and names are echoed by design.
                  value;
      return { query: template.replaceAll('%s', quoted) };
    }),
);

const wrongTypes: fc.Arbitrary<FuzzRequest> = postJson(
  'wrong-types',
  fc.oneof(
    // login / authorization with every field right or wrong, the password of a wrong type.
    fc
      .tuple(fc.constantFrom(INPUT_FIELDS.login, INPUT_FIELDS.authorization), fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }), fc.array(wrongTyped, { minLength: 4, maxLength: 4 }), secret, email)
      .map(([operation, wrong, values, value, address]) => {
        const correct: Record<string, unknown> = { email: address, password: value, bcToken: value, storeHash: 'sandbox', channelId: 1 };
        const input = Object.fromEntries(operation.fields.map((field, index) => [field, wrong[index] ? values[index] : correct[field]]));
        return { query: operation.document, variables: { input } };
      }),
    fc.tuple(wrongTyped, secret).map(([input, value]) => ({ query: LOGIN, variables: { input, password: value } })),
    fc.tuple(wrongTyped, wrongTyped, secret).map(([beginAt, channelId, value]) => ({
      query: ISSUE,
      variables: { input: { credentials: { email: 'buyer@example.com', password: value, beginAt, endAt: beginAt, channelId, name: channelId } } },
    })),
    fc.tuple(wrongTyped, wrongTyped).map(([customerId, expiresAt]) => ({
      query: ISSUE,
      variables: { input: { customer: { customerId, customerAccessToken: { value: FUZZ_AUTH_TOKEN, expiresAt } } } },
    })),
    wrongTyped.map((token) => ({ query: TOKEN_INFO, variables: { token } })),
    wrongTyped.map((representations) => ({ query: ENTITIES, variables: { representations } })),
  ),
);

const hugeUnicode: fc.Arbitrary<FuzzRequest> = postJson(
  'huge-unicode',
  fc.oneof(
    fc.tuple(text, textWithSecret, text).map(([address, value, storeHash]) => ({ query: LOGIN, variables: { input: { email: address, password: value, storeHash } } })),
    fc.tuple(text, textWithSecret).map(([address, value]) => ({ query: ISSUE, variables: { input: { credentials: { email: address, password: value, name: address } } } })),
    fc.tuple(text, secret).map(([token, value]) => ({ query: AUTHORIZATION, variables: { input: { bcToken: `${token}${value}` } } })),
    text.map((token) => ({ query: TOKEN_INFO, variables: { token } })),
    // Unicode in the document itself: comments, string literals, names.
    fc.tuple(text, textWithSecret).map(([comment, value]) => ({
      query: `# ${comment.replace(/[\r\n]/g, ' ')}\nmutation { login(input: { email: ${JSON.stringify(comment)}, password: ${JSON.stringify(value)} }) { token { value } } }`,
    })),
    // A broken document with a string literal in it: syntax errors must not quote the literal.
    fc.tuple(text, secret).map(([garbage, value]) => ({ query: `${garbage} ${JSON.stringify(value)}`, variables: { value } })),
  ),
);

const nulls: fc.Arbitrary<FuzzRequest> = fc
  .oneof(
    secret.map((value) => ({ query: LOGIN, variables: { input: { email: null, password: value } } })),
    secret.map((value) => ({ query: LOGIN, variables: { input: { email: 'buyer@example.com', password: value, storeHash: null, channelId: null } } })),
    secret.map((value) => ({ query: LOGIN, variables: { input: null, password: value } })),
    secret.map((value) => ({ query: LOGIN, variables: null, extensions: null, operationName: null, password: value })),
    secret.map((value) => ({ query: null, variables: { input: { password: value } } })),
    secret.map((value) => ({ query: ISSUE, variables: { input: { credentials: null, sessionJwt: null, customer: null }, value } })),
    secret.map((value) => ({ query: ISSUE, variables: { input: { credentials: { email: null, password: value, beginAt: null, endAt: null } } } })),
    secret.map((value) => ({ query: `mutation { login(input: { email: null, password: ${JSON.stringify(value)} }) { token { value } } }` })),
    secret.map((value) => ({ query: `mutation { login(input: null) { token { value } } } # ${value}` })),
    fc.constant({ query: TOKEN_INFO, variables: { token: null } }),
    fc.constant({ query: ENTITIES, variables: { representations: [null] } }),
    fc.constant(null),
  )
  .chain((payload) => postJson('nulls', fc.constant(payload)));

const DEEP = '"__deep__"';
/** `template` as JSON with `"__deep__"` replaced by deeply nested JSON text. */
const withDeepJson = (template: unknown, deep: string) => JSON.stringify(template).replace(DEEP, deep);

const deepVariables: fc.Arbitrary<string> = fc.oneof(
  // Deep variables where a string or an input object belongs.
  fc
    .tuple(
      secret,
      fc.integer({ min: 1, max: 5_000 }),
      fc.constantFrom('object', 'list', 'mixed') as fc.Arbitrary<'object' | 'list' | 'mixed'>,
      fc.constantFrom('input', 'password', 'email', 'credentials'),
    )
    .map(([value, depth, shape, where]) => {
      const deep = nestJson(value, depth, shape);
      if (where === 'input') return withDeepJson({ query: LOGIN, variables: { input: '__deep__' } }, deep);
      if (where === 'credentials') return withDeepJson({ query: ISSUE, variables: { input: { credentials: '__deep__' } } }, deep);
      return withDeepJson({ query: LOGIN, variables: { input: { email: 'buyer@example.com', password: value, [where]: '__deep__' } } }, deep);
    }),
  fc
    .tuple(secret, fc.integer({ min: 1, max: 3_000 }))
    .map(([value, depth]) => withDeepJson({ query: ENTITIES, variables: { representations: ['__deep__'] } }, nestJson({ __typename: 'B2BUser', id: value }, depth, 'mixed'))),
);

// Deep selection sets, list literals, object literals and fragment chains in the document.
const deepDocuments: fc.Arbitrary<FuzzRequest> = postJson(
  'deep-nesting',
  fc.oneof(
    fc.tuple(fc.integer({ min: 1, max: 3_000 }), name, secret).map(([depth, field, value]) => ({
      query: `mutation { login(input: { email: "buyer@example.com", password: ${JSON.stringify(value)} }) { token ${'{ value '.repeat(depth)}${'}'.repeat(depth)} } }`.replace('value {', `${field} {`),
    })),
    fc.tuple(fc.integer({ min: 1, max: 3_000 }), name).map(([depth, field]) => ({ query: `{ ${`${field} { `.repeat(depth)}__typename${' }'.repeat(depth)} }` })),
    fc.tuple(fc.integer({ min: 1, max: 3_000 }), secret).map(([depth, value]) => ({
      query: `mutation { login(input: { email: ${'['.repeat(depth)}"x"${']'.repeat(depth)}, password: ${JSON.stringify(value)} }) { token { value } } }`,
    })),
    fc.tuple(fc.integer({ min: 1, max: 3_000 }), secret).map(([depth, value]) => ({
      query: `mutation { login(input: ${'{ a: '.repeat(depth)}${JSON.stringify(value)}${' }'.repeat(depth)}) { token { value } } }`,
    })),
    fc.integer({ min: 2, max: 300 }).map((count) => ({
      query: `query Q { ...F0 } ${Array.from({ length: count }, (_, index) => `fragment F${index} on Query { ...F${(index + 1) % count} }`).join(' ')}`,
    })),
  ),
);

const deepNesting: fc.Arbitrary<FuzzRequest> = fc.oneof(
  deepVariables.chain((body) => post('deep-nesting', body)),
  deepDocuments,
);

const unknownFields: fc.Arbitrary<FuzzRequest> = postJson(
  'unknown-fields',
  fc.oneof(
    fc.tuple(name, name, literal).map(([field, argument, value]) => ({ query: `{ ${field}(${argument}: ${value}) { ${field} } }` })),
    fc.tuple(name, literal, secret).map(([argument, value, secretValue]) => ({
      query: `mutation { login(input: { email: "buyer@example.com", password: ${JSON.stringify(secretValue)} }, ${argument}: ${value}) { token { value } } }`,
    })),
    fc.tuple(name, secret).map(([field, value]) => ({
      query: LOGIN.replace('storefrontLoginToken', `storefrontLoginToken ${field}`),
      variables: { input: { email: 'buyer@example.com', password: value } },
    })),
    fc.tuple(fc.dictionary(name, fc.oneof(secret, anyJson), { minKeys: 1, maxKeys: 4 }), secret).map(([extra, value]) => ({
      query: LOGIN,
      variables: { input: { email: 'buyer@example.com', password: value, ...extra } },
    })),
    fc.tuple(name, literal, secret).map(([directive, value, secretValue]) => ({
      query: `mutation @${directive}(if: ${value}) { login(input: { email: "buyer@example.com", password: ${JSON.stringify(secretValue)} }) @skip(if: ${value}) { token { value } } }`,
    })),
    fc.tuple(name, secret).map(([type, value]) => ({ query: `query($v: ${type}!) { tokenInfo(token: $v) { email } }`, variables: { v: value } })),
    fc.constantFrom(
      { query: INTROSPECTION },
      { query: SERVICE },
      { query: TYPENAME },
      { query: VIEWER },
      { query: '{ __type(name: "LoginInput") { inputFields { name } } }' },
      { query: '{ tokenInfo(token: "a.b.c") { claims } }' },
    ),
    fc.array(fc.oneof(anyJson, fc.record({ __typename: fc.constantFrom('B2BUser', 'Query', 'Nope'), id: fc.oneof(secret, anyJson) })), { maxLength: 5 }).map((representations) => ({
      query: ENTITIES,
      variables: { representations },
    })),
  ),
);

const oneOf: fc.Arbitrary<FuzzRequest> = postJson(
  'oneof',
  fc
    .tuple(
      secret,
      fc.subarray(['credentials', 'sessionJwt', 'customer'] as const),
      fc.constantFrom('variables', 'literal'),
      fc.array(fc.constantFrom('value', 'null', 'wrong'), { minLength: 3, maxLength: 3 }),
      wrongTyped,
    )
    .map(([value, branches, where, kinds, wrong]) => {
      const branchValue = { credentials: { email: 'buyer@example.com', password: value }, sessionJwt: { jwtToken: value }, customer: { customerId: 201 } };
      if (where === 'variables') {
        const input = Object.fromEntries(branches.map((branch, index) => [branch, kinds[index] === 'null' ? null : kinds[index] === 'wrong' ? wrong : branchValue[branch]]));
        return { query: ISSUE, variables: { input } };
      }
      const fields = branches.map((branch, index) =>
        kinds[index] === 'null' ? `${branch}: null` : `${branch}: ${JSON.stringify(branchValue[branch]).replace(/"(\w+)":/g, '$1: ')}`,
      );
      return { query: `mutation { issueStorefrontToken(input: { ${fields.join(', ')} }) { token { value via } } }` };
    }),
);

const operationNames: fc.Arbitrary<FuzzRequest> = postJson(
  'operation-names',
  fc
    .tuple(
      fc.array(fc.option(name, { nil: undefined }), { minLength: 1, maxLength: 3 }),
      fc.oneof(fc.constant(undefined), fc.constant(null), name, unicodeText, anyJson, fc.constant('')),
      fc.nat(),
      secret,
    )
    .map(([names, operationName, pick, value]) => {
      const operations = names.map((operation, index) =>
        index % 2 === 0
          ? `mutation ${operation ?? ''} { login(input: { email: "buyer@example.com", password: ${JSON.stringify(value)} }) { token { value } } }`
          : `query ${operation ?? ''} { tokenInfo(token: ${JSON.stringify(value)}) { email } }`,
      );
      const chosen = pick % 2 === 0 ? operationName : names[pick % names.length];
      return { query: operations.join('\n'), ...(chosen !== undefined && { operationName: chosen }) };
    }),
);

/** Percent-encodes most of the time; sometimes sends the raw or a broken encoding. */
const queryParameterValue = (value: string) =>
  fc.constantFrom('encoded', 'encoded', 'encoded', 'raw', 'broken').map((how) => {
    if (how === 'encoded') return encodeURIComponent(wellFormed(value)).replace(/%20/g, '+');
    if (how === 'raw') return value.replace(/[#&\s]/g, '');
    // Invalid escapes, a lone surrogate in UTF-8 and a truncated sequence.
    return `${encodeURIComponent(wellFormed(value))}%ZZ%ED%A0%80%E0%A4%A`;
  });

const getQuery: fc.Arbitrary<FuzzRequest> = fc
  .tuple(
    fc.oneof(
      fc.constantFrom(TYPENAME, TOKEN_INFO, LOGIN, VIEWER, INTROSPECTION, SERVICE),
      literal.map((value) => `{ tokenInfo(token: ${value}) { email } }`),
      unicodeText,
    ),
    fc.oneof(secret.map((value) => JSON.stringify({ token: value, input: { email: 'buyer@example.com', password: value } })), textWithSecret),
    fc.option(fc.oneof(name, unicodeText), { nil: undefined }),
    fc.dictionary(fc.oneof(name, fc.constantFrom('query', 'variables', 'extensions', 'operationName')), fc.oneof(unicodeText, secret), { maxKeys: 2 }),
    fc.boolean(),
    fc.boolean(),
    fc.constantFrom(...ACCEPTS),
  )
  .chain(([query, variables, operationName, extra, csrf, isProduction, accept]) => {
    const pairs: Array<fc.Arbitrary<string>> = [
      queryParameterValue(query).map((value) => `query=${value}`),
      queryParameterValue(variables).map((value) => `variables=${value}`),
      ...(operationName === undefined ? [] : [queryParameterValue(operationName).map((value) => `operationName=${value}`)]),
      ...Object.entries(extra).map(([key, value]) => queryParameterValue(value).map((encoded) => `${encodeURIComponent(key)}=${encoded}`)),
    ];
    return fc.tuple(...pairs).map((parts) => ({
      category: 'get-query' as const,
      method: 'GET',
      path: `/graphql?${parts.join('&')}`,
      headers: { accept, ...(csrf && { 'x-graphql-yoga-csrf': '1' }) },
      body: undefined,
      production: isProduction,
    }));
  });

/** Encodes a login for a given content type, as a client that chose that type might. */
function bodyFor(contentType: string, payload: { query: string; variables: unknown }): string {
  const type = contentType.toLowerCase();
  if (type.startsWith('application/x-www-form-urlencoded')) {
    return `query=${encodeURIComponent(payload.query)}&variables=${encodeURIComponent(JSON.stringify(payload.variables))}`;
  }
  if (type.startsWith('multipart/form-data')) {
    return `------fuzz\r\nContent-Disposition: form-data; name="operations"\r\n\r\n${JSON.stringify(payload)}\r\n------fuzz--\r\n`;
  }
  if (type.startsWith('application/graphql') && !type.includes('json')) return payload.query;
  return JSON.stringify(payload);
}

const headers: fc.Arbitrary<FuzzRequest> = fc
  .tuple(validLogin, fc.constantFrom(...CONTENT_TYPES), randomHeaders, production)
  .map(([payload, contentType, extra, isProduction]) => ({
    category: 'headers' as const,
    method: 'POST',
    path: '/graphql',
    headers: { ...extra, ...(contentType !== '' && { 'content-type': contentType }) },
    body: bodyFor(contentType, payload),
    production: isProduction,
  }));

const methods: fc.Arbitrary<FuzzRequest> = fc
  .tuple(
    fc.oneof(
      fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD', 'PROPFIND', 'MKCOL', 'get', 'Post'),
      fc.stringMatching(/^[A-Z]{1,10}$/).filter((method) => !['CONNECT', 'TRACE', 'TRACK'].includes(method)),
    ),
    validLogin,
    randomHeaders,
    production,
  )
  .map(([method, payload, extra, isProduction]) => {
    // fetch refuses a body on GET and HEAD; put the login into the query string there.
    const bodyless = ['GET', 'HEAD'].includes(method.toUpperCase());
    return {
      category: 'methods' as const,
      method,
      path: bodyless ? `/graphql?query=${encodeURIComponent(payload.query)}&variables=${encodeURIComponent(JSON.stringify(payload.variables))}` : '/graphql',
      headers: { ...extra, 'content-type': 'application/json', ...(method === 'OPTIONS' && { 'access-control-request-method': 'POST' }) },
      body: bodyless ? undefined : JSON.stringify(payload),
      production: isProduction,
    };
  });

/** One arbitrary per category. */
export const REQUESTS: Readonly<Record<Category, fc.Arbitrary<FuzzRequest>>> = {
  'malformed-json': malformedJson,
  'malformed-document': malformedDocument,
  'wrong-types': wrongTypes,
  'huge-unicode': hugeUnicode,
  nulls,
  'deep-nesting': deepNesting,
  'unknown-fields': unknownFields,
  oneof: oneOf,
  'operation-names': operationNames,
  'get-query': getQuery,
  headers,
  methods,
};

/** Any category, for the share sent over real HTTP. */
export const anyRequest: fc.Arbitrary<FuzzRequest> = fc.oneof(...CATEGORIES.map((category) => REQUESTS[category]));
