import { ConfigError, type GatewayConfig, loadConfig } from './config.js';
import { createGateway } from './gateway.js';
import { createHttpServer, DEFAULT_HTTP_SERVER_OPTIONS } from './server.js';

// The process entry point: read the configuration, listen, stop cleanly on signals.
let config: GatewayConfig;
try {
  config = loadConfig(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}

const gateway = await createGateway(config);
const http = createHttpServer(gateway, {
  // An in-flight request ends within one upstream deadline; give it that and a margin.
  drainTimeoutMs: Math.max(DEFAULT_HTTP_SERVER_OPTIONS.drainTimeoutMs, config.timeoutMs + 5_000),
});

try {
  const address = await http.listen(config.port, config.host);
  const url = `http://${config.host}:${address.port}${gateway.yoga.graphqlEndpoint}`;
  process.stderr.write(`b2b-auth-gateway listening on ${url}\n`);
  if (gateway.sandbox) {
    // Imported only in sandbox mode, so a production process never loads the sandbox.
    const { DEMO_BUYER } = await import('./sandbox/index.js');
    process.stderr.write(`GraphiQL: ${url}  (sandbox demo login: ${DEMO_BUYER.email} / ${DEMO_BUYER.password})\n`);
  }
} catch (error) {
  const code = (error as NodeJS.ErrnoException).code;
  process.stderr.write(`Cannot listen on ${config.host}:${config.port}: ${code ?? (error as Error).message}\n`);
  await gateway.close();
  process.exit(1);
}

// A promise rejected with nobody listening would end the process (Node's default), so one
// hostile request could stop the gateway for everyone. Log it, with secrets redacted, and keep
// serving: every request's state is its own, so nothing shared is left half-done.
process.on('unhandledRejection', (reason) => {
  gateway.logger.error('unhandled promise rejection (a bug); the gateway keeps serving', reason instanceof Error ? reason : { reasonType: typeof reason });
});

let stopping = false;
async function stop(signal: NodeJS.Signals): Promise<void> {
  if (stopping) {
    // A second signal: the operator does not want to wait; abandon what is still in flight.
    process.stderr.write(`${signal} again: closing every connection now\n`);
    await http.close();
    return;
  }
  stopping = true;
  // Started before it is announced: once the line is out, new connections are refused.
  const drained = http.drain();
  process.stderr.write(`${signal}: draining in-flight requests, then stopping\n`);
  let exitCode = 0;
  try {
    const { abandoned, durationMs } = await drained;
    if (abandoned > 0) {
      exitCode = 1;
      process.stderr.write(`drain timed out after ${durationMs} ms: ${abandoned} request(s) abandoned\n`);
    } else {
      process.stderr.write(`drained in ${durationMs} ms\n`);
    }
  } catch (error) {
    exitCode = 1;
    process.stderr.write(`drain failed: ${(error as Error).message}\n`);
  }
  try {
    await gateway.close();
  } catch (error) {
    exitCode = 1;
    process.stderr.write(`closing the gateway failed: ${(error as Error).message}\n`);
  }
  process.exit(exitCode);
}
process.on('SIGTERM', (signal) => void stop(signal));
process.on('SIGINT', (signal) => void stop(signal));
