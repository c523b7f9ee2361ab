import autocannon from 'autocannon';

/*
 * The load generator, run by `run.ts` in a process of its own so that it never shares an event
 * loop with a measured server. It takes a {@link LoadSpec} as JSON in argv[2], runs autocannon
 * once and prints one {@link LoadResult} as JSON on stdout.
 */

/** One run against one target. */
export interface LoadSpec {
  url: string;
  connections: number;
  /** Seconds; ignored when `amount` is set. */
  duration?: number;
  /** Requests to complete, then stop. */
  amount?: number;
  headers: Record<string, string>;
  /** Request bodies, one per connection in turn (each connection keeps its own body). */
  bodies: string[];
}

export interface LoadResult {
  requests: number;
  seconds: number;
  /** Connection errors (refused, reset). */
  errors: number;
  timeouts: number;
  non2xx: number;
  /** 2xx answers whose body carried a GraphQL `errors` entry. */
  graphqlErrors: number;
  statusCodes: Record<string, number>;
  /** Every answer's latency in ms, 0.01 ms resolution (autocannon's own histogram has 1 ms). */
  latenciesMs: number[];
}

const spec = JSON.parse(process.argv[2] ?? '') as LoadSpec;
let nextBody = 0;
const latencies: number[] = [];

const instance = autocannon({
  url: spec.url,
  method: 'POST',
  connections: spec.connections,
  ...(spec.amount === undefined ? { duration: spec.duration ?? 5 } : { amount: spec.amount }),
  headers: spec.headers,
  timeout: 10,
  setupClient(client) {
    client.setBody(spec.bodies[nextBody++ % spec.bodies.length] ?? '');
  },
  // A GraphQL error arrives with HTTP 200; a non-2xx alone would not catch it.
  verifyBody: (body) => !body.includes('"errors"'),
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
  graphqlErrors: result.mismatches,
  statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, stats]) => [code, stats.count])),
  latenciesMs: latencies,
};
process.stdout.write(`${JSON.stringify(output)}\n`);
