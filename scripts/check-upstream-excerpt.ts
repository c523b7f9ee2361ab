// Checks the project's excerpt of the B2B GraphQL schema (src/upstream/b2b-graphql/upstream-schema.graphql)
// against BigCommerce's published schema, which is not part of this repository: it ships in
// bigcommerce/b2b-buyer-portal as `rfc/graphql-schema/b2b-full-schema.graphql`. Every type,
// field, argument and input field of the excerpt must be typed there exactly as here.
//
//   tsx scripts/check-upstream-excerpt.ts path/to/b2b-full-schema.graphql
import { readFileSync } from 'node:fs';
import { argv, exit, stderr, stdout } from 'node:process';
import { pathToFileURL } from 'node:url';
import {
  buildSchema,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isIntrospectionType,
  isNonNullType,
  isObjectType,
  isScalarType,
  isSpecifiedScalarType,
  isUnionType,
  type GraphQLArgument,
  type GraphQLInputField,
  type GraphQLNamedType,
  type GraphQLSchema,
} from 'graphql';

export const EXCERPT_URL = new URL('../src/upstream/b2b-graphql/upstream-schema.graphql', import.meta.url);

/** The type of `theirs` that a type of `mine` stands for: root types by role, the others by name. */
function counterpart(mine: GraphQLSchema, theirs: GraphQLSchema, type: GraphQLNamedType): GraphQLNamedType | undefined {
  if (type === mine.getQueryType()) return theirs.getQueryType() ?? undefined;
  if (type === mine.getMutationType()) return theirs.getMutationType() ?? undefined;
  return theirs.getType(type.name);
}

const kindOf = (type: GraphQLNamedType) =>
  isObjectType(type) ? 'object' : isInterfaceType(type) ? 'interface' : isInputObjectType(type) ? 'input' : isEnumType(type) ? 'enum' : isUnionType(type) ? 'union' : 'scalar';

const isRequired = (input: GraphQLArgument | GraphQLInputField) => isNonNullType(input.type) && input.defaultValue === undefined;

/** Inputs (arguments or input fields) of one place, compared: same type string and default; none the published one requires left out. */
function compareInputs(where: string, mine: readonly (GraphQLArgument | GraphQLInputField)[], theirs: readonly (GraphQLArgument | GraphQLInputField)[]): string[] {
  const out: string[] = [];
  for (const input of mine) {
    const other = theirs.find((candidate) => candidate.name === input.name);
    if (other === undefined) out.push(`${where}.${input.name}: not in the published schema`);
    else if (String(input.type) !== String(other.type)) out.push(`${where}.${input.name}: ${String(input.type)} here, ${String(other.type)} published`);
    else if (JSON.stringify(input.defaultValue) !== JSON.stringify(other.defaultValue)) {
      out.push(`${where}.${input.name}: default ${JSON.stringify(input.defaultValue)} here, ${JSON.stringify(other.defaultValue)} published`);
    }
  }
  for (const other of theirs) {
    if (isRequired(other) && !mine.some((input) => input.name === other.name)) out.push(`${where}.${other.name}: required by the published schema, missing here`);
  }
  return out;
}

/** Where an excerpt and the published schema disagree; empty when every type, field, argument and input field agrees. */
export function excerptMismatches(mine: GraphQLSchema, theirs: GraphQLSchema): string[] {
  const out: string[] = [];
  for (const type of Object.values(mine.getTypeMap())) {
    if (isIntrospectionType(type) || isSpecifiedScalarType(type)) continue;
    const other = counterpart(mine, theirs, type);
    if (other === undefined) {
      out.push(`${type.name}: not in the published schema`);
      continue;
    }
    if (kindOf(type) !== kindOf(other)) {
      out.push(`${type.name}: ${kindOf(type)} here, ${kindOf(other)} published`);
      continue;
    }
    if ((isObjectType(type) || isInterfaceType(type)) && (isObjectType(other) || isInterfaceType(other))) {
      const theirInterfaces = other.getInterfaces().map((item) => item.name);
      for (const item of type.getInterfaces()) if (!theirInterfaces.includes(item.name)) out.push(`${type.name}: implements ${item.name} here only`);
      const theirFields = other.getFields();
      for (const field of Object.values(type.getFields())) {
        const theirField = theirFields[field.name];
        if (theirField === undefined) out.push(`${type.name}.${field.name}: not in the published schema`);
        else {
          if (String(field.type) !== String(theirField.type)) out.push(`${type.name}.${field.name}: ${String(field.type)} here, ${String(theirField.type)} published`);
          out.push(...compareInputs(`${type.name}.${field.name}`, field.args, theirField.args));
        }
      }
    } else if (isInputObjectType(type) && isInputObjectType(other)) {
      out.push(...compareInputs(type.name, Object.values(type.getFields()), Object.values(other.getFields())));
    } else if (isEnumType(type) && isEnumType(other)) {
      for (const value of type.getValues()) if (other.getValue(value.name) === undefined) out.push(`${type.name}.${value.name}: not in the published schema`);
    } else if (isUnionType(type) && isUnionType(other)) {
      const members = other.getTypes().map((member) => member.name);
      for (const member of type.getTypes()) if (!members.includes(member.name)) out.push(`${type.name}: ${member.name} is not a published member`);
    } else if (!isScalarType(type)) {
      out.push(`${type.name}: cannot compare a ${kindOf(type)}`);
    }
  }
  return out;
}


if (import.meta.url === pathToFileURL(argv[1] ?? '').href) {
  const [path] = argv.slice(2);
  if (path === undefined) {
    stderr.write('usage: tsx scripts/check-upstream-excerpt.ts <b2b-full-schema.graphql>\n');
    exit(2);
  }
  const mismatches = excerptMismatches(buildSchema(readFileSync(EXCERPT_URL, 'utf8')), buildSchema(readFileSync(path, 'utf8')));
  for (const line of mismatches) stdout.write(`${line}\n`);
  stdout.write(mismatches.length === 0 ? 'the excerpt agrees with the published schema\n' : `${mismatches.length} mismatch(es)\n`);
  exit(mismatches.length === 0 ? 0 : 1);
}
