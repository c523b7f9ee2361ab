import autocannon from 'autocannon';
import { fileURLToPath } from 'node:url';
import { gatewayListening, killAll, startProcess } from './processes.js';

/*
 * `npm run bench:promotion`: under load, what a login allocates must die young. Runs the built
 * command (`dist/command/src/cli.js`, as the package's `bin` runs it) with `--trace-gc-nvp` in
 * front of the build's sandbox, sends 1,000 logins to warm it up and then 5,000 more from 10
 * connections, and adds up the bytes V8's scavenges promoted to the old generation during those
 * 5,000 (the `promoted=` of each `gc=s` line). Exits 1 when a login promotes 4,000 bytes or more,
 * or when too few scavenges ran to tell.
 *
 * A login's objects that reach the old generation (through V8's allocation-site pretenuring, or
 * an answer held in flight in a `Set`) keep young objects alive until the next full collection,
 * which then comes far more often: `src/cli.ts` turns pretenuring off for this.
 */

const WARM_UP_LOGINS = 1_000;
const LOGINS = 5_000;
/** The most a login may promote, in bytes. */
const THRESHOLD_BYTES = 4_000;
/** Fewer scavenges than this measure nothing: a login allocates ~150 KB, a scavenge frees ~16 MB. */
const MIN_SCAVENGES = 10;

const COMMAND = fileURLToPath(new URL('../command/src/cli.js', import.meta.url));

/** What this file uses of the build's sandbox (`dist/src/sandbox/`, beside this file's `dist/bench/`). */
interface SandboxModule {
  createSandbox(options: { rateLimit: number }): Promise<{ url: string; storeHash: string; authToken: string; close(): Promise<void> }>;
  DEMO_BUYER: { email: string; password: string };
}
const { createSandbox, DEMO_BUYER } = (await import(new URL('../src/sandbox/index.js', import.meta.url).href)) as SandboxModule;

const LOGIN = /* GraphQL */ `
  mutation Login($input: LoginInput!) {
    login(input: $input) { token { value via } }
  }
`;

async function main(): Promise<number> {
  const upstream = await createSandbox({ rateLimit: 1_000_000 });
  // V8 prints a line per collection on stdout: `gc=s` for a scavenge, with the bytes it promoted.
  const gateway = await startProcess({
    name: 'gateway',
    command: process.execPath,
    args: ['--trace-gc-nvp', COMMAND],
    inheritEnv: false,
    env: {
      PATH: process.env['PATH'] ?? '',
      B2B_API_URL: upstream.url,
      B2B_STORE_HASH: upstream.storeHash,
      B2B_AUTH_TOKEN: upstream.authToken,
      HOST: '127.0.0.1',
      PORT: '0',
      // One account from one address thousands of times: no credential budget may refuse it.
      GATEWAY_RATE_LIMIT_ACCOUNT_PER_MINUTE: '0',
      GATEWAY_RATE_LIMIT_ACCOUNT_PER_HOUR: '0',
      GATEWAY_RATE_LIMIT_ADDRESS_PER_MINUTE: '0',
      GATEWAY_RATE_LIMIT_ADDRESS_PER_HOUR: '0',
      GATEWAY_MIN_FAILED_LOGIN_MS: '0',
      GATEWAY_SHUTDOWN_DELAY_MS: '0',
    },
    ready: gatewayListening,
  });
  let stdout = '';
  gateway.child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  try {
    const body = JSON.stringify({ query: LOGIN, variables: { input: { email: DEMO_BUYER.email, password: DEMO_BUYER.password } } });
    const load = async (amount: number) => {
      // Every answer a login's: a token, no GraphQL error (those come with HTTP 200).
      const verifyBody = (answer: string) => answer.includes('"via":"GRAPHQL_LOGIN"') && !answer.includes('"errors"');
      const result = await autocannon({ url: `${gateway.ready}/graphql`, method: 'POST', connections: 10, amount, headers: { 'content-type': 'application/json' }, body, verifyBody });
      const failed = result.non2xx + result.errors + result.timeouts + result.mismatches;
      if (failed > 0) throw new Error(`${failed} of ${amount} logins failed (non-2xx ${result.non2xx}, errors ${result.errors}, timeouts ${result.timeouts}, bad answers ${result.mismatches})`);
    };
    await load(WARM_UP_LOGINS);
    const from = stdout.length;
    await load(LOGINS);
    const scavenges = stdout.slice(from).split('\n').filter((line) => / gc=s /.test(line));
    const promoted = scavenges.reduce((sum, line) => sum + Number(/ promoted=(\d+)/.exec(line)?.[1] ?? NaN), 0);
    const perLogin = promoted / LOGINS;

    process.stdout.write(`${JSON.stringify({ logins: LOGINS, scavenges: scavenges.length, promotedBytes: promoted, promotedBytesPerLogin: Math.round(perLogin), thresholdBytesPerLogin: THRESHOLD_BYTES })}\n`);
    if (scavenges.length <= MIN_SCAVENGES) {
      process.stderr.write(`promotion: only ${scavenges.length} scavenges during ${LOGINS} logins, too few to measure\n`);
      return 1;
    }
    // NaN (a `gc=s` line without `promoted=`) fails too.
    if (!(perLogin < THRESHOLD_BYTES)) {
      process.stderr.write(`promotion: a login promoted ${Math.round(perLogin)} bytes to the old generation, more than ${THRESHOLD_BYTES}\n`);
      return 1;
    }
    return 0;
  } finally {
    await gateway.stop();
    await upstream.close();
  }
}

try {
  process.exitCode = await main();
} catch (error) {
  process.stderr.write(`promotion: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
} finally {
  killAll();
}
