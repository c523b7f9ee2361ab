// What the B2B GraphQL client sends (src/upstream/b2b-graphql/client.ts): one JSON body per
// operation, its document printed once without ignored characters and serialised once, the
// call's variables added as they are. A loopback server records the requests as they arrive.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { print, stripIgnoredCharacters } from 'graphql';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createB2BGraphQLClient, type B2BGraphQLClient } from '../../../src/upstream/b2b-graphql/client.js';
import { CurrentUserDocument, LoginDocument } from '../../../src/upstream/b2b-graphql/generated.js';
import { createCircuitBreakers } from '../../../src/upstream/circuit-breaker.js';
import { createHttpTransport, type HttpTransport } from '../../../src/upstream/http-transport.js';

const USER = { id: '1001', bcId: 201, email: 'buyer@example.com', firstName: 'Ada', lastName: 'Buyer', role: 1 };
const ANSWERS: Record<string, unknown> = {
  Login: { data: { login: { result: { token: 'eyJ.login.token', storefrontLoginToken: null, user: USER, permissions: [] } } } },
  CurrentUser: { data: { currentUser: USER } },
};

let server: Server;
let transport: HttpTransport;
let client: B2BGraphQLClient;
let received: { headers: IncomingHttpHeaders; body: string }[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      received.push({ headers: request.headers, body });
      const { operationName } = JSON.parse(body) as { operationName: string };
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(ANSWERS[operationName] ?? { errors: [{ message: 'unknown' }] }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  transport = createHttpTransport({ timeoutMs: 2_000 });
  client = createB2BGraphQLClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`, transport, createCircuitBreakers());
});

afterAll(async () => {
  await transport.close();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  received = [];
});

describe('the B2B GraphQL client’s request bodies', () => {
  it('posts login as one JSON body: the compact document, its operation name, the variables as given', async () => {
    // Characters JSON must escape, in a value the client did not write.
    const loginData = { storeHash: 'abc123', email: 'buyer@example.com', password: 'pa"ss\\wo\nrd€' };
    const result = await client.login(loginData);

    expect(result.token).toBe('eyJ.login.token');
    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request?.body ?? '')).toStrictEqual({
      query: stripIgnoredCharacters(print(LoginDocument)),
      operationName: 'Login',
      variables: { loginData },
    });
    expect(request?.body).not.toContain('\\n  ');
  });

  it('sends each call its own variables, never a previous call’s', async () => {
    await client.login({ storeHash: 'abc123', email: 'first@example.com', password: 'one' });
    await client.login({ storeHash: 'abc123', email: 'second@example.com', password: 'two' });

    expect(received.map(({ body }) => (JSON.parse(body) as { variables: { loginData: { email: string } } }).variables.loginData.email)).toStrictEqual([
      'first@example.com',
      'second@example.com',
    ]);
  });

  it('posts an operation without variables with an empty variables object', async () => {
    await client.currentUser('eyJ.buyer.token');

    const [request] = received;
    expect(request?.headers.authorization).toBe('Bearer eyJ.buyer.token');
    expect(JSON.parse(request?.body ?? '')).toStrictEqual({
      query: stripIgnoredCharacters(print(CurrentUserDocument)),
      operationName: 'CurrentUser',
      variables: {},
    });
  });
});
