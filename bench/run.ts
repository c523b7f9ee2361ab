import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { LoadResult, LoadSpec } from './load.js';
import {
  cpuSeconds,
  freePort,
  gatewayListening,
  killAll,
  memoryMB,
  otherCpuMeter,
  printedUrl,
  runProcess,
  sampleRss,
  sampleRssRange,
  startProdNodeFlags,
  type Started,
  startProcess,
  startStaticResponder,
  stolenCpuMeter,
} from './processes.js';
import {
  type Check,
  type Level,
  levelSection,
  machine,
  percent,
  percentile,
  type Settings,
  type Soak,
  soakTable,
  type TargetStats,
  targetsSection,
  writeResults,
} from './report.js';
import { BUYERS_PER_CONNECTION, gatewayEnvironment, HEADERS, sampleProblem, type WorkloadName, workloads } from './targets.js';

/*
 * `npm run bench`: the side-by-side benchmark (bench/README.md). Starts every server in a process
 * of its own (the static responder, a bare Yoga server, the floor, this gateway as deployed, Hive
 * Gateway in proxy mode), checks one answer of each, then at each load level (10, 50 and 200
 * connections) runs autocannon (in its own process) against each in interleaved rounds; then
 * measures the gateway's start-up and its memory over 100,000 logins in fresh processes. Prints
 * the tables and the targets (docs/performance.md) and writes bench/results.md and .json.
 * Exits 1 when any target answered an error or a bad answer; a missed target is reported, not fatal.
 */

const ROOT = new URL('../../', import.meta.url);
const BENCH_DIR = new URL('bench/', ROOT);
const path = (relative: string) => fileURLToPath(new URL(relative, ROOT));

const { values: flags } = parseArgs({
  options: {
    levels: { type: 'string', default: '10,50,200' },
    duration: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '4' },
    warmup: { type: 'string', default: '2' },
    soak: { type: 'string', default: '100000' },
    // For comparing builds: another build's command (its `cli.js`), and where that run's results go.
    gateway: { type: 'string', default: 'dist/command/src/cli.js' },
    results: { type: 'string', default: 'bench/' },
  },
});
const levels = flags.levels.split(',').map(Number);
if (levels.length === 0 || !levels.every((n) => Number.isInteger(n) && n > 0)) throw new Error(`--levels=${flags.levels}: connection counts, e.g. 10,50,200`);
const settings: Settings = {
  gateway: flags.gateway,
  gatewayNodeFlags: startProdNodeFlags(path('package.json')),
  levels,
  buyersPerConnection: BUYERS_PER_CONNECTION,
  durationSeconds: Number(flags.duration),
  rounds: Number(flags.rounds),
  warmupSeconds: Number(flags.warmup),
  soakRequests: Number(flags.soak),
  // The memory targets hold at the heaviest load the run measures.
  soakConnections: Math.max(...levels),
};

/** The level at which the stretch target (≥ 2.5× Hive Gateway) applies. */
const STRETCH_CONNECTIONS = 50;
const MAX_RSS_MB = 150;

const log = (line: string) => process.stderr.write(`${line}\n`);

function startGateway(upstreamUrl: string, port = 0): Promise<Started> {
  return startProcess({
    name: 'gateway',
    command: process.execPath,
    // As deployed: the V8 flags `npm run start:prod` passes, then the command.
    args: [...settings.gatewayNodeFlags, path(settings.gateway)],
    // No load balancer to wait for: SIGTERM drains at once, within `stop()`'s grace.
    env: { ...gatewayEnvironment(upstreamUrl, port), GATEWAY_SHUTDOWN_DELAY_MS: '0' },
    inheritEnv: false,
    ready: gatewayListening,
  });
}

interface Target {
  /** What the checks find it by. */
  key: string;
  name: string;
  server: Started;
  baseUrl: string;
  workload: WorkloadName;
}

async function sample(target: Target): Promise<void> {
  const workload = workloads[target.workload];
  const response = await fetch(target.baseUrl + workload.path, { method: 'POST', headers: HEADERS, body: workload.body(0) });
  const problem = sampleProblem(workload, response.status, await response.text());
  if (problem !== undefined) throw new Error(`${target.name}: the sample answer is not good: ${problem}`);
}

async function load(target: Target, connections: number, run: { duration?: number; amount?: number }): Promise<LoadResult> {
  const spec: LoadSpec = { url: target.baseUrl + workloads[target.workload].path, connections, workload: target.workload, ...run };
  const stdout = await runProcess(`autocannon (${target.name})`, process.execPath, [path('dist/bench/load.js'), JSON.stringify(spec)]);
  return JSON.parse(stdout) as LoadResult;
}

