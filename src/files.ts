// Files the gateway reads at run time, located from this module. It sits at the depth of `src/`,
// as do the bundled command's chunks (`dist/command/src/`, with `schema/` and the upstream SDL
// copied beside them), so the same relative paths hold for `src/`, `dist/src/` and the bundle.

/** The folder of the public SDL files, `schema/*.graphql`. */
export const SCHEMA_DIR = new URL('../schema/', import.meta.url);

/** The B2B GraphQL Storefront API's SDL excerpt, which the sandbox serves. */
export const UPSTREAM_SCHEMA_URL = new URL('./upstream/b2b-graphql/upstream-schema.graphql', import.meta.url);
