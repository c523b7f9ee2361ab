import { defaultExtractPersistedOperationId, usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import { GraphQLError, Kind, parse } from 'graphql';
import { createGraphQLError, type GraphQLParams, type Plugin } from 'graphql-yoga';

/**
 * The trusted documents: operation hash → GraphQL document, the JSON object GraphQL Code
 * Generator's client preset writes with `persistedDocuments` (`persisted-documents.json`), or
 * `npm run persisted:manifest` for the example client.
 */
export type PersistedDocuments = ReadonlyMap<string, string>;

/** What {@link parsePersistedDocuments} found: the documents, or every problem. */
export type ParsedPersistedDocuments = { ok: true; documents: PersistedDocuments } | { ok: false; problems: string[] };

// A hash or id as clients send it: hex digests, `sha256:<hex>`, or any short token without spaces.
const KEY_PATTERN = /^[\w:.-]{1,200}$/;

/**
 * Reads a manifest's text. Every entry must be a document that parses and holds at least one
 * operation; a manifest with no entries is refused too, since it would lock every untrusted
 * caller out. Problems name entries by their key, never quote a whole document.
 */
export function parsePersistedDocuments(text: string): ParsedPersistedDocuments {
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch {
    return { ok: false, problems: ['is not valid JSON'] };
  }
  if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest)) {
    return { ok: false, problems: ['must be a JSON object mapping operation hashes to documents'] };
  }
  const entries = Object.entries(manifest);
  if (entries.length === 0) return { ok: false, problems: ['lists no documents'] };
  const documents = new Map<string, string>();
  const problems: string[] = [];
  for (const [key, document] of entries) {
    const shownKey = JSON.stringify(key.length > 80 ? `${key.slice(0, 80)}…` : key);
    if (!KEY_PATTERN.test(key)) {
      problems.push(`key ${shownKey} is not a hash (letters, digits, "_", ":", ".", "-")`);
      continue;
    }
    if (typeof document !== 'string') {
      problems.push(`entry ${shownKey} is not a string holding a GraphQL document`);
      continue;
    }
    const parseProblem = operationProblem(document);
    if (parseProblem !== undefined) {
      problems.push(`entry ${shownKey} ${parseProblem}`);
      continue;
    }
    documents.set(key, document);
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, documents };
}

function operationProblem(document: string): string | undefined {
  try {
    const parsed = parse(document, { noLocation: true });
    if (!parsed.definitions.some((definition) => definition.kind === Kind.OPERATION_DEFINITION)) return 'holds no operation';
    return undefined;
  } catch (error) {
    return `does not parse: ${error instanceof GraphQLError ? error.message : String(error)}`;
  }
}

/** What {@link useTrustedDocuments} needs. */
export interface TrustedDocumentsSetup {
  /** The manifest (`GATEWAY_PERSISTED_DOCUMENTS`). */
  documents: PersistedDocuments;
  /** The request comes from a trusted caller (a valid `X-Gateway-Key`), who may send any document. */
  isTrustedRequest: (request: Request) => boolean;
}

/** The stable codes of the errors {@link useTrustedDocuments} answers, all with HTTP 400. */
export const PERSISTED_DOCUMENT_ERRORS = {
  /** An untrusted caller sent a document (`query`) instead of a hash. */
  PERSISTED_QUERY_ONLY: 'Only persisted operations are accepted: send the operation\'s hash in extensions.persistedQuery.sha256Hash (or documentId), not its document.',
  /** The hash is not in the manifest. Apollo Client's persisted-queries link reads this code. */
  PERSISTED_QUERY_NOT_FOUND: 'PersistedQueryNotFound: no persisted operation has this hash.',
  /** Neither a document nor a hash. */
  PERSISTED_QUERY_ID_REQUIRED: 'Send a persisted operation hash in extensions.persistedQuery.sha256Hash (or documentId).',
} as const;

const requestError = (code: keyof typeof PERSISTED_DOCUMENT_ERRORS) => () =>
  createGraphQLError(PERSISTED_DOCUMENT_ERRORS[code], { extensions: { code, http: { status: 400 } } });

/**
 * Trusted documents (a persisted-operations allow-list): an untrusted caller may run only the
 * manifest's operations, named by hash, either the APQ way
 * (`extensions: { persistedQuery: { version: 1, sha256Hash } }`) or as the GraphQL-over-HTTP
 * persisted-documents proposal does (`documentId`, bare or `sha256:`-prefixed; in a JSON POST
 * body only, since Yoga's GET parser keeps just the four standard parameters). A trusted caller
 * may also send any document, as without a manifest.
 *
 * Built on Yoga's `usePersistedOperations`. The hash only looks a document up: a manifest entry
 * is trusted because it is in the file, not because it hashes to its key.
 */
export function useTrustedDocuments(setup: TrustedDocumentsSetup): Plugin {
  const { documents, isTrustedRequest } = setup;
  return usePersistedOperations({
    // `sha256:<hex>` (documentId) finds the entry keyed `<hex>` too, as codegen writes bare hashes.
    getPersistedOperation: (key) => documents.get(key) ?? documents.get(key.replace(/^sha256:/, '')) ?? null,
    allowArbitraryOperations: (request) => isTrustedRequest(request),
    extractPersistedOperationId: (params, request, context) => {
      const documentId = (params as GraphQLParams & { documentId?: unknown }).documentId;
      if (typeof documentId === 'string') return documentId;
      return defaultExtractPersistedOperationId(params, request, context);
    },
    customErrors: {
      persistedQueryOnly: requestError('PERSISTED_QUERY_ONLY'),
      notFound: requestError('PERSISTED_QUERY_NOT_FOUND'),
      keyNotFound: requestError('PERSISTED_QUERY_ID_REQUIRED'),
    },
  });
}
