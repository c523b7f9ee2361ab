import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_USERS } from '../../../src/sandbox/index.js';
import { useHarness, withoutRequestIds } from '../../harness.js';
import { tamperSignature } from '../../support/jwt.js';
import { type Account, bearer, BEGIN_MASQUERADE, END_MASQUERADE, SESSION, superAdminSession as sessionOfSuperAdmin, tokenOf, upstreamCalls, upstreamOperations } from '../../support/session.js';

const harness = useHarness();
const tokens = {} as Record<Account, string>;
beforeAll(async () => {
  for (const account of ['buyer', 'shopper', 'superAdmin', 'salesRep'] as const) tokens[account] = await tokenOf(harness, account);
});
// Masquerades live in the sandbox between requests: each test starts with none.
afterEach(async () => {
  for (const account of ['superAdmin', 'salesRep'] as const) await harness.graphql(END_MASQUERADE, undefined, bearer(tokens[account]));
});

const { superAdmin } = SANDBOX_USERS;

const send = async (document: string, variables: Record<string, unknown> | undefined, headers: Record<string, string> = {}) => {
  const reply = await harness.graphql(document, variables, headers);
  return { ...reply, body: withoutRequestIds(reply.body) };
};
const begin = (companyId: unknown, headers?: Record<string, string>) => send(BEGIN_MASQUERADE, { companyId }, headers);

const failed = (code: string, message: string, extensions: Record<string, unknown> = {}) => ({
  data: null,
  errors: [{ message, locations: [{ line: 3, column: 5 }], path: ['beginMasquerade'], extensions: { ...extensions, code } }],
});
const NOT_A_COMPANY_OF_THEIRS = failed('BAD_USER_INPUT', 'companyId: not a company this Super Admin may act for', { field: 'companyId' });

/** The Super Admin's session, acting for `masquerade`. */
const superAdminSession = (masquerade: { id: string; name: string } | null) => sessionOfSuperAdmin(tokens.superAdmin, masquerade);

const GLOBEX = { id: '504', name: 'Globex Wholesale' };

describe('beginMasquerade', () => {
  it('begins, the session then shows the company, and endMasquerade ends it', async () => {
    const begun = await begin('504', bearer(tokens.superAdmin));
    expect(begun.body).toEqual({ data: { beginMasquerade: superAdminSession(GLOBEX) } });
    expect(upstreamCalls(harness.sandbox)).toEqual([
      { method: 'POST', path: '/graphql', operationName: 'Session', variables: {}, authorization: 'Bearer <redacted>', xAuthToken: false },
      { method: 'POST', path: '/graphql', operationName: 'SuperAdminBeginMasquerade', variables: { companyId: 504 }, authorization: 'Bearer <redacted>', xAuthToken: false },
      { method: 'POST', path: '/graphql', operationName: 'SuperAdminMasquerading', variables: { customerId: superAdmin.bcId }, authorization: 'Bearer <redacted>', xAuthToken: false },
    ]);

    expect((await send(SESSION, undefined, bearer(tokens.superAdmin))).body).toEqual({ data: { session: superAdminSession(GLOBEX) } });

    expect((await send(END_MASQUERADE, undefined, bearer(tokens.superAdmin))).body).toEqual({ data: { endMasquerade: superAdminSession(null) } });
    expect((await send(SESSION, undefined, bearer(tokens.superAdmin))).body).toEqual({ data: { session: superAdminSession(null) } });
  });

  it('switches from one company to another', async () => {
    await begin('504', bearer(tokens.superAdmin));

    const reply = await send('mutation { beginMasquerade(companyId: "505") { masquerade { id name } } }', undefined, bearer(tokens.superAdmin));

    expect(reply.body).toEqual({ data: { beginMasquerade: { masquerade: { id: '505', name: 'Initech Office Supply' } } } });
  });

  it("is the Super Admin's own: another Super Admin acting for the same company does not see it", async () => {
    await begin('504', bearer(tokens.superAdmin));

    const other = await send('{ session { user { email } masquerade { id } } }', undefined, bearer(tokens.salesRep));

    expect(other.body).toEqual({ data: { session: { user: { email: SANDBOX_USERS.salesRep.email }, masquerade: null } } });
  });

  it.each([
    ['an unknown company', '999'],
    ['a company assigned to another Super Admin', '506'],
    ['a company assigned to nobody', '502'],
    ['an inactive company', '503'],
  ])('answers BAD_USER_INPUT for %s, without echoing BigCommerce', async (_name, companyId) => {
    const reply = await begin(companyId, bearer(tokens.superAdmin));

    expect(reply.body).toEqual(NOT_A_COMPANY_OF_THEIRS);
    expect(upstreamOperations(harness.sandbox)).toEqual(['Session', 'SuperAdminBeginMasquerade']);
  });

  it.each(['abc', '0', '-1', '1.5', ' 504', '99999999999', ''])('answers BAD_USER_INPUT for the company id %j, without calling BigCommerce', async (companyId) => {
    const reply = await begin(companyId, bearer(tokens.superAdmin));

    expect(reply.body).toEqual(failed('BAD_USER_INPUT', 'companyId: must be a company id: a positive integer', { field: 'companyId' }));
    expect(harness.sandbox.requests).toEqual([]);
  });

  it('takes the company id as a number too, as GraphQL coerces an ID', async () => {
    const reply = await begin(504, bearer(tokens.superAdmin));

    expect(reply.body).toEqual({ data: { beginMasquerade: superAdminSession(GLOBEX) } });
  });

  it.each(['buyer', 'shopper'] as const)('answers FORBIDDEN to a %s after reading the session, and begins nothing', async (account) => {
    const reply = await begin('501', bearer(tokens[account]));

    expect(reply.body).toEqual(failed('FORBIDDEN', 'Acting for a company is for Super Admins only.'));
    expect(upstreamOperations(harness.sandbox)).toEqual(['Session']);
  });

  it('answers FORBIDDEN, not BAD_USER_INPUT, to a buyer naming an unknown company: only a Super Admin learns which companies exist', async () => {
    const reply = await begin('999', bearer(tokens.buyer));

    expect(reply.body).toEqual(failed('FORBIDDEN', 'Acting for a company is for Super Admins only.'));
  });

  it('answers UNAUTHENTICATED first: no header and a malformed company id', async () => {
    const reply = await begin('abc');

    expect(reply.body).toEqual(failed('UNAUTHENTICATED', 'Invalid or expired token.'));
    expect(harness.sandbox.requests).toEqual([]);
  });

  it('answers BAD_USER_INPUT before FORBIDDEN: a buyer with a malformed company id costs no upstream request', async () => {
    const reply = await begin('abc', bearer(tokens.buyer));

    expect(reply.body).toEqual(failed('BAD_USER_INPUT', 'companyId: must be a company id: a positive integer', { field: 'companyId' }));
    expect(harness.sandbox.requests).toEqual([]);
  });

  it('answers UNAUTHENTICATED for a token BigCommerce refuses', async () => {
    const reply = await begin('504', bearer(tamperSignature(tokens.superAdmin)));

    expect(reply.body).toEqual(failed('UNAUTHENTICATED', 'Invalid or expired token.'));
    expect(upstreamOperations(harness.sandbox)).toEqual(['Session']);
  });
});
