import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, release, totalmem } from 'node:os';

/** One target at one load level, over every round. */
export interface TargetStats {
  /** Stable name the checks find the target by (`login`, `hive-login`, …). */
  key: string;
  name: string;
  requests: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
  /** Connection errors and timeouts. */
  errors: number;
  non2xx: number;
  /** Answers that are not the expected token shape (GraphQL errors in a 200 answer among them). */
  badAnswers: number;
  peakRssMB: number;
  /** CPU time of the target's server process per answered request, in µs (all rounds). */
  cpuMicrosPerRequest: number;
  /** Each round on its own; `stolen`: the share of the machine's CPU the hypervisor took meanwhile. */
  rounds: Array<{ rps: number; p50: number; p99: number; peakRssMB: number; stolen: number; cpuMicrosPerRequest: number }>;
}

/** Every target at one number of connections, and the targets' checks there. */
export interface Level {
  connections: number;
  /** Share of the machine's CPU that other processes used during this level's rounds. */
  otherCpu: number;
  /** Share of the machine's CPU the hypervisor took (steal) during this level's rounds. */
  stolenCpu: number;
  targets: TargetStats[];
  checks: Check[];
}

export interface Soak {
  /** Process start to the first served `login`, per fresh process, in ms. */
  startupMs: number[];
  connections: number;
  requests: number;
  /** Highest and lowest RSS sampled (every 50 ms) while serving each half of the soak. */
  firstHalf: { peakMB: number; lowMB: number };
  secondHalf: { peakMB: number; lowMB: number };
  /** The highest RSS sampled (every 50 ms) while serving the soak. */
  sampledPeakRssMB: number;
  /** VmHWM: the process's highest RSS, start-up included. */
  peakRssMB: number;
  errors: number;
  non2xx: number;
  badAnswers: number;
  /** Lines the gateway wrote on stderr while serving the soak's logins. */
  logLines: number;
}

export interface Check {
  name: string;
  value: string;
  target: string;
  /** Unset for a reference row, which has no target of its own. */
  pass?: boolean;
  /** A target beyond the required ones: missing it is reported, not a failure. */
  stretch?: boolean;
}

export interface Settings {
  /** The gateway's command (its built `cli.js`), relative to the repository. */
  gateway: string;
  /** The node flags it runs with: those `npm run start:prod` passes. */
  gatewayNodeFlags: string[];
  /** Load connections of each level, in the order they run. */
  levels: number[];
  buyersPerConnection: number;
  durationSeconds: number;
  rounds: number;
  warmupSeconds: number;
  soakRequests: number;
  soakConnections: number;
}

export interface Results {
  machine: ReturnType<typeof machine>;
  /** Share of the machine's CPU that other processes used during all timed rounds and during the soak. */
  otherCpu: { rounds: number; soak: number };
  /** Share of the machine's CPU the hypervisor took (steal) during all timed rounds and during the soak. */
  stolenCpu: { rounds: number; soak: number };
  settings: Settings;
  levels: Level[];
  soak: Soak;
  /** Start-up and memory: the targets that hold for the whole run rather than per level. */
  checks: Check[];
}

export function machine() {
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    if (execFileSync('git', ['status', '--porcelain', '--', 'src'], { encoding: 'utf8' }).trim() !== '') commit += ' (src modified)';
  } catch {
    // Not a git checkout.
  }
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: availableParallelism(),
    memoryGB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    os: `${process.platform} ${release()}`,
    commit,
    date: new Date().toISOString(),
  };
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

export const percent = (share: number) => `${(share * 100).toFixed(1)}%`;

const fixed = (value: number, digits: number) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');

export function table(stats: TargetStats[]): string {
  const rows = [
    '| target | requests/s | p50 ms | p99 ms | errors | non-2xx | bad answers | peak RSS MB | server CPU µs/request |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...stats.map(
      (s) =>
        `| ${s.name} | ${fixed(s.rps, 0)} | ${fixed(s.p50, 2)} | ${fixed(s.p99, 2)} | ${s.errors} | ${s.non2xx} | ${s.badAnswers} | ${fixed(s.peakRssMB, 0)} | ${fixed(s.cpuMicrosPerRequest, 0)} |`,
    ),
  ];
  return rows.join('\n');
}

/**
 * The gateway's `login` against bare Yoga and Hive Gateway round by round: requests/s, server
 * CPU µs per request and the steal during each target's own round. A throughput ratio that moves
 * while the CPU per request stays was moved by the host, not by the code.
 */
export function roundsTable(stats: TargetStats[]): string {
  const find = (key: string) => stats.find((s) => s.key === key);
  const [login, yoga, hive] = [find('login'), find('yoga'), find('hive-login')];
  if (login === undefined || yoga === undefined || hive === undefined) return '';
  const cell = (round: TargetStats['rounds'][number] | undefined) =>
    round === undefined ? 'n/a | n/a | n/a' : `${fixed(round.rps, 0)} | ${fixed(round.cpuMicrosPerRequest, 0)} | ${percent(round.stolen)}`;
  const header = (name: string) => `${name} req/s | CPU µs | steal`;
  return [
    `| round | ${header('login')} | ${header('bare Yoga')} | ${header('Hive Gateway login')} | login ÷ bare Yoga | login ÷ Hive Gateway |`,
    `|---:|${'---:|'.repeat(11)}`,
    ...login.rounds.map((round, index) => {
      const [y, h] = [yoga.rounds[index], hive.rounds[index]];
      const ratio = (other: typeof y) => (other === undefined ? 'n/a' : `${fixed(round.rps / other.rps, 2)}×`);
      return `| ${index + 1} | ${cell(round)} | ${cell(y)} | ${cell(h)} | ${ratio(y)} | ${ratio(h)} |`;
    }),
  ].join('\n');
}