const failures: string[] = [];
function countFailures(name: string, result: LoadResult): void {
  const bad = { errors: result.errors + result.timeouts, 'non-2xx': result.non2xx, 'bad answers': result.badAnswers };
  for (const [kind, count] of Object.entries(bad)) {
    if (count > 0) failures.push(`${name}: ${count} ${kind} (status codes ${JSON.stringify(result.statusCodes)})`);
  }
}

async function main(): Promise<void> {
  if (!existsSync(path(settings.gateway))) throw new Error(`${settings.gateway} is missing: run \`npm run build\` first (npm run bench does)`);
  const m = machine();
  log(`bench: ${m.cpu}, ${m.cores} cores, ${m.memoryGB} GB, Node ${m.node}; ${JSON.stringify(settings)}`);

  const upstream = await startStaticResponder();
  const yoga = await startProcess({ name: 'bare Yoga', command: process.execPath, args: [path('dist/bench/bare-yoga.js')], env: { NODE_ENV: 'production' }, ready: printedUrl });
  const floor = await startProcess({
    name: 'Yoga + one upstream call',
    command: process.execPath,
    args: [path('dist/bench/yoga-login-floor.js')],
    env: { NODE_ENV: 'production', B2B_API_URL: upstream.ready },
    ready: printedUrl,
  });
  const gateway = await startGateway(upstream.ready);
  const hivePort = await freePort();
  const hive = await startProcess({
    name: 'Hive Gateway',
    command: process.execPath,
    args: [path('node_modules/@graphql-hive/gateway/dist/bin.js'), 'proxy', `${upstream.ready}/graphql`,
      '--schema', path('src/upstream/b2b-graphql/upstream-schema.graphql'), '--host', '127.0.0.1', '--port', String(hivePort), '--fork', '1'],
    // No gateway config file is looked up in bench/, and no colours in its log.
    cwd: fileURLToPath(BENCH_DIR),
    env: { NODE_ENV: 'production', NO_COLOR: '1' },
    ready: (line) => (/Listening on http:/.test(line) ? `http://127.0.0.1:${hivePort}` : undefined),
  });

  const base = (server: Started) => server.ready.replace(/\/graphql$/, '');
  const targets: Target[] = [
    { key: 'static', name: 'static responder (upstream `login`)', server: upstream, baseUrl: upstream.ready, workload: 'upstreamLogin' },
    { key: 'yoga', name: 'bare Yoga `{ __typename }`', server: yoga, baseUrl: base(yoga), workload: 'typename' },
    { key: 'floor', name: "Yoga + one upstream call (a login's floor)", server: floor, baseUrl: base(floor), workload: 'gatewayLogin' },
    { key: 'login', name: 'gateway `login`', server: gateway, baseUrl: gateway.ready, workload: 'gatewayLogin' },
    { key: 'authorization', name: 'gateway `authorization`', server: gateway, baseUrl: gateway.ready, workload: 'gatewayAuthorization' },
    { key: 'issue', name: 'gateway `issueStorefrontToken(credentials)`', server: gateway, baseUrl: gateway.ready, workload: 'gatewayIssueByCredentials' },
    { key: 'hive-login', name: 'Hive Gateway proxy, upstream `login`', server: hive, baseUrl: hive.ready, workload: 'upstreamLogin' },
    { key: 'hive-authorization', name: 'Hive Gateway proxy, upstream `authorization`', server: hive, baseUrl: hive.ready, workload: 'upstreamAuthorization' },
  ];

  for (const target of targets) await sample(target);
  log('bench: one sample answer of every target is good');

  const others = otherCpuMeter();
  const stolen = stolenCpuMeter();
  const measured: Level[] = [];
  for (const connections of settings.levels) {
    const level = await measureLevel(targets, connections);
    measured.push({ ...level, checks: levelChecks(level.targets, connections) });
  }
  const otherCpu = { rounds: others.stop(), soak: 0 };
  const stolenCpu = { rounds: stolen.stop(), soak: 0 };
  // The gateway's highest RSS from its start through every level: the kernel's high-water mark,
  // or a sample above it (the kernel moves its mark only at some points, and its RSS counters
  // are approximate, so a sample can read above it).
  const gatewayPeakRssMB = Math.max(
    memoryMB(gateway.pid, 'VmHWM'),
    ...measured.flatMap((level) => level.targets.filter((t) => OPERATIONS.some((o) => o.key === t.key)).map((t) => t.peakRssMB)),
  );
  await Promise.all([gateway.stop(), hive.stop(), yoga.stop(), floor.stop()]);

  const othersDuringSoak = otherCpuMeter();
  const stolenDuringSoak = stolenCpuMeter();
  const soak = await soakGateway(upstream.ready);
  otherCpu.soak = othersDuringSoak.stop();
  stolenCpu.soak = stolenDuringSoak.stop();
  await upstream.stop();

  const results = { machine: m, otherCpu, stolenCpu, settings, levels: measured, soak, checks: memoryChecks(gatewayPeakRssMB, soak) };
  const resultsDir = new URL(flags.results.endsWith('/') ? flags.results : `${flags.results}/`, ROOT);
  writeResults(resultsDir, results);
  const busy = Math.max(otherCpu.rounds, otherCpu.soak) > 0.05 ? '  WARNING: the numbers are understated.' : '';
  process.stdout.write(`\nOther processes used ${percent(otherCpu.rounds)} of the CPU during the rounds, ${percent(otherCpu.soak)} during the soak.${busy}\n`);
  process.stdout.write(`The hypervisor took ${percent(stolenCpu.rounds)} of it during the rounds, ${percent(stolenCpu.soak)} during the soak (steal).\n\n`);
  for (const level of measured) process.stdout.write(`${levelSection(level, '##')}\n\n`);
  process.stdout.write(`## Start-up and memory (fresh gateway processes)\n\n${soakTable(soak)}\n\n`);
  process.stdout.write(`# Targets\n\n${targetsSection(results, '##')}\n\nWritten to ${flags.results}results.md and results.json.\n`);

  if (failures.length > 0) {
    process.stderr.write(`\nBENCH FAILED: targets answered errors:\n${failures.map((f) => `  - ${f}`).join('\n')}\n`);
    process.exitCode = 1;
  }
}

