import { readdirSync, readFileSync } from 'node:fs';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { type GraphQLSchema, parse } from 'graphql';
import { guardEntities } from './federation/guard-entities.js';
import { SCHEMA_DIR } from './runtime/sdl-files.js';
import { resolvers } from './resolvers/index.js';

type SubgraphResolvers = Extract<Parameters<typeof buildSubgraphSchema>[0], { resolvers?: unknown }>['resolvers'];

/** The public SDL, every `schema/*.graphql` file in name order. */
export function readTypeDefs(): string[] {
  return readdirSync(SCHEMA_DIR)
    .filter((file) => file.endsWith('.graphql'))
    .sort()
    .map((file) => readFileSync(new URL(file, SCHEMA_DIR), 'utf8'));
}

/**
 * The executable public schema, an Apollo Federation v2 subgraph (`_service`, `_entities`):
 * SDL from `schema/`, resolvers from `src/resolvers/`.
 */
export function buildGatewaySchema(): GraphQLSchema {
  const schema = buildSubgraphSchema({
    typeDefs: parse(readTypeDefs().join('\n')),
    // Our resolvers are typed by codegen; @apollo/subgraph's map type is looser, not wider.
    resolvers: resolvers as unknown as SubgraphResolvers,
  });
  return guardEntities(schema);
}
