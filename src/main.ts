import { createServer } from 'node:http';
import { ConfigError, loadConfig } from './config.js';
import { createGateway } from './gateway.js';
import { DEMO_BUYER } from './sandbox/index.js';

// The process entry point: read the configuration, listen, stop cleanly on signals.
let config;
try {
  config = loadConfig(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}

const gateway = await createGateway(config);
const server = createServer(gateway.yoga);
server.listen(config.port, config.host, () => {
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const url = `http://${config.host}:${port}${gateway.yoga.graphqlEndpoint}`;
  process.stderr.write(`b2b-auth-gateway listening on ${url}\n`);
  if (gateway.sandbox) {
    process.stderr.write(`GraphiQL: ${url}  (sandbox demo login: ${DEMO_BUYER.email} / ${DEMO_BUYER.password})\n`);
  }
});

let stopping = false;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  process.stderr.write(`${signal}: draining and stopping\n`);
  server.close(() => {
    void gateway.close().then(() => process.exit(0));
  });
  server.closeIdleConnections();
};
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