interface PerTarget {
  results: LoadResult[];
  peakRssMB: number;
  roundPeaksMB: number[];
  /** Per round: the share of the machine's CPU the hypervisor took while it ran. */
  roundStolen: number[];
  /** Per round: the server process's CPU µs per answered request. */
  roundCpuMicros: number[];
  cpuSeconds: number;
}

/** One level: a warm-up of every target, then the rounds, each target once per round in rotated order. */
async function measureLevel(targets: Target[], connections: number): Promise<Omit<Level, 'checks'>> {
  log(`bench: ${connections} connections: warming up`);
  for (const target of targets) countFailures(`${target.name} (${connections} connections, warm-up)`, await load(target, connections, { duration: settings.warmupSeconds }));

  const others = otherCpuMeter();
  const stolen = stolenCpuMeter();
  const perTarget = new Map<Target, PerTarget>(targets.map((t) => [t, { results: [], peakRssMB: 0, roundPeaksMB: [], roundStolen: [], roundCpuMicros: [], cpuSeconds: 0 }]));
  for (let round = 0; round < settings.rounds; round++) {
    // Rotated each round, so no target always runs first or right after the same neighbour.
    const order = targets.map((_, index) => targets[(index + round) % targets.length] as Target);
    for (const target of order) {
      const rss = sampleRss(target.server.pid);
      const cpuBefore = cpuSeconds(target.server.pid);
      const stolenInRound = stolenCpuMeter();
      const result = await load(target, connections, { duration: settings.durationSeconds });
      const entry = perTarget.get(target) as PerTarget;
      const roundCpuSeconds = cpuSeconds(target.server.pid) - cpuBefore;
      entry.cpuSeconds += roundCpuSeconds;
      entry.roundCpuMicros.push((roundCpuSeconds * 1e6) / result.requests);
      entry.roundStolen.push(stolenInRound.stop());
      const roundPeak = rss.stop();
      entry.peakRssMB = Math.max(entry.peakRssMB, roundPeak);
      entry.roundPeaksMB.push(roundPeak);
      entry.results.push(result);
      countFailures(`${target.name} (${connections} connections)`, result);
      log(`bench: ${connections} connections, round ${round + 1}/${settings.rounds} ${target.name}: ${Math.round(result.requests / result.seconds)} req/s, peak RSS ${Math.round(roundPeak)} MB`);
    }
  }
  return {
    connections,
    otherCpu: others.stop(),
    stolenCpu: stolen.stop(),
    targets: targets.map((target) => summarise(target, perTarget.get(target) as PerTarget)),
  };
}

