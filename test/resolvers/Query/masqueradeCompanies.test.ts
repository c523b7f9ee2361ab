import { beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_USERS } from '../../../src/sandbox/index.js';
import { useHarness, withoutRequestIds } from '../../harness.js';
import { tamperSignature } from '../../support/jwt.js';
import { type Account, bearer, MASQUERADE_COMPANIES, tokenOf, upstreamCalls, upstreamOperations } from '../../support/session.js';

const harness = useHarness();
const tokens = {} as Record<Account, string>;
beforeAll(async () => {
  for (const account of ['buyer', 'shopper', 'superAdmin', 'salesRep'] as const) tokens[account] = await tokenOf(harness, account);
});

const { superAdmin, salesRep } = SANDBOX_USERS;

const companies = async (variables: Record<string, unknown>, headers: Record<string, string> = {}) => {
  const reply = await harness.graphql(MASQUERADE_COMPANIES, variables, headers);
  return { ...reply, body: withoutRequestIds(reply.body) };
};

const failed = (code: string, message: string, extensions: Record<string, unknown> = {}) => ({
  data: null,
  errors: [{ message, locations: [{ line: 3, column: 5 }], path: ['masqueradeCompanies'], extensions: { ...extensions, code } }],
});

const ACME = { id: '501', name: 'Acme Industrial Supply' };
const DORMANT = { id: '503', name: 'Dormant Goods Ltd.' };
const GLOBEX = { id: '504', name: 'Globex Wholesale' };
const INITECH = { id: '505', name: 'Initech Office Supply' };
const UMBRELLA = { id: '506', name: 'Umbrella Medical' };

describe('masqueradeCompanies', () => {
  it("lists a Super Admin's companies: the session, then superAdminCompanies by their B2B user id, 20 from offset 0", async () => {
    const reply = await companies({}, bearer(tokens.superAdmin));

    expect(reply.body).toEqual({ data: { masqueradeCompanies: { totalCount: 4, companies: [ACME, DORMANT, GLOBEX, INITECH] } } });
    expect(upstreamCalls(harness.sandbox)).toEqual([
      { method: 'POST', path: '/graphql', operationName: 'Session', variables: {}, authorization: 'Bearer <redacted>', xAuthToken: false },
      {
        method: 'POST',
        path: '/graphql',
        operationName: 'SuperAdminCompanies',
        variables: { superAdminId: superAdmin.userId, search: null, first: 20, offset: 0 },
        authorization: 'Bearer <redacted>',
        xAuthToken: false,
      },
    ]);
  });

  it('lists only the companies of the Super Admin who asks', async () => {
    const reply = await companies({}, bearer(tokens.salesRep));

    expect(reply.body).toEqual({ data: { masqueradeCompanies: { totalCount: 2, companies: [GLOBEX, UMBRELLA] } } });
    expect(harness.sandbox.requests[1]?.body).toMatchObject({ variables: { superAdminId: salesRep.userId } });
  });

  it('passes search as a variable, never pasted into the document, and counts the matches', async () => {
    const reply = await companies({ search: 'glo' }, bearer(tokens.superAdmin));

    expect(reply.body).toEqual({ data: { masqueradeCompanies: { totalCount: 1, companies: [GLOBEX] } } });
    const sent = harness.sandbox.requests[1]?.body as { query: string; variables: Record<string, unknown> };
    expect(sent.variables).toEqual({ superAdminId: superAdmin.userId, search: 'glo', first: 20, offset: 0 });
    expect(sent.query).not.toContain('glo');
    expect(sent.query).toContain('search:$search');
  });

  it('sends a search with quotes and braces as the value it is', async () => {
    const search = '"} } { __typename';

    const reply = await companies({ search }, bearer(tokens.superAdmin));

    expect(reply.body).toEqual({ data: { masqueradeCompanies: { totalCount: 0, companies: [] } } });
    expect(harness.sandbox.requests[1]?.body).toMatchObject({ variables: { search } });
  });

  it('pages with first and offset; totalCount counts every match', async () => {
    const reply = await companies({ first: 2, offset: 1 }, bearer(tokens.superAdmin));

    expect(reply.body).toEqual({ data: { masqueradeCompanies: { totalCount: 4, companies: [DORMANT, GLOBEX] } } });
    expect(harness.sandbox.requests[1]?.body).toMatchObject({ variables: { first: 2, offset: 1 } });
  });

  it('reads a blank search as none, and explicit nulls as the defaults', async () => {
    const reply = await companies({ search: '   ', first: null, offset: null }, bearer(tokens.superAdmin));

    expect(reply.body).toEqual({ data: { masqueradeCompanies: { totalCount: 4, companies: [ACME, DORMANT, GLOBEX, INITECH] } } });
    expect(harness.sandbox.requests[1]?.body).toMatchObject({ variables: { search: null, first: 20, offset: 0 } });
  });

  it.each([
    [{ first: 0 }, 'first: must be between 1 and 100', 'first'],
    [{ first: 101 }, 'first: must be between 1 and 100', 'first'],
    [{ first: -5 }, 'first: must be between 1 and 100', 'first'],
    [{ offset: -1 }, 'offset: must not be negative', 'offset'],
    [{ search: 'x'.repeat(101) }, 'search: must be at most 100 characters', 'search'],
  ])('answers BAD_USER_INPUT for %o, without calling BigCommerce', async (variables, message, field) => {
    const reply = await companies(variables, bearer(tokens.superAdmin));

    expect(reply.body).toEqual(failed('BAD_USER_INPUT', message, { field }));
    expect(harness.sandbox.requests).toEqual([]);
  });

  it.each(['buyer', 'shopper'] as const)('answers FORBIDDEN to a %s after reading the session, without asking superAdminCompanies', async (account) => {
    const reply = await companies({ search: 'acme' }, bearer(tokens[account]));

    expect(reply.body).toEqual(failed('FORBIDDEN', 'Listing the companies to act for is for Super Admins only.'));
    expect(upstreamOperations(harness.sandbox)).toEqual(['Session']);
  });

  it('answers UNAUTHENTICATED before BAD_USER_INPUT: no header and a bad first', async () => {
    const reply = await companies({ first: 0 });

    expect(reply.body).toEqual(failed('UNAUTHENTICATED', 'Invalid or expired token.'));
    expect(harness.sandbox.requests).toEqual([]);
  });

  it("answers BAD_USER_INPUT before FORBIDDEN: a buyer's bad first costs no upstream request", async () => {
    const reply = await companies({ first: 0 }, bearer(tokens.buyer));

    expect(reply.body).toEqual(failed('BAD_USER_INPUT', 'first: must be between 1 and 100', { field: 'first' }));
    expect(harness.sandbox.requests).toEqual([]);
  });

  it('answers UNAUTHENTICATED for a token BigCommerce refuses', async () => {
    const reply = await companies({}, bearer(tamperSignature(tokens.superAdmin)));

    expect(reply.body).toEqual(failed('UNAUTHENTICATED', 'Invalid or expired token.'));
    expect(upstreamOperations(harness.sandbox)).toEqual(['Session']);
  });
});
