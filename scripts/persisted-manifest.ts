// Writes the example client's trusted-documents manifest, `examples/client/persisted-documents.json`:
//
//   tsx scripts/persisted-manifest.ts           write the file
//   tsx scripts/persisted-manifest.ts --check   exit 1 when the file is not what would be written
//
// One entry per operation file of `examples/client/operations/`: the key is the SHA-256 (hex) of
// the printed document, the value that document, the shape GraphQL Code Generator's client preset
// writes with `persistedDocuments: { hashAlgorithm: 'sha256' }`. Point
// `GATEWAY_PERSISTED_DOCUMENTS` at the file, and the client sends
// `extensions: { persistedQuery: { version: 1, sha256Hash } }` instead of the document.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { argv } from 'node:process';
import { fileURLToPath } from 'node:url';
import { writeOrCheck } from './generated-file.js';
import { Kind, parse, print } from 'graphql';

/** The example client's operations. */
export const OPERATIONS_DIR = new URL('../examples/client/operations/', import.meta.url);

/** Where the manifest goes. */
export const MANIFEST = new URL('../examples/client/persisted-documents.json', import.meta.url);

/** The SHA-256 a client sends for `document`: hex, of the exact text the manifest holds. */
export const sha256 = (document: string) => createHash('sha256').update(document).digest('hex');

/** Hash → printed document for each `.graphql` file of `dir`, in file-name order; one operation per file. */
export function buildManifest(dir: URL = OPERATIONS_DIR): Record<string, string> {
  const manifest: Record<string, string> = {};
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.graphql')).sort()) {
    const parsed = parse(readFileSync(new URL(file, dir), 'utf8'), { noLocation: true });
    const operations = parsed.definitions.filter((definition) => definition.kind === Kind.OPERATION_DEFINITION);
    if (operations.length !== 1) throw new Error(`${file}: expected one operation, found ${operations.length}`);
    const document = print(parsed);
    manifest[sha256(document)] = document;
  }
  return manifest;
}

function main(): void {
  writeOrCheck(MANIFEST, `${JSON.stringify(buildManifest(), null, 2)}\n`, '`npm run persisted:manifest`');
}

if (argv[1] !== undefined && resolve(argv[1]) === fileURLToPath(import.meta.url)) main();
