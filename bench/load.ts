import autocannon from 'autocannon';
import net from 'node:net';
import { answerStart, connectionBodies, HEADERS, type WorkloadName, workloads } from './targets.js';

/*
 * The load generator, run by `run.ts` in a process of its own so that it never shares an event
 * loop with a measured server. It takes a {@link LoadSpec} as JSON in argv[2], runs autocannon
 * once and prints one {@link LoadResult} as JSON on stdout. It builds the workload's bodies itself
 * (`BUYERS_PER_CONNECTION` per connection, too many for a command line) before the clock starts.
 */

/** One run against one target. */
export interface LoadSpec {
  url: string;
  connections: number;
  /** Seconds; ignored when `amount` is set. */
  duration?: number;
  /** Requests to complete, then stop. */
  amount?: number;
  /** What to send (`targets.ts`); every connection cycles through bodies of buyers of its own. */
  workload: WorkloadName;
}

export interface LoadResult {
  requests: number;
  seconds: number;
  /** Connection errors (refused, reset). */
  errors: number;
  timeouts: number;
  non2xx: number;
  /**
   * Answers whose body is not the workload's good answer (`answerStart`, and no `"errors"`
   * anywhere): GraphQL errors in a 200 answer are counted here, as are non-2xx answers.
   */
  badAnswers: number;
  statusCodes: Record<string, number>;
  /** Every answer's latency in ms, 0.01 ms resolution (autocannon's own histogram has 1 ms). */
  latenciesMs: number[];
}

const spec = JSON.parse(process.argv[2] ?? '') as LoadSpec;

// Every connection from a loopback address of its own (127.1.0.1, 127.1.0.2, …), as every browser
// is a client of its own: no address budget of the gateway's rate limiter is shared. Autocannon
// has no option for it; it opens its connections with `net.connect(port, host)`.
const connect = net.connect.bind(net);
let opened = 0;
net.connect = ((port: number, host: string) => {
  const index = opened++ % spec.connections;
  return connect({ port, host, localAddress: `127.1.${Math.floor(index / 250)}.${(index % 250) + 1}` });
}) as typeof net.connect;

const workload = workloads[spec.workload];
const start = answerStart(workload);
const requests = Array.from({ length: spec.connections }, (_, connection) => connectionBodies(workload, connection).map((body) => ({ body })));
let nextConnection = 0;
const latencies: number[] = [];

const instance = autocannon({
  url: spec.url,
  method: 'POST',
  connections: spec.connections,
  ...(spec.amount === undefined ? { duration: spec.duration ?? 5 } : { amount: spec.amount }),
  headers: HEADERS,
  timeout: 10,
  setupClient(client) {
    // Autocannon builds each request's bytes once here and sends them in turn.
    client.setRequests(requests[nextConnection++ % requests.length] ?? []);
  },
  // A GraphQL error arrives with HTTP 200; a non-2xx alone would not catch it.
  verifyBody: (body) => body.startsWith(start) && !body.includes('"errors"'),
});
instance.on('response', (_client, _status, _bytes, responseTimeMs) => {
  latencies.push(Math.round(responseTimeMs * 100) / 100);
});

const result = await instance;
const output: LoadResult = {
  requests: result.requests.total,
  seconds: result.duration,
  errors: result.errors,
  timeouts: result.timeouts,
  non2xx: result.non2xx,
  badAnswers: result.mismatches,
  statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, stats]) => [code, stats.count])),
  latenciesMs: latencies,
};
process.stdout.write(`${JSON.stringify(output)}\n`);