function summarise(target: Target, entry: PerTarget): TargetStats {
  const all = new Float64Array(entry.results.flatMap((r) => r.latenciesMs)).sort();
  const requests = entry.results.reduce((sum, r) => sum + r.requests, 0);
  const seconds = entry.results.reduce((sum, r) => sum + r.seconds, 0);
  return {
    key: target.key,
    name: target.name,
    requests,
    seconds,
    rps: requests / seconds,
    p50: percentile(all, 50),
    p99: percentile(all, 99),
    errors: entry.results.reduce((sum, r) => sum + r.errors + r.timeouts, 0),
    non2xx: entry.results.reduce((sum, r) => sum + r.non2xx, 0),
    badAnswers: entry.results.reduce((sum, r) => sum + r.badAnswers, 0),
    peakRssMB: entry.peakRssMB,
    cpuMicrosPerRequest: (entry.cpuSeconds * 1e6) / requests,
    rounds: entry.results.map((r, index) => {
      const sorted = new Float64Array(r.latenciesMs).sort();
      return {
        rps: r.requests / r.seconds,
        p50: percentile(sorted, 50),
        p99: percentile(sorted, 99),
        peakRssMB: entry.roundPeaksMB[index] ?? Number.NaN,
        stolen: entry.roundStolen[index] ?? Number.NaN,
        cpuMicrosPerRequest: entry.roundCpuMicros[index] ?? Number.NaN,
      };
    }),
  };
}

/**
 * Three fresh gateway processes, each timed from spawn to its first served `login` (polling
 * every 2 ms); the last then serves 2 × half the soak's logins at the heaviest level's
 * connections. Its RSS is sampled every 50 ms through each half: a leak shows as a second half
 * whose highest (and lowest) RSS is above the first's, while one reading at a random moment
 * mostly tells where the collector happened to be.
 */
