import { IncomingMessage } from 'node:http';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gatewayEnvironment, gatewayLogin, HEADERS } from './targets.js';

/*
 * A build's gateway made in this process with `createGateway`, sent logins through `yoga.fetch`:
 * no HTTP server and no load generator share the CPU, so what `ab.ts` and `alloc.ts` measure is
 * the gateway's own work, the upstream exchange included.
 */

/** What this file uses of a build's `src/gateway.js` and `src/config/environment.js`. */
type Quiet = Record<'debug' | 'info' | 'warn' | 'error', () => void>;
interface GatewayModule {
  createGateway(config: unknown, options: { logger: Quiet }): Promise<{
    yoga: { fetch(url: string, init: RequestInit, serverContext: object): Promise<Response> };
    close(): Promise<void>;
  }>;
}
interface ConfigModule {
  loadConfig(env: Record<string, string>): unknown;
}

export interface InProcessGateway {
  /** Sends `count` logins from each of `loops` accounts, one at a time per account, all accounts at once. */
  logins(count: number): Promise<void>;
  /** How many accounts `logins` runs at once. */
  loops: number;
  close(): Promise<void>;
}

/** The gateway of the build in `buildDir` (`npm run build -- <dir>`), calling the upstream at `upstreamUrl`. */
export async function inProcessGateway(buildDir: string, upstreamUrl: string, loops: number): Promise<InProcessGateway> {
  const module = (path: string) => import(pathToFileURL(resolve(buildDir, path)).href);
  const { createGateway } = (await module('src/gateway.js')) as GatewayModule;
  const { loadConfig } = (await module('src/config/environment.js')) as ConfigModule;
  const quiet: Quiet = { debug() {}, info() {}, warn() {}, error() {} };
  const gateway = await createGateway(loadConfig(gatewayEnvironment(upstreamUrl, 0)), { logger: quiet });
  // What node:http hands Yoga with each request: the socket (the client's address for the rate
  // limits) on an IncomingMessage (whose Content-Length Node's parser has already enforced).
  const serverContext = () => ({ req: Object.assign(Object.create(IncomingMessage.prototype) as IncomingMessage, { socket: { remoteAddress: '127.0.0.1' } }) });

  const loop = async (body: string, count: number) => {
    const headers = { ...HEADERS, 'content-length': String(Buffer.byteLength(body)) };
    for (let i = 0; i < count; i++) {
      const response = await gateway.yoga.fetch('http://127.0.0.1/graphql', { method: 'POST', headers, body }, serverContext());
      const text = await response.text();
      if (response.status !== 200 || text.includes('"errors"')) throw new Error(`bench: ${buildDir} answered ${response.status}`);
    }
  };
  const bodies = Array.from({ length: loops }, (_, loop) => gatewayLogin.body(loop));
  return {
    loops,
    async logins(count) {
      await Promise.all(bodies.map((body) => loop(body, count)));
    },
    close: () => gateway.close(),
  };
}
