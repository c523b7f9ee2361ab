import { GraphQLError, Kind, parse } from 'graphql';
import { readConfigFile } from './secret-files.js';

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

/**
 * The manifest `GATEWAY_PERSISTED_DOCUMENTS` names, read once at start-up; the plugin
 * `useTrustedDocuments` serves it. Problems name the variable and the path, never a document.
 */
export function readPersistedDocuments(path: string | undefined): { documents?: PersistedDocuments; problems: string[] } {
  const trimmed = path?.trim();
  if (trimmed === undefined || trimmed === '') return { problems: [] };
  const file = readConfigFile(trimmed);
  if (!file.ok) return { problems: [`GATEWAY_PERSISTED_DOCUMENTS: ${trimmed} ${file.reason}`] };
  const manifest = parsePersistedDocuments(file.value);
  if (!manifest.ok) return { problems: manifest.problems.map((problem) => `GATEWAY_PERSISTED_DOCUMENTS: ${trimmed}: ${problem}`) };
  return { documents: manifest.documents, problems: [] };
}
