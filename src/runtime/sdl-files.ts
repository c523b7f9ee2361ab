// The SDL files the gateway and the sandbox read at run time, located from the tree the code runs
// from: the repository (tsx runs `src/`), a build (`dist/`, holding `src/` and `schema/`) or the
// bundled command (`dist/command/`, the same two folders). Unbundled this module sits one folder
// below `src/`; bundled it is part of a chunk directly in `dist/command/src/`. So the tree is
// found by the name of the `src/` folder, not by a number of levels up.

/** The tree a module runs from: the folder holding the last `src/` of its URL. */
export function treeOf(moduleUrl: string): URL {
  const url = new URL(moduleUrl);
  return new URL(url.pathname.slice(0, url.pathname.lastIndexOf('/src/') + 1), url);
}

const TREE = treeOf(import.meta.url);

/** The folder of the public SDL files, `schema/*.graphql`. */
export const SCHEMA_DIR = new URL('schema/', TREE);

/** The B2B GraphQL Storefront API's SDL excerpt, which the sandbox serves. */
export const UPSTREAM_SCHEMA_URL = new URL('src/upstream/b2b-graphql/upstream-schema.graphql', TREE);
