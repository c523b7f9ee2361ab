import { ClientError } from 'graphql-request';
import { describe, expect, it } from 'vitest';
import { errorCode, loginAndViewer } from '../../examples/client/login-and-viewer.js';
import { DEMO_BUYER, SANDBOX_USERS } from '../../src/sandbox/index.js';
import { useHarness } from '../harness.js';

const harness = useHarness();

describe('examples/client: loginAndViewer', () => {
  it('logs the demo buyer in and gets the same buyer back from viewer, and their session', async () => {
    const result = await loginAndViewer(harness.url, DEMO_BUYER.email, DEMO_BUYER.password);

    expect(result).toEqual({
      token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
      expiresAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      viewer: {
        id: String(SANDBOX_USERS.buyer.userId),
        bcId: SANDBOX_USERS.buyer.bcId,
        email: DEMO_BUYER.email,
        firstName: 'Marie',
        lastName: 'Curie',
        role: 'SENIOR_BUYER',
        roleCode: 1,
      },
      session: {
        kind: 'COMPANY_USER',
        permissions: [
          { code: 'get_orders', permissionLevel: 2 },
          { code: 'get_quotes', permissionLevel: 2 },
          { code: 'create_shopping_list', permissionLevel: 2 },
          { code: 'purchase_enable', permissionLevel: 1 },
        ],
        // The token's own expiry, as login answered it.
        expiresAt: result.expiresAt,
        masquerade: null,
      },
    });
    // login, then viewer's currentUser and session's one request (currentUser and customerInfo),
    // both with the token the example got.
    const operationName = (body: unknown) => /^\w+ (\w+)/.exec((body as { query: string }).query)?.[1];
    const upstream = harness.sandbox.requests.map((request) => [request.path, operationName(request.body), request.headers['authorization']]);
    expect(upstream).toEqual([
      ['/graphql', 'Login', undefined],
      ['/graphql', 'CurrentUser', `Bearer ${result.token}`],
      ['/graphql', 'Session', `Bearer ${result.token}`],
    ]);
  });

  it('rejects with a ClientError whose code is UNAUTHENTICATED for a wrong password', async () => {
    const failure = await loginAndViewer(harness.url, DEMO_BUYER.email, 'wrong password').catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(ClientError);
    expect(errorCode(failure)).toBe('UNAUTHENTICATED');
  });
});
