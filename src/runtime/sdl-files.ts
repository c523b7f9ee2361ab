// The SDL files the gateway and the sandbox read at run time, located from the tree the code runs
// from: the repository (tsx runs `src/`), a build (`dist/`, holding `src/` and `schema/`) or the
// bundled command (`dist/command/`, the same two folders). Unbundled this module sits one folder
// below `src/`; bundled it is part of a chunk directly in `dist/command/src/`. So the tree is the
// folder holding the last `src/` of this module's own URL, not a fixed number of levels up.
const here = new URL(import.meta.url);
const TREE = new URL(here.pathname.slice(0, here.pathname.lastIndexOf('/src/') + 1), here);

/** The folder of the public SDL files, `schema/*.graphql`. */
export const SCHEMA_DIR = new URL('schema/', TREE);

/** The B2B GraphQL Storefront API's SDL excerpt, which the sandbox serves. */
export const UPSTREAM_SCHEMA_URL = new URL('src/upstream/b2b-graphql/upstream-schema.graphql', TREE);
