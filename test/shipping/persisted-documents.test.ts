import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildManifest, MANIFEST, sha256 } from '../../scripts/persisted-manifest.js';
import { ConfigError, loadConfig } from '../../src/config/environment.js';
import { DEMO_BUYER } from '../../src/sandbox/index.js';
import { type Harness, startHarness, TRUSTED_KEY, useHarness } from '../harness.js';
import { postGraphQL } from './support.js';

const MANIFEST_PATH = fileURLToPath(MANIFEST);
const manifest = JSON.parse(readFileSync(MANIFEST_PATH, 'utf8')) as Record<string, string>;
/** The example client's operations by name, with the hash a client sends. */
const hashOf = (operation: string) => {
  const entry = Object.entries(manifest).find(([, document]) => document.includes(`${operation}`));
  if (entry === undefined) throw new Error(`${operation} is not in ${MANIFEST_PATH}`);
  return entry[0];
};
const LOGIN_HASH = hashOf('mutation Login(');
const VIEWER_HASH = hashOf('query Viewer ');

const credentials = { input: { email: DEMO_BUYER.email, password: DEMO_BUYER.password } };
const persisted = (sha256Hash: string) => ({ persistedQuery: { version: 1, sha256Hash } });
const JWT = /^[\w-]+\.[\w-]+\.[\w-]+$/;

// Every error carries the request's id (`extensions.requestId`), these too.
const refusal = (code: string, message: string) => ({ status: 400, body: { errors: [{ message, extensions: { code, requestId: expect.any(String) } }] } });
const PERSISTED_QUERY_ONLY = refusal(
  'PERSISTED_QUERY_ONLY',
  "Only persisted operations are accepted: send the operation's hash in extensions.persistedQuery.sha256Hash (or documentId), not its document.",
);

describe('with GATEWAY_PERSISTED_DOCUMENTS (the example client manifest)', () => {
  const harness = useHarness({ env: { GATEWAY_PERSISTED_DOCUMENTS: MANIFEST_PATH } });

  it('an untrusted caller runs a listed operation by its sha256Hash (APQ extensions)', async () => {
    const reply = await postGraphQL(harness.url, { extensions: persisted(LOGIN_HASH), variables: credentials });

    expect(reply).toEqual({ status: 200, body: { data: { login: { token: { value: expect.stringMatching(JWT), expiresAt: expect.any(String) } } } } });
  });

  it('an untrusted caller runs a listed operation by documentId, bare or sha256:-prefixed', async () => {
    for (const documentId of [LOGIN_HASH, `sha256:${LOGIN_HASH}`]) {
      const reply = await postGraphQL(harness.url, { documentId, variables: credentials });

      expect(reply.status).toBe(200);
      expect(reply.body.data).toEqual({ login: { token: { value: expect.stringMatching(JWT), expiresAt: expect.any(String) } } });
    }
  });

  it('a listed query runs by hash over GET too, with its own headers', async () => {
    const login = await postGraphQL(harness.url, { extensions: persisted(LOGIN_HASH), variables: credentials });
    const token = (login.body.data as { login: { token: { value: string } } }).login.token.value;

    const url = `${harness.url}?extensions=${encodeURIComponent(JSON.stringify(persisted(VIEWER_HASH)))}`;
    const reply = await fetch(url, { headers: { authorization: `Bearer ${token}`, 'x-graphql-yoga-csrf': '1', accept: 'application/graphql-response+json' } });

    expect(reply.status).toBe(200);
    expect(await reply.json()).toMatchObject({ data: { viewer: { email: DEMO_BUYER.email } } });
  });

  it('an untrusted caller sending a document, even a listed one, gets 400 PERSISTED_QUERY_ONLY and BigCommerce is not called', async () => {
    for (const query of ['{ __typename }', manifest[LOGIN_HASH] ?? '']) {
      const reply = await postGraphQL(harness.url, { query, variables: credentials });

      expect(reply).toEqual(PERSISTED_QUERY_ONLY);
    }
    expect(harness.sandbox.requests).toEqual([]);
  });

  it('an invalid X-Gateway-Key is untrusted: PERSISTED_QUERY_ONLY', async () => {
    const reply = await postGraphQL(harness.url, { query: '{ __typename }' }, { 'x-gateway-key': 'not-the-key-0123456789' });

    expect(reply).toEqual(PERSISTED_QUERY_ONLY);
  });

  it('an unlisted hash answers 400 PERSISTED_QUERY_NOT_FOUND (which APQ clients understand)', async () => {
    const reply = await postGraphQL(harness.url, { extensions: persisted(sha256('{ __typename }')) });

    expect(reply).toEqual(refusal('PERSISTED_QUERY_NOT_FOUND', 'PersistedQueryNotFound'));
  });

  it('neither a document nor a hash answers 400 PERSISTED_QUERY_ID_REQUIRED', async () => {
    const reply = await postGraphQL(harness.url, { variables: credentials });

    expect(reply).toEqual(refusal('PERSISTED_QUERY_ID_REQUIRED', 'Send a persisted operation hash in extensions.persistedQuery.sha256Hash (or documentId).'));
  });

  it('a trusted caller (X-Gateway-Key) runs any document', async () => {
    const reply = await postGraphQL(
      harness.url,
      { query: 'mutation Mine($input: LoginInput!) { login(input: $input) { token { via } } }', variables: credentials },
      { 'x-gateway-key': TRUSTED_KEY },
    );

    expect(reply).toEqual({ status: 200, body: { data: { login: { token: { via: 'GRAPHQL_LOGIN' } } } } });
  });

  it('GraphiQL still opens, with X-Gateway-Key in every tab; its schema query runs for trusted callers only', async () => {
    const page = await fetch(harness.url, { headers: { accept: 'text/html' } });
    const html = await page.text();

    expect(page.status).toBe(200);
    expect(html).toContain('X-Gateway-Key');
    const introspection = { query: '{ __schema { queryType { name } } }' };
    expect(await postGraphQL(harness.url, introspection)).toEqual(PERSISTED_QUERY_ONLY);
    expect(await postGraphQL(harness.url, introspection, { 'x-gateway-key': TRUSTED_KEY })).toEqual({
      status: 200,
      body: { data: { __schema: { queryType: { name: 'Query' } } } },
    });
  });
});

