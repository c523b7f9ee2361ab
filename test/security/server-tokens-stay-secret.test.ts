// Drives every administration operation, successful and failing, while capturing every log line
// and every response, then proves that server-to-server tokens stay secret: no token value (nor
// its signature) and no backend password in a log line, and no token in an answer to anyone but
// a trusted caller.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_USERS } from '../../src/sandbox/index.js';
import { type GraphQLReply, type Harness, ISSUE_SERVER_TOKEN, REVOKE_SERVER_TOKEN, SERVER_TOKENS, startHarness, TRUSTED_KEY } from '../harness.js';

const { owner, staff } = SANDBOX_USERS;
const WRONG_PASSWORD = 'Wr0ng-Backend-Passw0rd!';
const trusted = { 'x-gateway-key': TRUSTED_KEY };

let harness: Harness;
/** Every token value a trusted caller received. */
const tokens = new Set<string>();
/** Every answer an untrusted caller received. */
const untrustedAnswers: string[] = [];
const codes: unknown[] = [];

async function send(query: string, variables: Record<string, unknown>, headers: Record<string, string> = trusted): Promise<GraphQLReply> {
  const reply = await harness.graphql(query, variables, headers);
  codes.push(...(reply.body.errors ?? []).map((error) => error.extensions?.['code']));
  if (headers['x-gateway-key'] !== TRUSTED_KEY) untrustedAnswers.push(JSON.stringify(reply.body));
  return reply;
}

beforeAll(async () => {
  harness = await startHarness();
  const issue = (input: Record<string, unknown>, headers?: Record<string, string>) =>
    send(ISSUE_SERVER_TOKEN, { input: { email: owner.email, password: owner.password, name: 'log test', ...input } }, headers);

  // issueServerToken: ok, wrong password, custom role, bad input, untrusted.
  const issued = await issue({});
  tokens.add((issued.body.data?.['issueServerToken'] as { token: string }).token);
  await issue({ password: WRONG_PASSWORD });
  await issue({ email: staff.email, password: staff.password });
  await issue({ email: 'nope', password: WRONG_PASSWORD });
  await issue({}, {});

  // serverTokens: ok (every value), bad page, untrusted, an upstream failure.
  const listed = await send(SERVER_TOKENS, { limit: 250, offset: 0 });
  for (const node of (listed.body.data?.['serverTokens'] as { nodes: Array<{ token: string; id: number }> }).nodes) tokens.add(node.token);
  await send(SERVER_TOKENS, { limit: 0, offset: 0 });
  await send(SERVER_TOKENS, { limit: 10, offset: 0 }, {});
  harness.sandbox.injectFault({ match: 'GET /api/io/backend/tokens', status: 500, times: 1 });
  await send(SERVER_TOKENS, { limit: 10, offset: 0 });

  // revokeServerToken: ok, unknown id, untrusted.
  await send(REVOKE_SERVER_TOKEN, { id: 1 });
  await send(REVOKE_SERVER_TOKEN, { id: 1 });
  await send(REVOKE_SERVER_TOKEN, { id: 2 }, {});
});
afterAll(() => harness?.close());

describe('server-to-server tokens never reach a log line', () => {
  it('drove every operation through success and the intended failures', () => {
    expect(tokens.size).toBe(3);
    expect([...new Set(codes)].sort()).toEqual(['BAD_USER_INPUT', 'FORBIDDEN', 'UNAUTHENTICATED', 'UPSTREAM_UNAVAILABLE']);
    expect(harness.logs.length).toBeGreaterThan(0);
  });

  it('no token value, nor its signature, in any log line', () => {
    const logs = harness.logs.join('\n');
    for (const token of tokens) {
      expect(logs).not.toContain(token);
      expect(logs).not.toContain(token.split('.')[2]);
    }
  });

  it('no backend password in any log line', () => {
    const logs = harness.logs.join('\n');
    for (const password of [owner.password, staff.password, WRONG_PASSWORD]) expect(logs).not.toContain(password);
  });

  it('no token in any answer to an untrusted caller', () => {
    expect(untrustedAnswers).toHaveLength(3);
    for (const answer of untrustedAnswers) {
      expect(answer).not.toMatch(/eyJ/);
      for (const token of tokens) expect(answer).not.toContain(token);
    }
  });
});
