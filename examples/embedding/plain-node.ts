import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGateway, type GatewayOptions, loadConfig } from 'b2b-auth-gateway';

/**
 * Serves the gateway from a plain Node HTTP server at `http://$HOST:$PORT/graphql`. `env` is
 * usually `process.env`. Resolves once listening, with the URL and a function that stops both.
 */
export async function servePlainNode(env: Record<string, string | undefined>, options: GatewayOptions = {}) {
  const config = loadConfig(env);
  const gateway = await createGateway(config, options);
  // `gateway.yoga` is a Node request listener. `createHttpServer(gateway)` from the same
  // package adds header, body and keep-alive timeouts, a graceful drain and a shutdown that load
  // balancers follow; with a server of your own, call `gateway.readiness.startDraining()` when
  // shutdown begins, so `/readiness` answers 503 while requests are still served.
  const server = createServer(gateway.yoga);
  await new Promise<void>((resolve) => server.listen(config.port, config.host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${config.host}:${port}${gateway.yoga.graphqlEndpoint}`,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await gateway.close();
    },
  };
}