async function soakGateway(upstreamUrl: string): Promise<Soak> {
  const login = workloads.gatewayLogin;
  const startupMs: number[] = [];
  let gateway: Started | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    await gateway?.stop();
    const port = await freePort();
    const spawnedAt = performance.now();
    const starting = startGateway(upstreamUrl, port);
    let failed: unknown;
    starting.catch((error: unknown) => {
      failed = error;
    });
    for (;;) {
      if (failed !== undefined) throw failed;
      if (performance.now() - spawnedAt > 15_000) throw new Error('gateway: no login served 15 s after start-up');
      const answer = await fetch(`http://127.0.0.1:${port}/graphql`, { method: 'POST', headers: HEADERS, body: login.body(0) }).catch(() => undefined);
      if (answer !== undefined) {
        const problem = sampleProblem(login, answer.status, await answer.text());
        if (problem !== undefined) throw new Error(`gateway: the first login after start-up is not good: ${problem}`);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    startupMs.push(performance.now() - spawnedAt);
    gateway = await starting;
  }
  const target: Target = { key: 'soak', name: 'gateway `login` (soak)', server: gateway as Started, baseUrl: (gateway as Started).ready, workload: 'gatewayLogin' };
  const connections = settings.soakConnections;
  log(`bench: start-up ${startupMs.map(Math.round).join(', ')} ms; soak of ${settings.soakRequests} logins at ${connections} connections`);
  const linesBefore = target.server.lines;
  const half = Math.floor(settings.soakRequests / 2);
  const sampled = sampleRss(target.server.pid);
  const firstRange = sampleRssRange(target.server.pid);
  const first = await load(target, connections, { amount: half });
  const firstHalf = firstRange.stop();
  const secondRange = sampleRssRange(target.server.pid);
  const second = await load(target, connections, { amount: half });
  const secondHalf = secondRange.stop();
  const sampledPeakRssMB = sampled.stop();
  const peakRssMB = memoryMB(target.server.pid, 'VmHWM');
  const logLines = target.server.lines - linesBefore;
  await target.server.stop();
  countFailures(target.name, first);
  countFailures(target.name, second);
  return {
    startupMs,
    connections,
    requests: first.requests + second.requests,
    firstHalf,
    secondHalf,
    sampledPeakRssMB,
    peakRssMB,
    errors: first.errors + first.timeouts + second.errors + second.timeouts,
    non2xx: first.non2xx + second.non2xx,
    badAnswers: first.badAnswers + second.badAnswers,
    logLines,
  };
}

/**
 * Each gateway operation against Hive Gateway proxying the same upstream call and against bare
 * Yoga. Hive Gateway's proxy mode forwards GraphQL only: `issueStorefrontToken(credentials)`,
 * which calls REST upstream, is held against its `login`, the same credentials for one call.
 */
const OPERATIONS = [
  { key: 'login', name: '`login`', hive: 'hive-login', hiveName: '`login`' },
  { key: 'authorization', name: '`authorization`', hive: 'hive-authorization', hiveName: '`authorization`' },
  { key: 'issue', name: '`issueStorefrontToken(credentials)`', hive: 'hive-login', hiveName: '`login`' },
] as const;

// Rounded down, so a ratio a hair under its target (0.698×) never prints as the target itself.
const times = (value: number) => `${(Math.floor(value * 100 + 1e-9) / 100).toFixed(2)}×`;

function levelChecks(stats: TargetStats[], connections: number): Check[] {
  const find = (key: string) => {
    const found = stats.find((s) => s.key === key);
    if (found === undefined) throw new Error(`no target ${key}`);
    return found;
  };
  const yoga = find('yoga');
  const floor = find('floor');
  const checks: Check[] = [];
  for (const operation of OPERATIONS) {
    const gateway = find(operation.key);
    const hive = find(operation.hive);
    const overHive = gateway.rps / hive.rps;
    checks.push(
      { name: `${operation.name} ÷ Hive Gateway ${operation.hiveName}, throughput`, value: times(overHive), target: '≥ 2.00×', pass: overHive >= 2 },
      { name: `${operation.name} vs Hive Gateway ${operation.hiveName}, p99`, value: `${gateway.p99.toFixed(2)} vs ${hive.p99.toFixed(2)} ms`, target: 'lower', pass: gateway.p99 < hive.p99 },
      { name: `${operation.name} ÷ bare Yoga, throughput`, value: times(gateway.rps / yoga.rps), target: '≥ 0.70×', pass: gateway.rps / yoga.rps >= 0.7 },
    );
    if (connections === STRETCH_CONNECTIONS) {
      checks.push({ name: `${operation.name} ÷ Hive Gateway ${operation.hiveName}, throughput (stretch)`, value: times(overHive), target: '≥ 2.50×', pass: overHive >= 2.5, stretch: true });
    }
    // The same comparisons by server CPU per request, which depends less on how a shared host's
    // cores were given out than requests/s do: what the ratios would be, CPU-bound alike.
    checks.push({
      name: `${operation.name} by server CPU per request: Hive Gateway ÷ gateway, bare Yoga ÷ gateway`,
      value: `${times(hive.cpuMicrosPerRequest / gateway.cpuMicrosPerRequest)}, ${times(yoga.cpuMicrosPerRequest / gateway.cpuMicrosPerRequest)}`,
      target: '(2.00×, 0.70× asked of throughput)',
    });
  }
  const gatewayPeak = Math.max(...OPERATIONS.map((operation) => find(operation.key).peakRssMB));
  checks.push(
    { name: 'gateway peak RSS sampled during these rounds', value: `${gatewayPeak.toFixed(1)} MB`, target: `≤ ${MAX_RSS_MB} MB`, pass: gatewayPeak <= MAX_RSS_MB },
    // What the throughput targets would give a login that does nothing but the upstream call.
    { name: 'Yoga + one upstream call (no gateway work) ÷ Hive Gateway `login`, ÷ bare Yoga', value: `${times(floor.rps / find('hive-login').rps)}, ${times(floor.rps / yoga.rps)}`, target: '(2.00×, 0.70× asked of the gateway)' },
  );
  return checks;
}

function memoryChecks(gatewayPeakRssMB: number, soak: Soak): Check[] {
  const growth = soak.secondHalf.peakMB - soak.firstHalf.peakMB;
  const slowestStart = Math.max(...soak.startupMs);
  const soakPeak = Math.max(soak.peakRssMB, soak.sampledPeakRssMB);
  return [
    { name: `gateway peak RSS from start through every level (${settings.levels.join(', ')} connections; VmHWM or a higher sample)`, value: `${gatewayPeakRssMB.toFixed(1)} MB`, target: `≤ ${MAX_RSS_MB} MB`, pass: gatewayPeakRssMB <= MAX_RSS_MB },
    { name: `gateway peak RSS over ${soak.requests} logins at ${soak.connections} connections (fresh process; VmHWM or a higher sample)`, value: `${soakPeak.toFixed(1)} MB`, target: `≤ ${MAX_RSS_MB} MB`, pass: soakPeak <= MAX_RSS_MB },
    { name: 'RSS growth over those logins, second half vs first (highest RSS sampled in each)', value: `${growth.toFixed(1)} MB`, target: '< 10 MB', pass: growth < 10 },
    { name: 'start-up to first served login (slowest of 3)', value: `${slowestStart.toFixed(0)} ms`, target: '< 1000 ms', pass: slowestStart < 1000 },
  ];
}

try {
  await main();
} catch (error) {
  process.stderr.write(`\nBENCH FAILED: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
} finally {
  killAll();
}
