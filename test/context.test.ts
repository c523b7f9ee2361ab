// The per-request context as Yoga builds it for a request over HTTP, seen from a resolver.
import type { GraphQLFieldResolver } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './harness.js';

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness();
});
afterAll(() => harness.close());

/** The context `Query.tokenInfo`'s resolver receives for one request. */
async function contextOfOneRequest(): Promise<Record<string, unknown>> {
  const field = harness.gateway.yoga.getEnveloped().schema.getQueryType()?.getFields()['tokenInfo'];
  const resolve = field?.resolve;
  if (field === undefined || resolve === undefined) throw new Error('Query.tokenInfo has no resolver');
  let seen: Record<string, unknown> | undefined;
  // A document's first run goes through graphql-js, which calls the field's resolver as it is now.
  const spy: GraphQLFieldResolver<unknown, Record<string, unknown>> = (source, args, context, info) => {
    seen = context;
    return resolve(source, args, context, info);
  };
  field.resolve = spy;
  try {
    const reply = await harness.graphql('query Info($token: String!) { tokenInfo(token: $token) { __typename } }', { token: 'not-a-jwt' });
    expect(reply.body.errors).toBeUndefined();
  } finally {
    field.resolve = resolve;
  }
  if (seen === undefined) throw new Error('the resolver never ran');
  return seen;
}

describe('the context a resolver receives', () => {
  it('holds the per-request values and the four services resolvers use, not the logger, trust check or settings', async () => {
    const context = await contextOfOneRequest();
    expect(context).toMatchObject({ clientAddress: '127.0.0.1', trusted: false });
    const added = ['request', 'params', 'stores', 'upstream', 'credentialLimiter', 'now', 'trusted', 'loaders', 'clientAddress'];
    expect(Object.keys(context)).toEqual(expect.arrayContaining(added));
    // Every request's context is built, and read by every plugin and resolver: services that
    // only build per-request values stay off it (all eight on it cost 4–7 % of a login's CPU).
    for (const service of ['logger', 'isTrustedKey', 'trustedProxyHops', 'entityConcurrency']) {
      expect(context, service).not.toHaveProperty(service);
    }
  });
});
