import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Serves a reference Yoga server for the benchmark: node:http on 127.0.0.1, `PORT` or a free
 * port; prints `{"url": "http://127.0.0.1:<port>/graphql"}` when it listens; exits on SIGTERM.
 */
export function serveYoga(yoga: RequestListener & { graphqlEndpoint: string }): void {
  const server = createServer(yoga);
  server.listen(Number(process.env['PORT'] ?? 0), '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo;
    process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}${yoga.graphqlEndpoint}` })}\n`);
  });
  process.on('SIGTERM', () => process.exit(0));
}
