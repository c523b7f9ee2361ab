// The processes of the field (redis-server, HAProxy, replicas of the built command) and a client
// that reaches the gateways only through HAProxy, from a source address of its choice.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isDeepStrictEqual } from 'node:util';
import type { Sandbox } from '../../src/sandbox/index.js';

export const IN_CI = process.env['CI'] === 'true';

/** The first of `candidates` (or `$variable` when set) that runs with `versionFlag`. */
export function findBinary(variable: string, candidates: string[], versionFlag = '-v'): string | undefined {
  const paths = process.env[variable] ? [process.env[variable]] : candidates;
  return paths.find((path) => spawnSync(path, [versionFlag], { stdio: 'ignore' }).status === 0);
}

/** A port nobody listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

/** How a child process ended. */
export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A child process with its output kept, for waiting on a line and for failure messages. */
export interface Child {
  name: string;
  process: ChildProcess;
  /** stdout and stderr, interleaved as received. */
  output(): string;
  /** Resolves once the output matches `pattern`; rejects if the process exits first or after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  exited: Promise<Exit>;
  /** Sends `signal` (unless it has exited) and resolves with how it ended. */
  stop(signal?: NodeJS.Signals): Promise<Exit>;
}

// Children still running when this process ends (a crash, a killed test run): never left behind.
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export function spawnChild(name: string, command: string, args: string[], env: Record<string, string> = {}): Child {
  const child = spawn(command, args, { env: { PATH: process.env['PATH'] ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let output = '';
  const listeners = new Set<() => void>();
  const append = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    for (const listener of [...listeners]) listener();
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  const exited = new Promise<Exit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let ended: Exit | undefined;
  void exited.then((exit) => (ended = exit));
  return {
    name,
    process: child,
    output: () => output,
    waitFor: (pattern, timeoutMs = 15_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const match = pattern.exec(output);
          if (match) {
            done();
            resolve(match);
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`${name} did not print ${pattern} within ${timeoutMs} ms:\n${tail(output)}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        void exited.then((exit) => {
          if (!listeners.has(check)) return;
          done();
          reject(new Error(`${name} exited (${JSON.stringify(exit)}) before printing ${pattern}:\n${tail(output)}`));
        });
        check();
      }),
    exited,
    async stop(signal = 'SIGTERM') {
      if (ended === undefined && child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** The last lines of a process's output, for an error message. */
export const tail = (output: string, lines = 40) => output.trimEnd().split('\n').slice(-lines).join('\n');

/** redis-server without persistence on `port`, once it accepts connections. */
export async function startRedisServer(path: string, port: number): Promise<Child> {
  const child = spawnChild('redis-server', path, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']);
  await child.waitFor(/Ready to accept connections/);
  return child;
}

/** Where HAProxy listens and what it balances. */
export interface HaproxySetup {
  /** A folder of this run's own, for the configuration file. */
  folder: string;
  /** The frontend clients talk to. */
  port: number;
  /** The statistics page (`/stats;csv`). */
  statsPort: number;
  /** The replicas, by server name. */
  servers: Record<string, number>;
}

/**
 * HAProxy as a deployment would put it in front of the replicas: round robin, the client's
 * address appended to `X-Forwarded-For`, health checks on `/readiness`, a failed connection
 * retried on the other replica. Each answer says which replica gave it (`X-Replica`).
 */
export function haproxyConfig(setup: HaproxySetup): string {
  return `global
  maxconn 4096
  log stderr format raw local0 info

defaults
  mode http
  log global
  option httplog
  option forwardfor
  timeout connect 1s
  timeout client 30s
  timeout server 30s
  timeout http-request 10s
  timeout http-keep-alive 10s
  timeout queue 10s
  timeout check 1s
  retries 2
  option redispatch
  default-server inter 500ms fall 2 rise 2

frontend gateways
  bind 127.0.0.1:${setup.port}
  default_backend replicas

backend replicas
  balance roundrobin
  option httpchk GET /readiness
  http-check expect status 200
  http-response set-header X-Replica %s
${Object.entries(setup.servers)
  .map(([name, port]) => `  server ${name} 127.0.0.1:${port} check`)
  .join('\n')}

listen stats
  bind 127.0.0.1:${setup.statsPort}
  stats enable
  stats uri /stats
`;
}

/** HAProxy in the foreground (`-db`), once its statistics page answers. */
export async function startHaproxy(path: string, setup: HaproxySetup): Promise<Child> {
  const file = join(setup.folder, 'haproxy.cfg');
  writeFileSync(file, haproxyConfig(setup));
  const child = spawnChild('haproxy', path, ['-db', '-f', file]);
  for (const started = performance.now(); performance.now() - started < 10_000; await sleep(50)) {
    if (child.process.exitCode !== null) break;
    try {
      await serverStates(setup.statsPort);
      return child;
    } catch {
      // Not listening yet.
    }
  }
  await child.stop('SIGKILL');
  throw new Error(`haproxy did not start:\n${tail(child.output())}`);
}

/** What HAProxy's statistics say of each replica: `UP`, `DOWN`, `UP 1/2` (going down), … */
export async function serverStates(statsPort: number): Promise<Record<string, string>> {
  const response = await fetch(`http://127.0.0.1:${statsPort}/stats;csv`);
  if (!response.ok) throw new Error(`haproxy stats: HTTP ${response.status}`);
  const [header = '', ...rows] = (await response.text()).trim().split('\n');
  const columns = header.replace(/^# /, '').split(',');
  const at = (name: string) => columns.indexOf(name);
  const states: Record<string, string> = {};
  for (const row of rows) {
    const cells = row.split(',');
    const server = cells[at('svname')];
    if (cells[at('pxname')] === 'replicas' && server !== 'BACKEND' && server !== undefined) states[server] = cells[at('status')] ?? '';
  }
  return states;
}

/** Resolves once HAProxy's statistics match `wanted` (every server named); throws after `timeoutMs`. */
export async function untilServers(statsPort: number, wanted: Record<string, string>, timeoutMs = 10_000): Promise<void> {
  let states: Record<string, string> = {};
  for (const started = performance.now(); performance.now() - started < timeoutMs; await sleep(50)) {
    states = await serverStates(statsPort);
    if (isDeepStrictEqual(states, wanted)) return;
  }
  throw new Error(`haproxy servers ${JSON.stringify(states)}, not ${JSON.stringify(wanted)}, after ${timeoutMs} ms`);
}

/** One answer as a client behind HAProxy sees it. */
export interface Answer {
  /**
   * `token` for a login's token issued over B2B GraphQL (and nothing else in the body); else the
   * first GraphQL error's `extensions.code`; `HTTP <status> <content type>` for an answer that is
   * not GraphQL JSON (HAProxy's own 503 page); `connection error <code>` when there was none.
   */
  outcome: string;
  status: number;
  /** The replica that answered (`X-Replica`, set by HAProxy), when one did. */
  replica: string | undefined;
  /** The `Connection` header of the answer. */
  connection: string | undefined;
  body: unknown;
}

/** How a client reaches the gateways: its source address, a keep-alive pool and extra headers. */
export interface ClientOptions {
  /** The source address (`127.x.y.z`), so HAProxy sees another client. */
  localAddress: string;
  agent?: Agent;
  headers?: Record<string, string>;
}

const JWT = /^eyJ[\w-]+\.[\w-]+\.[\w-]+$/;

/** The sign-in every client sends: the token and how it was issued, nothing else. */
const LOGIN_TOKEN = /* GraphQL */ `
  mutation Login($input: LoginInput!) {
    login(input: $input) { token { value via } }
  }
`;

/** Sends a `login` through HAProxy at `port` and says what came back. Never rejects. */
export function login(port: number, email: string, password: string, client: ClientOptions): Promise<Answer> {
  const body = JSON.stringify({ query: LOGIN_TOKEN, variables: { input: { email, password } } });
  return new Promise((resolve) => {
    const failed = (error: NodeJS.ErrnoException) =>
      resolve({ outcome: `connection error ${error.code ?? error.message}`, status: 0, replica: undefined, connection: undefined, body: undefined });
    const request = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path: '/graphql',
        method: 'POST',
        localAddress: client.localAddress,
        agent: client.agent,
        timeout: 20_000,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...client.headers },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('error', failed);
        response.on('end', () => {
          const status = response.statusCode ?? 0;
          const replica = response.headers['x-replica'] as string | undefined;
          const connection = response.headers.connection;
          const type = response.headers['content-type'] ?? '';
          if (!/json/.test(type)) return resolve({ outcome: `HTTP ${status} ${type.split(';')[0]}`, status, replica, connection, body: text });
          const parsed = JSON.parse(text) as { data?: { login?: { token?: { value?: unknown } } }; errors?: Array<{ extensions?: { code?: string } }> };
          resolve({ outcome: outcomeOf(parsed), status, replica, connection, body: parsed });
        });
      },
    );
    request.on('timeout', () => request.destroy(Object.assign(new Error('no answer within 20 s'), { code: 'CLIENT_TIMEOUT' })));
    request.on('error', failed);
    request.end(body);
  });
}

function outcomeOf(body: { data?: { login?: { token?: { value?: unknown } } }; errors?: Array<{ extensions?: { code?: string } }> }): string {
  const value = body.data?.login?.token?.value;
  if (typeof value === 'string' && JWT.test(value) && isDeepStrictEqual(body, { data: { login: { token: { value, via: 'GRAPHQL_LOGIN' } } } })) return 'token';
  return body.errors?.[0]?.extensions?.code ?? `unexpected body ${JSON.stringify(body).slice(0, 200)}`;
}

/** Answers counted by outcome, e.g. `{ token: 48, RATE_LIMITED: 2 }`. */
export function tally(answers: readonly Answer[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const answer of answers) counts[answer.outcome] = (counts[answer.outcome] ?? 0) + 1;
  return counts;
}

/** Answers counted by the replica that gave them (`haproxy` when none did). */
export function byReplica(answers: readonly Answer[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const answer of answers) counts[answer.replica ?? 'haproxy'] = (counts[answer.replica ?? 'haproxy'] ?? 0) + 1;
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}

/** How many requests the sandbox received that carry `email` (a B2B GraphQL login or a REST credentials call). */
export function upstreamAttempts(sandbox: Sandbox, email: string): number {
  const quoted = JSON.stringify(email);
  return sandbox.requests.filter((request) => JSON.stringify(request.body ?? null).includes(quoted)).length;
}

/** A replica of the built command (`cli.js`) on `port`, once its `/health` answers 200. */
export async function startReplica(name: string, cli: string, port: number, env: Record<string, string>): Promise<Child> {
  const child = spawnChild(`replica ${name}`, process.execPath, [cli], { ...env, PORT: String(port), HOST: '127.0.0.1' });
  for (const started = performance.now(); performance.now() - started < 15_000; await sleep(50)) {
    if (child.process.exitCode !== null) break;
    const status = await fetch(`http://127.0.0.1:${port}/health`).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 200) return child;
  }
  await child.stop('SIGKILL');
  throw new Error(`${child.name} did not start:\n${tail(child.output())}`);
}

/** Polls HAProxy's statistics and keeps every change of a replica's state, with when it happened. */
export function watchServers(statsPort: number, since = performance.now()): { changes: string[]; stop(): Promise<void> } {
  const changes: string[] = [];
  let last: Record<string, string> = {};
  let running = true;
  const polling = (async () => {
    while (running) {
      const states = await serverStates(statsPort).catch(() => ({}) as Record<string, string>);
      for (const [name, state] of Object.entries(states)) {
        if (last[name] !== state) changes.push(`${Math.round(performance.now() - since)} ms: ${name} ${state}`);
      }
      last = states;
      await sleep(50);
    }
  })();
  return {
    changes,
    async stop() {
      running = false;
      await polling;
    },
  };
}

/**
 * HAProxy's log lines (`option httplog`) of requests that did not end as a plain 200: their
 * termination state (e.g. `SD--`, the server closed the connection) says who cut what.
 */
export function unusualRequests(haproxyOutput: string): string[] {
  return haproxyOutput
    .split('\n')
    .filter((line) => / "(GET|POST) /.test(line) && !line.includes('stats/<STATS>') && !/ 200 \d+ - - ---- /.test(line));
}
