import { readFileSync } from 'node:fs';
import { buildSchema, isEnumType, isInputObjectType, isInterfaceType, isObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';

// The published, client-facing schema (npm run schema:print): what GraphiQL and clients see.
const schema = buildSchema(readFileSync(new URL('../schema/published/schema.graphql', import.meta.url), 'utf8'));

/** Every public type, field, argument, input field and enum value without a description. */
function undescribed(): string[] {
  const missing: string[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__') || ['String', 'Int', 'Float', 'Boolean', 'ID'].includes(type.name)) continue;
    const isRoot = ['Query', 'Mutation'].includes(type.name);
    if (!type.description && !isRoot) missing.push(type.name);
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        if (!field.description) missing.push(`${type.name}.${field.name}`);
        for (const arg of field.args) if (!arg.description) missing.push(`${type.name}.${field.name}(${arg.name})`);
      }
    } else if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) if (!field.description) missing.push(`${type.name}.${field.name}`);
    } else if (isEnumType(type)) {
      for (const value of type.getValues()) if (!value.description) missing.push(`${type.name}.${value.name}`);
    }
  }
  return missing;
}

describe('the public schema', () => {
  it('describes every type, field, argument and enum value, for GraphiQL and clients', () => {
    expect(undescribed()).toEqual([]);
  });

  it('keeps the contract of the core operations', () => {
    const mutation = schema.getMutationType()?.getFields() ?? {};
    expect(Object.keys(mutation)).toEqual(expect.arrayContaining(['login', 'authorization', 'issueStorefrontToken']));
    expect(String(mutation['login']?.type)).toBe('LoginPayload!');
    expect(String(mutation['issueStorefrontToken']?.args[0]?.type)).toBe('IssueStorefrontTokenInput!');
    expect(schema.getQueryType()?.getFields()['tokenInfo']).toBeDefined();
  });
});
