import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { serveFastify } from '../../examples/embedding/fastify.js';
import { servePlainNode } from '../../examples/embedding/plain-node.js';
import { createLogger } from '../../src/observability/logger.js';
import { createSandbox, DEMO_BUYER, type Sandbox } from '../../src/sandbox/index.js';
import { LOGIN_TOKEN, postGraphQL, sandboxEnv } from './support.js';

let sandbox: Sandbox;
const logs: string[] = [];
beforeAll(async () => {
  sandbox = await createSandbox({ rateLimit: 10_000 });
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.clearRequests());

const JWT = /^[\w-]+\.[\w-]+\.[\w-]+$/;
const quiet = { logger: createLogger({ write: (line) => logs.push(line) }) };

describe.each([
  { server: 'a plain Node HTTP server', file: 'plain-node.ts', serve: servePlainNode },
  { server: 'fastify', file: 'fastify.ts', serve: serveFastify },
])('createGateway mounted in $server (examples/embedding/$file)', ({ serve }) => {
  it('serves a login over real HTTP and answers the storefront token', async () => {
    const served = await serve(sandboxEnv(sandbox), quiet);
    try {
      expect(served.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/graphql$/);

      const reply = await postGraphQL(served.url, { query: LOGIN_TOKEN, variables: { input: { email: DEMO_BUYER.email, password: DEMO_BUYER.password } } });

      expect(reply).toEqual({ status: 200, body: { data: { login: { token: { value: expect.stringMatching(JWT), via: 'GRAPHQL_LOGIN' } } } } });
      expect(sandbox.requests.map((request) => `${request.method} ${request.path}`)).toEqual(['POST /graphql']);
    } finally {
      await served.close();
    }
  });

  it('answers a body over 64 KiB with 413, as the gateway does on its own', async () => {
    const served = await serve(sandboxEnv(sandbox), quiet);
    try {
      const reply = await fetch(served.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ __typename }', variables: { padding: 'x'.repeat(70_000) } }),
      });

      expect(reply.status).toBe(413);
      expect(sandbox.requests).toEqual([]);
    } finally {
      await served.close();
    }
  });
});
