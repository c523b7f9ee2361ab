// Writes the public, client-facing SDL to `schema/published/schema.graphql`, for client codegen
// and schema registries:
//
//   tsx scripts/print-schema.ts           write the file
//   tsx scripts/print-schema.ts --check   exit 1 when the file is not what would be written
//
// The file is printed from the schema the gateway serves (`buildGatewaySchema()`), not
// concatenated from `schema/*.graphql`, so it is exactly what introspection shows. The gateway is
// also an Apollo Federation subgraph; what only a supergraph router uses (`_service`,
// `_entities`, `_Any`, `link__*`, `federation__*`, `@key`, …) is left out of the client file.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeOrCheck } from './generated-file.js';
import { argv } from 'node:process';
import {
  buildSchema,
  type DefinitionNode,
  type DocumentNode,
  type GraphQLSchema,
  Kind,
  parse,
  print,
  printSchema,
} from 'graphql';
import { buildGatewaySchema } from '../src/schema.js';

/** Where the published SDL goes. */
export const PUBLISHED_SCHEMA = new URL('../schema/published/schema.graphql', import.meta.url);

const HEADER = '# The public GraphQL schema of b2b-auth-gateway, for clients. Generated from schema/*.graphql:\n# do not edit, run `npm run schema:print`. `npm run schema:check` fails when it is stale.\n\n';

/** Directives of the federation and link specs, by their unprefixed (imported) names. */
const FEDERATION_DIRECTIVES = new Set([
  'link',
  'key',
  'requires',
  'provides',
  'external',
  'tag',
  'extends',
  'shareable',
  'inaccessible',
  'override',
  'composeDirective',
  'interfaceObject',
  'authenticated',
  'requiresScopes',
  'policy',
  'context',
  'fromContext',
  'cost',
  'listSize',
]);

// `_Any`, `_Service`, `_Entity`, `_FieldSet` (federation), and spec imports namespaced by the
// link spec: `link__Import`, `federation__FieldSet`, `@federation__requires`, ….
const isFederationName = (name: string): boolean => name.startsWith('_') || /^[A-Za-z][A-Za-z0-9]*__/.test(name);

/** The client-facing SDL of a schema: the schema minus what only a federation router uses. */
export function publicSdl(schema: GraphQLSchema): string {
  const rootNames = new Set([schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].flatMap((type) => (type ? [type.name] : [])));
  const document = parse(printSchema(schema));
  const definitions = document.definitions.flatMap((definition): DefinitionNode[] => {
    if (definition.kind === Kind.DIRECTIVE_DEFINITION) {
      const name = definition.name.value;
      return FEDERATION_DIRECTIVES.has(name) || isFederationName(name) ? [] : [definition];
    }
    if (!('name' in definition) || definition.name === undefined) return [definition];
    if (isFederationName(definition.name.value)) return [];
    if (definition.kind === Kind.OBJECT_TYPE_DEFINITION && rootNames.has(definition.name.value)) {
      return [{ ...definition, fields: definition.fields?.filter((field) => !field.name.value.startsWith('_')) }];
    }
    return [definition];
  });
  const filtered: DocumentNode = { ...document, definitions };
  // `print` indents the blank lines of block strings too; those spaces carry no meaning.
  const sdl = `${print(filtered).replace(/[ \t]+$/gm, '')}\n`;
  // Fails loudly if leaving something out left a dangling reference.
  buildSchema(sdl);
  return sdl;
}

function main(): void {
  writeOrCheck(PUBLISHED_SCHEMA, HEADER + publicSdl(buildGatewaySchema()), '`npm run schema:print` (then `npm run codegen`)');
}

if (argv[1] !== undefined && resolve(argv[1]) === fileURLToPath(import.meta.url)) main();
