// The part of autocannon 9's API the load generator uses (the package ships no types).
declare module 'autocannon' {
  interface Client {
    setBody(body: string): void;
    /** The requests this connection sends in turn, each built once. */
    setRequests(requests: Array<{ body: string }>): void;
  }
  interface Options {
    url: string;
    method?: string;
    connections?: number;
    duration?: number;
    amount?: number;
    headers?: Record<string, string>;
    body?: string;
    setupClient?: (client: Client) => void;
    verifyBody?: (body: string) => boolean;
    timeout?: number;
  }
  interface Result {
    duration: number;
    errors: number;
    timeouts: number;
    mismatches: number;
    non2xx: number;
    '2xx': number;
    statusCodeStats: Record<string, { count: number }>;
    requests: { total: number; sent: number; average: number };
  }
  interface Instance extends PromiseLike<Result> {
    on(event: 'response', listener: (client: Client, statusCode: number, bytes: number, responseTimeMs: number) => void): this;
  }
  function autocannon(options: Options): Instance;
  export default autocannon;
}
