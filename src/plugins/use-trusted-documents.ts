import { defaultExtractPersistedOperationId, usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import { createGraphQLError, type GraphQLParams, type Plugin } from 'graphql-yoga';
import type { PersistedDocuments } from '../config/persisted-documents.js';

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
  /**
   * The hash is not in the manifest. The message is the bare word APQ clients look for: urql's
   * persisted exchange compares it exactly, Apollo Client's link reads it or this code.
   */
  PERSISTED_QUERY_NOT_FOUND: 'PersistedQueryNotFound',
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