const verdict = (check: Check) => {
  if (check.pass === undefined) return 'reference';
  if (check.pass) return 'met';
  return check.stretch === true ? 'missed (stretch)' : '**MISSED**';
};

export function checksTable(checks: Check[]): string {
  return ['| check | measured | target | |', '|---|---:|---:|---|', ...checks.map((c) => `| ${c.name} | ${c.value} | ${c.target} | ${verdict(c)} |`)].join('\n');
}

export function soakTable(soak: Soak): string {
  return [
    '| measure | value |',
    '|---|---:|',
    `| start-up to first served login (ms, each fresh process) | ${soak.startupMs.map((ms) => fixed(ms, 0)).join(', ')} |`,
    `| logins served (${soak.connections} connections) | ${soak.requests} |`,
    `| RSS while serving the first half, highest / lowest (MB) | ${fixed(soak.firstHalf.peakMB, 1)} / ${fixed(soak.firstHalf.lowMB, 1)} |`,
    `| RSS while serving the second half, highest / lowest (MB) | ${fixed(soak.secondHalf.peakMB, 1)} / ${fixed(soak.secondHalf.lowMB, 1)} |`,
    `| highest RSS sampled every 50 ms while serving (MB) | ${fixed(soak.sampledPeakRssMB, 1)} |`,
    `| peak RSS, VmHWM: the kernel's high-water mark, start-up included (MB) | ${fixed(soak.peakRssMB, 1)} |`,
    `| errors / non-2xx / bad answers | ${soak.errors} / ${soak.non2xx} / ${soak.badAnswers} |`,
    `| gateway log lines while serving | ${soak.logLines} |`,
  ].join('\n');
}

/** The pass/fail tables: one per level, then start-up and memory. */
export function targetsSection(results: Pick<Results, 'levels' | 'checks'>, heading: string): string {
  return [
    ...results.levels.map((level) => `${heading} ${level.connections} connections\n\n${checksTable(level.checks)}`),
    `${heading} Start-up and memory\n\n${checksTable(results.checks)}`,
  ].join('\n\n');
}

/** One level's measurements: every target, then the rounds of `login`, bare Yoga and Hive Gateway. */
export function levelSection(level: Level, heading: string): string {
  return `${heading} Measured at ${level.connections} connections

Other processes used ${percent(level.otherCpu)} of the machine's CPU during these rounds; the hypervisor took ${percent(level.stolenCpu)}.

${table(level.targets)}

${roundsTable(level.targets)}`;
}

export function writeResults(directory: URL, results: Results): void {
  const m = results.machine;
  const s = results.settings;
  const markdown = `# Benchmark results

Written by \`npm run bench\` (bench/run.ts); each run replaces this file. How to read it: [README.md](README.md).

**Machine:** ${m.cpu}, ${m.cores} cores, ${m.memoryGB} GB memory; Node ${m.node}; ${m.os}. Commit ${m.commit}, ${m.date}.
Other processes on the machine used ${percent(results.otherCpu.rounds)} of its CPU during the timed rounds and ${percent(results.otherCpu.soak)}
during the soak (more than a few percent understates throughput; CPU µs per request is hardly affected).
The hypervisor took ${percent(results.stolenCpu.rounds)} of it during the rounds and ${percent(results.stolenCpu.soak)} during the soak (steal: time this virtual
machine had work ready but no core; it comes in bursts, so it slows whichever rounds it falls on, see the rounds tables).

**Gateway:** \`node ${[...s.gatewayNodeFlags, s.gateway].join(' ')}\` (as \`npm run start:prod\` runs it) with \`NODE_ENV=production\` and the default limits.
**Load:** autocannon in its own process at ${s.levels.join(', ')} connections, each connection cycling through ${s.buyersPerConnection} buyers of its own
(every request another buyer; all from 127.0.0.1, so every request shares the address's budgets). Per level, ${s.rounds} interleaved rounds of
${s.durationSeconds} s per target (order rotated every round) after a ${s.warmupSeconds} s warm-up each. Requests/s: all rounds' requests over all rounds'
seconds; p50/p99: over every answer of every round. Bad answers: bodies that are not the expected token (GraphQL errors in a 200 answer
among them). Peak RSS: the target server process's highest RSS sampled during its rounds (the three gateway rows are one process,
the two Hive Gateway rows another). Server CPU: user + system time of the target's own process (not of the responder behind it) per
request, from /proc. Each server is its own process; the gateway, the floor and Hive Gateway call the same static responder.
Hive Gateway proxies GraphQL only, so \`issueStorefrontToken(credentials)\`, a REST call upstream, is held against its \`login\`.

## Targets

${targetsSection(results, '###')}

## Measurements

${results.levels.map((level) => levelSection(level, '###')).join('\n\n')}

### Start-up and memory (fresh gateway processes)

${soakTable(results.soak)}
`;
  mkdirSync(directory, { recursive: true });
  writeFileSync(new URL('results.md', directory), markdown);
  writeFileSync(new URL('results.json', directory), `${JSON.stringify(results, null, 2)}\n`);
}