describe('without GATEWAY_PERSISTED_DOCUMENTS', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(() => harness.close());

  it('any caller runs any document, as before', async () => {
    const reply = await postGraphQL(harness.url, { query: 'mutation Mine($input: LoginInput!) { login(input: $input) { token { via } } }', variables: credentials });

    expect(reply).toEqual({ status: 200, body: { data: { login: { token: { via: 'GRAPHQL_LOGIN' } } } } });
  });
});

describe('GATEWAY_PERSISTED_DOCUMENTS at start-up', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'persisted-documents-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** The problems `loadConfig` reports for a manifest holding `text`. */
  function problemsFor(text: string | undefined): string[] {
    const path = join(dir, `manifest-${Math.random().toString(36).slice(2)}.json`);
    if (text !== undefined) writeFileSync(path, text);
    try {
      loadConfig({ GATEWAY_PERSISTED_DOCUMENTS: path });
    } catch (error) {
      if (error instanceof ConfigError) return error.problems.map((problem) => problem.replace(path, '<path>'));
      throw error;
    }
    return [];
  }

  it('reads the manifest into the configuration once', () => {
    const config = loadConfig({ GATEWAY_PERSISTED_DOCUMENTS: MANIFEST_PATH });

    expect(config.persistedDocuments).toEqual(new Map(Object.entries(manifest)));
  });

  it.each([
    { problem: 'a missing file', text: undefined, lines: ['GATEWAY_PERSISTED_DOCUMENTS: <path> does not exist'] },
    { problem: 'an empty file', text: '', lines: ['GATEWAY_PERSISTED_DOCUMENTS: <path> is empty'] },
    { problem: 'text that is not JSON', text: '{ "abc": ', lines: ['GATEWAY_PERSISTED_DOCUMENTS: <path>: is not valid JSON'] },
    {
      problem: 'an array (Apollo-style operation list)',
      text: '[{ "id": "abc", "body": "{ __typename }" }]',
      lines: ['GATEWAY_PERSISTED_DOCUMENTS: <path>: must be a JSON object mapping operation hashes to documents'],
    },
    { problem: 'an empty object', text: '{}', lines: ['GATEWAY_PERSISTED_DOCUMENTS: <path>: lists no documents'] },
    {
      problem: 'entries that are not documents',
      text: JSON.stringify({ abc: 42, def: 'query {', 'with space': '{ a }', ghi: 'fragment F on Query { a }' }),
      lines: [
        'GATEWAY_PERSISTED_DOCUMENTS: <path>: entry "abc" is not a string holding a GraphQL document',
        'GATEWAY_PERSISTED_DOCUMENTS: <path>: entry "def" does not parse: Syntax Error: Expected Name, found <EOF>.',
        'GATEWAY_PERSISTED_DOCUMENTS: <path>: key "with space" is not a hash (letters, digits, "_", ":", ".", "-")',
        'GATEWAY_PERSISTED_DOCUMENTS: <path>: entry "ghi" holds no operation',
      ],
    },
  ])('$problem is a start-up configuration error', ({ text, lines }) => {
    expect(problemsFor(text)).toEqual(lines);
  });
});

describe('examples/client/persisted-documents.json', () => {
  it('is what `npm run persisted:manifest` writes from examples/client/operations (run it after changing them)', () => {
    expect(manifest).toEqual(buildManifest());
    for (const [hash, document] of Object.entries(manifest)) expect(sha256(document)).toBe(hash);
  });
});
