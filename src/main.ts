import { ConfigError, type GatewayConfig, loadConfig } from './config/environment.js';
import { createGateway } from './gateway.js';
import { createHttpServer, DEFAULT_HTTP_SERVER_OPTIONS } from './http/server.js';

// The process entry point: read the configuration, listen, stop cleanly on signals. Once the
// configuration is loaded, every line it writes is a JSON object through the gateway's logger.
let config: GatewayConfig;
try {
  config = loadConfig(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}

const gateway = await createGateway(config);
const { logger } = gateway;
const http = createHttpServer(gateway, {
  // An in-flight request ends within one upstream deadline; give it that and a margin, counted
  // from the end of the shutdown delay, when the last requests may have arrived.
  drainTimeoutMs: Math.max(DEFAULT_HTTP_SERVER_OPTIONS.drainTimeoutMs, config.timeoutMs + 5_000),
});

// A promise rejected with nobody listening would end the process (Node's default), so one
// hostile request could stop the gateway for everyone. Log it, with secrets redacted, and keep
// serving: every request's state is its own, so nothing shared is left half-done.
process.on('unhandledRejection', (reason) => {
  logger.error('unhandled promise rejection (a bug); the gateway keeps serving', reason instanceof Error ? reason : { reasonType: typeof reason });
});

// SIGTERM (an orchestrator's stop) first turns `/readiness` to 503 and keeps serving for the
// shutdown delay, so balancers stop routing here before the listener closes; SIGINT (Ctrl-C)
// skips the delay. A signal during the delay ends it; one during the drain closes every
// connection now.
let phase: 'serving' | 'delay' | 'drain' = 'serving';

async function stop(signal: NodeJS.Signals): Promise<void> {
  if (phase === 'drain') {
    logger.warn('signal during the drain: closing every connection now', { signal });
    await http.close();
    // Not waiting for the gateway's close: it lets upstream calls still under way finish.
    process.exit(1);
  }
  if (phase === 'delay') {
    logger.info('signal during the shutdown delay: closing the listener now', { signal });
    void http.drain();
    return;
  }
  phase = 'delay';
  const delayMs = signal === 'SIGINT' ? 0 : config.shutdownDelayMs;
  const drained = http.shutdown({
    delayMs,
    onDrain: () => {
      phase = 'drain';
      logger.info('listener closed: draining in-flight requests');
    },
  });
  logger.info('shutting down: /readiness answers 503, requests are served until the listener closes', { signal, delayMs });
  let exitCode = 0;
  try {
    const { abandoned, durationMs } = await drained;
    if (abandoned > 0) {
      exitCode = 1;
      logger.warn('drain timed out: requests abandoned', { durationMs, abandoned });
    } else {
      logger.info('drained', { durationMs, abandoned });
    }
  } catch (error) {
    exitCode = 1;
    logger.error('drain failed', error);
  }
  try {
    await gateway.close();
  } catch (error) {
    exitCode = 1;
    logger.error('closing the gateway failed', error);
  }
  process.exit(exitCode);
}
// Before listening: a signal that arrives as the first line is logged still stops cleanly.
process.on('SIGTERM', (signal) => void stop(signal));
process.on('SIGINT', (signal) => void stop(signal));

try {
  const address = await http.listen(config.port, config.host);
  const url = `http://${config.host}:${address.port}${gateway.yoga.graphqlEndpoint}`;
  logger.info('listening', { url });
  if (gateway.sandbox) {
    // Imported only in sandbox mode, so a production process never loads the sandbox.
    const { DEMO_BUYER, SANDBOX_USERS } = await import('./sandbox/index.js');
    const { superAdmin } = SANDBOX_USERS;
    logger.info('GraphiQL with the sandbox demo login', {
      graphiql: url,
      demoLogin: `${DEMO_BUYER.email} / ${DEMO_BUYER.password}`,
      superAdminLogin: `${superAdmin.email} / ${superAdmin.password}`,
      storefront: gateway.sandbox.storefrontUrl,
    });
  }
} catch (error) {
  const code = (error as NodeJS.ErrnoException).code;
  logger.error('cannot listen', { host: config.host, port: config.port, code: code ?? (error as Error).message });
  await gateway.close();
  process.exit(1);
}
