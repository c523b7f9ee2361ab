import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { Client, fetchExchange, gql } from '@urql/core';
import { persistedExchange } from '@urql/exchange-persisted';
import { getOperationAST, type DocumentNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { LoginDocument, SessionDocument, ViewerDocument } from '../../examples/client/generated/graphql.js';
import { MANIFEST } from '../../scripts/persisted-manifest.js';
import { DEMO_BUYER, SANDBOX_USERS } from '../../src/sandbox/index.js';
import { TRUSTED_KEY, useHarness } from '../harness.js';

// The clients as their users set them up, over real HTTP: urql (`preferGetMethod`, the persisted
// exchange) and Apollo Client (the persisted-queries link with `useGETForHashedQueries`) send
// queries as GETs. A GET passes CSRF prevention when it carries a header that no cross-site form,
// link or image can send; the buyer's `Authorization` is one.

const MANIFEST_PATH = fileURLToPath(MANIFEST);
const manifest = JSON.parse(readFileSync(MANIFEST_PATH, 'utf8')) as Record<string, string>;

const DEMO_VIEWER = {
  id: String(SANDBOX_USERS.buyer.userId),
  bcId: SANDBOX_USERS.buyer.bcId,
  email: DEMO_BUYER.email,
  firstName: 'Marie',
  lastName: 'Curie',
  role: 'SENIOR_BUYER',
  roleCode: 1,
};
/** The demo buyer's session as the example client's Session operation selects it. */
const demoSession = (expiresAt: string | undefined) => ({
  kind: 'COMPANY_USER',
  permissions: [
    { code: 'get_orders', permissionLevel: 2 },
    { code: 'get_quotes', permissionLevel: 2 },
    { code: 'create_shopping_list', permissionLevel: 2 },
    { code: 'purchase_enable', permissionLevel: 1 },
  ],
  expiresAt,
  masquerade: null,
});
const credentials = { input: { email: DEMO_BUYER.email, password: DEMO_BUYER.password } };
const TYPENAME = gql`
  query Typename {
    __typename
  }
`;
/** A query the manifest does not list. */
const UNLISTED = gql`
  query ViewerEmail {
    viewer {
      email
    }
  }
`;

/** One request a client made, as the gateway saw it. */
interface Sent {
  method: string;
  /** The GraphQL parameters of a GET's URL (`query`, `operationName`, `variables`, `extensions`). */
  params: string[];
  /** The persisted-query hash the request named, if any. */
  hash: string | undefined;
  status: number;
  /** The answer's `WWW-Authenticate`, if any. */
  challenge: string | null;
}

/** A `fetch` for a client to use that records each request it makes and the answer. */
function recordingFetch() {
  const sent: Sent[] = [];
  const recording: typeof fetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const method = init?.method ?? 'GET';
    const extensions = method === 'GET' ? url.searchParams.get('extensions') : (JSON.parse(String(init?.body)) as { extensions?: unknown }).extensions;
    const parsed = (typeof extensions === 'string' ? JSON.parse(extensions) : extensions) as { persistedQuery?: { sha256Hash?: string } } | undefined;
    const response = await fetch(input, init);
    sent.push({
      method,
      params: [...url.searchParams.keys()],
      hash: parsed?.persistedQuery?.sha256Hash,
      status: response.status,
      challenge: response.headers.get('www-authenticate'),
    });
    return response;
  };
  return { sent, fetch: recording };
}

const hashOf = (operationName: string) => {
  const entry = Object.entries(manifest).find(([, document]) => getOperationAST(gql(document))?.name?.value === operationName);
  if (entry === undefined) throw new Error(`${operationName} is not in ${MANIFEST_PATH}`);
  return entry[0];
};

