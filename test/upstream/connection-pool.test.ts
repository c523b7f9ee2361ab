// `B2B_MAX_CONNECTIONS` reaches the upstream pool: gateway → HTTP → sandbox, with BigCommerce
// slowed down so that logins pile up behind the connections allowed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_USERS } from '../../src/sandbox/index.js';
import { type Harness, LOGIN, startHarness } from '../harness.js';

const buyer = SANDBOX_USERS.buyer;

describe('B2B_MAX_CONNECTIONS=2, BigCommerce answering in 100 ms', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { B2B_MAX_CONNECTIONS: '2' } });
    h.sandbox.injectFault({ match: 'POST /graphql', latencyMs: 100 });
  });
  afterAll(() => h?.close());

  it('6 logins at once run 2 at a time upstream, the rest queued for a connection, and all sign in', async () => {
    const samples: Array<{ running: number; pending: number }> = [];
    let settled = false;
    const logins = Promise.all(Array.from({ length: 6 }, () => h.graphql(LOGIN, { input: { email: buyer.email, password: buyer.password } }))).finally(() => {
      settled = true;
    });
    while (!settled) {
      samples.push(...Object.values(h.gateway.upstream.connections()));
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const replies = await logins;

    expect(replies.map((reply) => reply.body.data?.['login'])).toEqual(Array(6).fill(expect.objectContaining({ token: expect.objectContaining({ via: 'GRAPHQL_LOGIN' }) })));
    expect(Math.max(...samples.map((pool) => pool.running))).toBe(2);
    expect(Math.max(...samples.map((pool) => pool.pending))).toBeGreaterThan(0);
  });
});
