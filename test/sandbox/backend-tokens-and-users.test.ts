import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, SANDBOX_USERS, type Sandbox } from '../../src/sandbox/index.js';
import { apiAccountHeaders, call } from './harness.js';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await createSandbox();
});
afterAll(() => sandbox.close());

const owner = SANDBOX_USERS.owner;
const backendLogin = (overrides: Record<string, unknown> = {}) => ({
  storeHash: 'sandbox',
  email: owner.email,
  password: owner.password,
  name: 'nightly sync',
  ...overrides,
});

describe('POST /api/io/auth/backend', () => {
  it('answers a never-expiring server-to-server token in a data array, without an API account', async () => {
    const reply = await call(sandbox, 'POST', '/api/io/auth/backend', { body: backendLogin() });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      code: 200,
      data: [{ name: 'nightly sync', token: expect.any(String) }],
      meta: { message: 'SUCCESS' },
    });
    const claims = decodeJwt((reply.body as { data: Array<{ token: string }> }).data[0]?.token ?? '');
    expect(claims).toEqual({
      email: owner.email,
      store_hash: 'sandbox',
      db: 'default',
      iat: expect.any(Number),
      jti: expect.any(String),
    });
  });

  it('also lets the built-in Administrator role in', async () => {
    const admin = SANDBOX_USERS.admin;
    const reply = await call(sandbox, 'POST', '/api/io/auth/backend', {
      body: backendLogin({ email: admin.email, password: admin.password }),
    });
    expect(reply.status).toBe(200);
  });

  it('answers 400 for wrong credentials', async () => {
    const reply = await call(sandbox, 'POST', '/api/io/auth/backend', { body: backendLogin({ password: 'nope' }) });
    expect(reply.status).toBe(400);
    expect(reply.body).toEqual({
      code: 400,
      data: { errMsg: 'The email or password you have entered is incorrect. Please try again.' },
      meta: { message: 'API logic error' },
    });
  });

  it('answers 400 "role forbidden" for a custom role', async () => {
    const staff = SANDBOX_USERS.staff;
    const reply = await call(sandbox, 'POST', '/api/io/auth/backend', {
      body: backendLogin({ email: staff.email, password: staff.password }),
    });
    expect(reply.status).toBe(400);
    expect(reply.body).toEqual({ code: 400, data: { errMsg: 'role forbidden' }, meta: { message: 'API logic error' } });
  });
});

describe('GET /api/io/backend/tokens and DELETE /api/io/auth/backend', () => {
  it('lists the pre-existing tokens with their values and pagination meta', async () => {
    const reply = await call(sandbox, 'GET', '/api/io/backend/tokens?limit=1&offset=1', {
      headers: apiAccountHeaders(sandbox),
    });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      code: 200,
      data: [
        {
          id: 2,
          name: 'B2B Edition app',
          email: owner.email,
          storeHash: 'sandbox',
          token: expect.any(String),
          eventChannel: 'app',
        },
      ],
      meta: { message: 'SUCCESS', pagination: { totalCount: expect.any(Number), limit: 1, offset: 1 } },
    });
  });

  it('answers 422 for a limit above 250', async () => {
    const reply = await call(sandbox, 'GET', '/api/io/backend/tokens?limit=251', { headers: apiAccountHeaders(sandbox) });
    expect(reply.status).toBe(422);
    expect(reply.body).toEqual({
      code: 422,
      data: { errMsg: { limit: ['Ensure this value is less than or equal to 250'] } },
      meta: { message: 'Parameter Error' },
    });
  });

  it('deletes a token by the id in the body with the legacy authToken header, then 404s', async () => {
    const created = await call(sandbox, 'POST', '/api/io/auth/backend', { body: backendLogin({ name: 'to delete' }) });
    const token = (created.body as { data: Array<{ token: string }> }).data[0]?.token ?? '';
    const list = await call(sandbox, 'GET', '/api/io/backend/tokens?limit=250', { headers: { authToken: token } });
    const id = (list.body as { data: Array<{ id: number; name: string }> }).data.find((t) => t.name === 'to delete')?.id;
    expect(id).toEqual(expect.any(Number));

    const deleted = await call(sandbox, 'DELETE', '/api/io/auth/backend', { headers: { authToken: token }, body: { id } });
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ code: 200, data: [], meta: { message: 'SUCCESS' } });

    const again = await call(sandbox, 'DELETE', '/api/io/auth/backend', { headers: apiAccountHeaders(sandbox), body: { id } });
    expect(again.status).toBe(404);
    expect(again.body).toEqual({
      code: 404,
      data: { errMsg: 'No matching token was found.' },
      meta: { message: 'Not Found Error' },
    });

    // The deleted token no longer authenticates.
    const refused = await call(sandbox, 'GET', '/api/io/backend/tokens', { headers: { authToken: token } });
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({ code: 403, message: 'Invalid token' });
  });
});

describe('GET /api/v3/io/users', () => {
  const buyer = SANDBOX_USERS.buyer;
  const buyerRecord = {
    id: buyer.userId,
    uuid: expect.any(String),
    companyId: buyer.companyId,
    customerId: buyer.bcId,
    email: buyer.email,
    firstName: 'Marie',
    lastName: 'Curie',
    phoneNumber: '+1 555 0100',
    role: 1,
    createdAt: expect.any(Number),
    updatedAt: expect.any(Number),
  };

  it('answers one user by id', async () => {
    const reply = await call(sandbox, 'GET', `/api/v3/io/users/${buyer.userId}`, { headers: apiAccountHeaders(sandbox) });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ code: 200, data: buyerRecord, meta: { message: 'SUCCESS' } });
  });

  it('answers 404 in the B2B envelope for an unknown id', async () => {
    const reply = await call(sandbox, 'GET', '/api/v3/io/users/42', { headers: apiAccountHeaders(sandbox) });
    expect(reply.status).toBe(404);
    expect(reply.body).toEqual({ code: 404, data: { errMsg: 'User not found' }, meta: { message: 'Not Found Error' } });
  });

  it('lists users filtered by companyId and email, with pagination meta', async () => {
    const reply = await call(sandbox, 'GET', `/api/v3/io/users?companyId=${buyer.companyId}&email=${buyer.email}`, {
      headers: apiAccountHeaders(sandbox),
    });
    expect(reply.body).toEqual({
      code: 200,
      data: [buyerRecord],
      meta: { message: 'SUCCESS', pagination: { totalCount: 1, limit: 10, offset: 0 } },
    });
    const company = await call(sandbox, 'GET', `/api/v3/io/users?companyId=${buyer.companyId}&limit=1&offset=1`, {
      headers: apiAccountHeaders(sandbox),
    });
    expect(company.body).toMatchObject({
      data: [{ id: SANDBOX_USERS.junior.userId, role: 2 }],
      meta: { pagination: { totalCount: 2, limit: 1, offset: 1 } },
    });
  });

  it('requires the API account', async () => {
    const reply = await call(sandbox, 'GET', '/api/v3/io/users');
    expect(reply.status).toBe(403);
  });
});
