import { Agent, request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import type { Sandbox } from '../../src/sandbox/index.js';
import { DEMO_BUYER } from '../../src/sandbox/index.js';
import { LOGIN } from '../harness.js';

export interface OwnConnectionLogin {
  status: number;
  connection: string | undefined;
  body: { data?: { login?: { token?: { value?: string; via?: string } } } };
}

/** The demo buyer's login over a connection of its own (no pooling), with the answer's headers. */
export function loginOverOwnConnection(url: URL): Promise<OwnConnectionLogin> {
  return exchange<OwnConnectionLogin['body']>(url, false, true);
}

/**
 * A request on a keep-alive connection of its own, so that `Connection: close` in the answer is
 * the server's: the demo buyer's login when `url` is the GraphQL endpoint, else a GET.
 */
export function overKeepAliveConnection<Body>(url: URL): Promise<{ status: number; connection: string | undefined; body: Body }> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  return exchange<Body>(url, agent, url.pathname === '/graphql').finally(() => agent.destroy());
}

function exchange<Body>(url: URL, agent: Agent | false, login: boolean): Promise<{ status: number; connection: string | undefined; body: Body }> {
  const body = login ? JSON.stringify({ query: LOGIN, variables: { input: { email: DEMO_BUYER.email, password: DEMO_BUYER.password } } }) : '';
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: login ? 'POST' : 'GET', agent, headers: login ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {} },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body: JSON.parse(text) as Body }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** `'accepted'` when a TCP connection to `url`'s host and port opens, else the error code. */
export function connectOutcome(url: URL): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(Number(url.port), url.hostname);
    socket.once('connect', () => {
      socket.destroy();
      resolve('accepted');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

/** Resolves once the sandbox has received `method path`. */
export async function untilSandboxSees(sandbox: Sandbox, method: string, path: string): Promise<void> {
  while (!sandbox.requests.some((seen) => seen.method === method && seen.path === path)) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
