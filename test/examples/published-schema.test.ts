import { readFileSync } from 'node:fs';
import { buildClientSchema, buildSchema, getIntrospectionQuery, type IntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PUBLISHED_SCHEMA, publicSdl } from '../../scripts/print-schema.js';
import { startHarness, type Harness } from '../harness.js';

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness();
});
afterAll(() => harness.close());

const published = readFileSync(PUBLISHED_SCHEMA, 'utf8');
const sdl = published.replace(/^(#.*\n)+\n/, '');

describe('schema/published/schema.graphql, the schema clients generate code from', () => {
  it('is what the running gateway answers to introspection, minus the federation router\'s fields', async () => {
    const reply = await harness.graphql(getIntrospectionQuery({ specifiedByUrl: true, inputValueDeprecation: true, oneOf: true }));

    expect(reply.body.errors).toBeUndefined();
    expect(publicSdl(buildClientSchema(reply.body.data as unknown as IntrospectionQuery))).toBe(sdl);
  });

  it('keeps the public API (viewer, @oneOf, the ErrorCode documentation enum) and no federation internals', () => {
    const schema = buildSchema(sdl);

    expect(Object.keys(schema.getQueryType()?.getFields() ?? {})).toEqual(expect.arrayContaining(['viewer', 'tokenInfo']));
    expect(schema.getType('ErrorCode')).toBeDefined();
    expect(sdl).toContain('input IssueStorefrontTokenInput @oneOf {');
    expect(sdl).not.toMatch(/\b_service\b|\b_entities\b|\b_Any\b|\b_Entity\b|\blink__|\bfederation__|directive @(key|link)\b/);
  });
});
