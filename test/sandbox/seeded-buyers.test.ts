import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, SANDBOX_USERS, type Sandbox } from '../../src/sandbox/index.js';
import { apiAccountHeaders, call, graphql, LOGIN } from './harness.js';

const login = (sandbox: Sandbox, email: string, password: string) =>
  graphql(sandbox, LOGIN, { loginData: { storeHash: 'sandbox', email, password } });

type LoginBody = { data: { login: { result: { user: Record<string, unknown> } | null } }; errors?: unknown };

describe('createSandbox({ buyers })', () => {
  let sandbox: Sandbox;
  let plain: Sandbox;
  beforeAll(async () => {
    [sandbox, plain] = await Promise.all([createSandbox({ buyers: 3 }), createSandbox()]);
  });
  afterAll(() => Promise.all([sandbox.close(), plain.close()]));

  it('seeds buyer-1 … buyer-N with the demo password, senior buyers of the approved company 501', async () => {
    const users = [];
    for (const n of [1, 2, 3]) {
      const reply = await login(sandbox, `buyer-${n}@example.com`, 'Passw0rd!');
      users.push((reply.body as LoginBody).data.login.result?.user);
    }

    expect(users).toEqual(
      [1, 2, 3].map((n) => ({
        id: String(1_000_000 + n),
        bcId: 100_000 + n,
        firstName: 'Buyer',
        lastName: String(n),
        email: `buyer-${n}@example.com`,
        phone: null,
        role: 1,
        companyRoleId: 2,
        companyRoleName: 'Senior Buyer',
        companyInfo: { companyId: '501', companyName: 'Acme Industrial Supply' },
      })),
    );
  });

  it('gives the seeded buyers ids no other user has, and keeps the usual users as they are', async () => {
    const reply = await call(sandbox, 'GET', '/api/v3/io/users?limit=250', { headers: apiAccountHeaders(sandbox) });
    const records = (reply.body as { data: Array<{ id: number; customerId: number; email: string }> }).data;
    const ids = records.map((record) => record.id);
    const bcIds = records.map((record) => record.customerId);

    expect(records.map((record) => record.email)).toEqual([
      SANDBOX_USERS.buyer.email,
      SANDBOX_USERS.junior.email,
      SANDBOX_USERS.pending.email,
      SANDBOX_USERS.inactive.email,
      'buyer-1@example.com',
      'buyer-2@example.com',
      'buyer-3@example.com',
    ]);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(bcIds).size).toBe(bcIds.length);
    expect((await login(sandbox, SANDBOX_USERS.buyer.email, SANDBOX_USERS.buyer.password)).body).toMatchObject({
      data: { login: { result: { user: { id: String(SANDBOX_USERS.buyer.userId), bcId: SANDBOX_USERS.buyer.bcId } } } },
    });
  });

  it('seeds no more than asked, and none by default', async () => {
    const beyond = await login(sandbox, 'buyer-4@example.com', 'Passw0rd!');
    const unseeded = await login(plain, 'buyer-1@example.com', 'Passw0rd!');
    const wrongPassword = await login(sandbox, 'buyer-1@example.com', 'wrong');

    for (const reply of [beyond, unseeded, wrongPassword]) {
      expect(reply.body).toEqual({ errors: [{ message: 'Invalid Login', extensions: { code: 40001 } }], data: { login: null } });
    }
  });

  it('refuses a count that is not a whole number from 0 to 100,000', async () => {
    for (const buyers of [-1, 1.5, 100_001]) {
      await expect(createSandbox({ buyers })).rejects.toThrow('SandboxOptions.buyers must be an integer from 0 to 100000');
    }
  });
});
