import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_USERS } from '../../../src/sandbox/index.js';
import { useHarness, withoutRequestIds } from '../../harness.js';
import { tamperSignature } from '../../support/jwt.js';
import { type Account, bearer, BEGIN_MASQUERADE, END_MASQUERADE, tokenOf, upstreamCalls, upstreamOperations } from '../../support/session.js';

const harness = useHarness();
const tokens = {} as Record<Account, string>;
beforeAll(async () => {
  for (const account of ['buyer', 'superAdmin', 'salesRep'] as const) tokens[account] = await tokenOf(harness, account);
});
afterEach(async () => {
  for (const account of ['superAdmin', 'salesRep'] as const) await harness.graphql(END_MASQUERADE, undefined, bearer(tokens[account]));
});

const { superAdmin } = SANDBOX_USERS;

const end = async (headers: Record<string, string> = {}, document = 'mutation { endMasquerade { kind masquerade { id name } } }') => {
  const reply = await harness.graphql(document, undefined, headers);
  return { ...reply, body: withoutRequestIds(reply.body) };
};

/** Begins a masquerade through the gateway, then forgets the requests it made. */
async function masqueradeAs(account: Account, companyId: string): Promise<void> {
  const reply = await harness.graphql(BEGIN_MASQUERADE, { companyId }, bearer(tokens[account]));
  expect(reply.body.errors).toBeUndefined();
  harness.sandbox.clearRequests();
}

const failed = (code: string, message: string) => ({
  data: null,
  errors: [{ message, locations: [{ line: 1, column: 12 }], path: ['endMasquerade'], extensions: { code } }],
});

describe('endMasquerade', () => {
  it('ends the masquerade of the company superAdminMasquerading names, and answers the session without one', async () => {
    await masqueradeAs('superAdmin', '505');

    const reply = await end(bearer(tokens.superAdmin));

    expect(reply.body).toEqual({ data: { endMasquerade: { kind: 'SUPER_ADMIN', masquerade: null } } });
    // Three requests: the session, the company to end, the end; the answer's masquerade is known.
    expect(upstreamCalls(harness.sandbox)).toEqual([
      { method: 'POST', path: '/graphql', operationName: 'Session', variables: {}, authorization: 'Bearer <redacted>', xAuthToken: false },
      { method: 'POST', path: '/graphql', operationName: 'SuperAdminMasquerading', variables: { customerId: superAdmin.bcId }, authorization: 'Bearer <redacted>', xAuthToken: false },
      { method: 'POST', path: '/graphql', operationName: 'SuperAdminEndMasquerade', variables: { companyId: 505 }, authorization: 'Bearer <redacted>', xAuthToken: false },
    ]);
    harness.sandbox.clearRequests();
    expect((await harness.graphql('{ session { masquerade { id } } }', undefined, bearer(tokens.superAdmin))).body).toEqual({ data: { session: { masquerade: null } } });
  });

  it('answers the session unchanged when the Super Admin acts for no company, ending nothing', async () => {
    const reply = await end(bearer(tokens.superAdmin));

    expect(reply.body).toEqual({ data: { endMasquerade: { kind: 'SUPER_ADMIN', masquerade: null } } });
    expect(upstreamOperations(harness.sandbox)).toEqual(['Session', 'SuperAdminMasquerading']);
  });

  it("ends only the caller's own masquerade", async () => {
    await masqueradeAs('superAdmin', '504');
    await masqueradeAs('salesRep', '504');

    await end(bearer(tokens.salesRep));

    const still = await harness.graphql('{ session { masquerade { id } } }', undefined, bearer(tokens.superAdmin));
    expect(still.body).toEqual({ data: { session: { masquerade: { id: '504' } } } });
  });

  it('answers FORBIDDEN to a buyer after reading the session', async () => {
    const reply = await end(bearer(tokens.buyer));

    expect(reply.body).toEqual(failed('FORBIDDEN', 'Ending a masquerade is for Super Admins only.'));
    expect(upstreamOperations(harness.sandbox)).toEqual(['Session']);
  });

  it('answers UNAUTHENTICATED without an Authorization header, without calling BigCommerce', async () => {
    expect((await end()).body).toEqual(failed('UNAUTHENTICATED', 'Invalid or expired token.'));
    expect(harness.sandbox.requests).toEqual([]);
  });

  it('answers UNAUTHENTICATED for a token BigCommerce refuses', async () => {
    expect((await end(bearer(tamperSignature(tokens.superAdmin)))).body).toEqual(failed('UNAUTHENTICATED', 'Invalid or expired token.'));
    expect(upstreamOperations(harness.sandbox)).toEqual(['Session']);
  });
});