describe('GET queries without a persisted-documents manifest', () => {
  const harness = useHarness();

  it("urql with preferGetMethod logs in by POST, then runs viewer and session as GETs carrying the buyer's Authorization", async () => {
    const { sent, fetch } = recordingFetch();
    const anonymous = new Client({ url: harness.url, exchanges: [fetchExchange], preferGetMethod: 'force', fetch });
    const login = await anonymous.mutation(LoginDocument, credentials).toPromise();
    const token = login.data?.login.token.value ?? '';
    const signedIn = new Client({
      url: harness.url,
      exchanges: [fetchExchange],
      preferGetMethod: 'force',
      fetch,
      fetchOptions: { headers: { authorization: `Bearer ${token}` } },
    });

    const viewer = await signedIn.query(ViewerDocument, {}).toPromise();
    const session = await signedIn.query(SessionDocument, {}).toPromise();

    expect({ data: viewer.data, error: viewer.error }).toEqual({ data: { viewer: DEMO_VIEWER }, error: undefined });
    expect({ data: session.data, error: session.error }).toEqual({ data: { session: demoSession(login.data?.login.token.expiresAt) }, error: undefined });
    const get = { method: 'GET', params: ['query', 'operationName', 'variables'], hash: undefined, status: 200, challenge: null };
    expect(sent).toEqual([{ method: 'POST', params: [], hash: undefined, status: 200, challenge: null }, get, get]);
    expect(harness.sandbox.requests.map((request) => request.headers['authorization'])).toEqual([undefined, `Bearer ${token}`, `Bearer ${token}`]);
  });

  it.each([
    ['apollo-require-preflight', 'true'],
    ['x-graphql-yoga-csrf', '1'],
    ['x-gateway-key', TRUSTED_KEY],
  ])('a GET query carrying %s is answered', async (name, value) => {
    const { sent, fetch } = recordingFetch();
    const client = new Client({ url: harness.url, exchanges: [fetchExchange], preferGetMethod: 'force', fetch, fetchOptions: { headers: { [name]: value } } });

    const result = await client.query(TYPENAME, {}).toPromise();

    expect({ data: result.data, error: result.error }).toEqual({ data: { __typename: 'Query' }, error: undefined });
    expect(sent.map(({ method, status }) => [method, status])).toEqual([['GET', 200]]);
  });

  it.each([
    ['no header', {}],
    ['an empty Authorization', { authorization: '' }],
  ])('a GET query with %s is refused with 403, as a cross-site link or image could send it', async (_, headers) => {
    const { sent, fetch } = recordingFetch();
    const client = new Client({ url: harness.url, exchanges: [fetchExchange], preferGetMethod: 'force', fetch, fetchOptions: { headers } });

    const result = await client.query(ViewerDocument, {}).toPromise();

    expect(result.data).toBeUndefined();
    expect(result.error?.graphQLErrors.map(({ message, extensions }) => ({ message, extensions }))).toEqual([
      { message: 'Required CSRF header(s) not present', extensions: { requestId: expect.any(String) } },
    ]);
    expect(sent.map(({ method, status }) => [method, status])).toEqual([['GET', 403]]);
    expect(harness.sandbox.requests).toEqual([]);
  });

  it('a mutation by GET is refused with 405 even with Authorization, and BigCommerce is not called', async () => {
    // Neither client sends a mutation by GET; a hand-made request does.
    const query = 'mutation Login($input: LoginInput!) { login(input: $input) { token { value } } }';
    const url = `${harness.url}?${new URLSearchParams({ query, variables: JSON.stringify(credentials) })}`;

    const response = await fetch(url, { headers: { authorization: 'Bearer anything', accept: 'application/graphql-response+json' } });

    expect({ status: response.status, allow: response.headers.get('allow'), body: await response.json() }).toEqual({
      status: 405,
      allow: 'POST',
      body: { errors: [{ message: 'Can only perform a mutation operation from a POST request.', extensions: { code: 'BAD_REQUEST', requestId: expect.any(String) } }] },
    });
    expect(harness.sandbox.requests).toEqual([]);
  });

  it('answers a refused token with UNAUTHENTICATED and no WWW-Authenticate, so a browser never holds credentials it would send by itself', async () => {
    const { sent, fetch } = recordingFetch();
    const client = new Client({
      url: harness.url,
      exchanges: [fetchExchange],
      preferGetMethod: 'force',
      fetch,
      fetchOptions: { headers: { authorization: 'Bearer not-a-token' } },
    });

    const result = await client.query(ViewerDocument, {}).toPromise();

    expect(result.error?.graphQLErrors.map(({ message, extensions }) => ({ message, code: extensions['code'] }))).toEqual([
      { message: 'Invalid or expired token.', code: 'UNAUTHENTICATED' },
    ]);
    expect(sent).toEqual([{ method: 'GET', params: ['query', 'operationName', 'variables'], hash: undefined, status: 200, challenge: null }]);
  });

  it('answers a missing token and a wrong password without WWW-Authenticate too', async () => {
    const noToken = await fetch(`${harness.url}?query=${encodeURIComponent('{ viewer { id } }')}`, { headers: { 'x-graphql-yoga-csrf': '1' } });
    const wrongPassword = await harness.graphql('mutation($input: LoginInput!) { login(input: $input) { token { value } } }', {
      input: { ...credentials.input, password: 'wrong password' },
    });

    expect([noToken.headers.get('www-authenticate'), wrongPassword.headers.get('www-authenticate')]).toEqual([null, null]);
    expect([((await noToken.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]?.extensions.code, wrongPassword.body.errors?.[0]?.extensions?.['code']]).toEqual([
      'UNAUTHENTICATED',
      'UNAUTHENTICATED',
    ]);
  });
});

describe('the only WWW-Authenticate the gateway sends (production)', () => {
  const harness = useHarness({ env: { NODE_ENV: 'production' } });

  it("is /metrics' Bearer challenge, a scheme for which browsers keep no credentials to send unasked", async () => {
    const response = await fetch(new URL('/metrics', harness.url));

    expect({ status: response.status, challenge: response.headers.get('www-authenticate') }).toEqual({ status: 401, challenge: 'Bearer realm="metrics"' });
  });
});

describe('GET queries by hash with GATEWAY_PERSISTED_DOCUMENTS (the example client manifest)', () => {
  const harness = useHarness({ env: { GATEWAY_PERSISTED_DOCUMENTS: MANIFEST_PATH } });

  it("urql's persisted exchange logs in by hash (POST), then runs viewer and session by hash as GETs with the buyer's Authorization", async () => {
    const { sent, fetch } = recordingFetch();
    const exchanges = [persistedExchange({ enableForMutation: true }), fetchExchange];
    const login = await new Client({ url: harness.url, exchanges, fetch }).mutation(LoginDocument, credentials).toPromise();
    const token = login.data?.login.token.value ?? '';
    const client = new Client({ url: harness.url, exchanges, fetch, fetchOptions: { headers: { authorization: `Bearer ${token}` } } });

    const viewer = await client.query(ViewerDocument, {}).toPromise();
    const session = await client.query(SessionDocument, {}).toPromise();

    expect({ data: viewer.data, error: viewer.error }).toEqual({ data: { viewer: DEMO_VIEWER }, error: undefined });
    expect({ data: session.data, error: session.error }).toEqual({ data: { session: demoSession(login.data?.login.token.expiresAt) }, error: undefined });
    // urql hashes the document codegen generated: the manifest's hash, no `generateHash` needed.
    expect(sent).toEqual([
      { method: 'POST', params: [], hash: hashOf('Login'), status: 200, challenge: null },
      { method: 'GET', params: ['operationName', 'variables', 'extensions'], hash: hashOf('Viewer'), status: 200, challenge: null },
      { method: 'GET', params: ['operationName', 'variables', 'extensions'], hash: hashOf('Session'), status: 200, challenge: null },
    ]);
  });

  it("urql's persisted exchange reads an unknown hash as PersistedQueryNotFound and resends the document, which an untrusted caller may not send", async () => {
    const { sent, fetch } = recordingFetch();
    const client = new Client({ url: harness.url, exchanges: [persistedExchange(), fetchExchange], fetch, fetchOptions: { headers: { authorization: 'Bearer x' } } });

    const result = await client.query(UNLISTED, {}).toPromise();

    expect(result.error?.graphQLErrors.map(({ extensions }) => extensions['code'])).toEqual(['PERSISTED_QUERY_ONLY']);
    expect(sent.map(({ method, params, status }) => [method, params.includes('query'), status])).toEqual([
      ['GET', false, 400],
      ['GET', true, 400],
    ]);
  });

  it('with enforcePersistedQueries, urql reports the unknown hash itself: PERSISTED_QUERY_NOT_FOUND', async () => {
    const { sent, fetch } = recordingFetch();
    const client = new Client({
      url: harness.url,
      exchanges: [persistedExchange({ enforcePersistedQueries: true }), fetchExchange],
      fetch,
      fetchOptions: { headers: { authorization: 'Bearer x' } },
    });

    const result = await client.query(UNLISTED, {}).toPromise();

    expect(result.error?.graphQLErrors.map(({ message, extensions }) => ({ message, code: extensions['code'] }))).toEqual([
      { message: 'PersistedQueryNotFound', code: 'PERSISTED_QUERY_NOT_FOUND' },
    ]);
    expect(sent.map(({ method, status }) => [method, status])).toEqual([['GET', 400]]);
  });

  /** Apollo Client hashes its own printed document (with `__typename` added): it names the manifest's hash by operation name instead. */
  const manifestHash = (document: DocumentNode) => hashOf(getOperationAST(document)?.name?.value ?? '');

  function apollo(fetch: typeof globalThis.fetch, headers: Record<string, string> = {}) {
    return new ApolloClient({
      cache: new InMemoryCache(),
      link: ApolloLink.from([new PersistedQueryLink({ generateHash: manifestHash, useGETForHashedQueries: true }), new HttpLink({ uri: harness.url, fetch, headers })]),
    });
  }

  it("Apollo Client's persisted-queries link with useGETForHashedQueries logs in by hash (POST) and runs viewer and session by hash as GETs", async () => {
    const { sent, fetch } = recordingFetch();
    const login = await apollo(fetch).mutate({ mutation: LoginDocument, variables: credentials });
    const token = login.data?.login.token.value ?? '';

    const signedIn = apollo(fetch, { authorization: `Bearer ${token}` });
    const viewer = await signedIn.query({ query: ViewerDocument });
    const session = await signedIn.query({ query: SessionDocument });

    expect(viewer.data).toEqual({ viewer: DEMO_VIEWER });
    expect(session.data).toEqual({ session: demoSession(login.data?.login.token.expiresAt) });
    expect(sent).toEqual([
      { method: 'POST', params: [], hash: hashOf('Login'), status: 200, challenge: null },
      { method: 'GET', params: ['operationName', 'variables', 'extensions'], hash: hashOf('Viewer'), status: 200, challenge: null },
      { method: 'GET', params: ['operationName', 'variables', 'extensions'], hash: hashOf('Session'), status: 200, challenge: null },
    ]);
  });

  it("Apollo Client's link reads an unknown hash as not found and resends the document by POST, which an untrusted caller may not send", async () => {
    const { sent, fetch } = recordingFetch();
    const client = new ApolloClient({
      cache: new InMemoryCache(),
      link: ApolloLink.from([
        new PersistedQueryLink({ sha256: (text) => createHash('sha256').update(text).digest('hex'), useGETForHashedQueries: true }),
        new HttpLink({ uri: harness.url, fetch, headers: { authorization: 'Bearer x' } }),
      ]),
    });

    const failure = await client.query({ query: UNLISTED }).catch((error: unknown) => error);

    expect((failure as { errors?: Array<{ extensions?: { code?: string } }> }).errors?.map(({ extensions }) => extensions?.code)).toEqual(['PERSISTED_QUERY_ONLY']);
    expect(sent.map(({ method, params, status }) => [method, params.includes('query'), status])).toEqual([
      ['GET', false, 400],
      ['POST', false, 400],
    ]);
  });
});
