import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, release, totalmem } from 'node:os';

/** One target over every round. */
export interface TargetStats {
  name: string;
  requests: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
  /** Connection errors and timeouts. */
  errors: number;
  non2xx: number;
  graphqlErrors: number;
  peakRssMB: number;
  /** CPU time of the target's server process per answered request, in µs (all rounds). */
  cpuMicrosPerRequest: number;
  /** Each round on its own; `stolen`: the share of the machine's CPU the hypervisor took meanwhile. */
  rounds: Array<{ rps: number; p50: number; p99: number; peakRssMB: number; stolen: number; cpuMicrosPerRequest: number }>;
}

export interface Soak {
  /** Process start to the first served `login`, per fresh process, in ms. */
  startupMs: number[];
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
  graphqlErrors: number;
  /** Lines the gateway wrote on stderr while serving the soak's logins. */
  logLines: number;
}

export interface Check {
  name: string;
  value: string;
  target: string;
  /** Unset for a reference row, which has no target of its own. */
  pass?: boolean;
}

export interface Settings {
  /** The gateway's command (its built `cli.js`), relative to the repository. */
  gateway: string;
  /** The node flags it runs with: those `npm run start:prod` passes. */
  gatewayNodeFlags: string[];
  connections: number;
  durationSeconds: number;
  rounds: number;
  warmupSeconds: number;
  soakRequests: number;
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
    '| target | requests/s | p50 ms | p99 ms | errors | non-2xx | GraphQL errors | peak RSS MB | server CPU µs/request |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...stats.map(
      (s) =>
        `| ${s.name} | ${fixed(s.rps, 0)} | ${fixed(s.p50, 2)} | ${fixed(s.p99, 2)} | ${s.errors} | ${s.non2xx} | ${s.graphqlErrors} | ${fixed(s.peakRssMB, 0)} | ${fixed(s.cpuMicrosPerRequest, 0)} |`,
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
  const find = (prefix: string) => stats.find((s) => s.name.startsWith(prefix));
  const [login, yoga, hive] = [find('gateway `login`'), find('bare Yoga'), find('Hive Gateway')];
  if (login === undefined || yoga === undefined || hive === undefined) return '';
  const cell = (round: TargetStats['rounds'][number] | undefined) =>
    round === undefined ? 'n/a | n/a | n/a' : `${fixed(round.rps, 0)} | ${fixed(round.cpuMicrosPerRequest, 0)} | ${percent(round.stolen)}`;
  const header = (name: string) => `${name} req/s | CPU µs | steal`;
  return [
    `| round | ${header('login')} | ${header('bare Yoga')} | ${header('Hive Gateway')} | login ÷ bare Yoga | login ÷ Hive Gateway |`,
    `|---:|${'---:|'.repeat(11)}`,
    ...login.rounds.map((round, index) => {
      const [y, h] = [yoga.rounds[index], hive.rounds[index]];
      const ratio = (other: typeof y) => (other === undefined ? 'n/a' : `${fixed(round.rps / other.rps, 2)}×`);
      return `| ${index + 1} | ${cell(round)} | ${cell(y)} | ${cell(h)} | ${ratio(y)} | ${ratio(h)} |`;
    }),
  ].join('\n');
}

export function checksTable(checks: Check[]): string {
  return [
    '| check | measured | target | |',
    '|---|---:|---:|---|',
    ...checks.map((c) => `| ${c.name} | ${c.value} | ${c.target} | ${c.pass === undefined ? 'reference' : c.pass ? 'met' : '**MISSED**'} |`),
  ].join('\n');
}

export function soakTable(soak: Soak): string {
  return [
    '| measure | value |',
    '|---|---:|',
    `| start-up to first served login (ms, each fresh process) | ${soak.startupMs.map((ms) => fixed(ms, 0)).join(', ')} |`,
    `| logins served | ${soak.requests} |`,
    `| RSS while serving the first half, highest / lowest (MB) | ${fixed(soak.firstHalf.peakMB, 1)} / ${fixed(soak.firstHalf.lowMB, 1)} |`,
    `| RSS while serving the second half, highest / lowest (MB) | ${fixed(soak.secondHalf.peakMB, 1)} / ${fixed(soak.secondHalf.lowMB, 1)} |`,
    `| highest RSS sampled every 50 ms while serving (MB) | ${fixed(soak.sampledPeakRssMB, 1)} |`,
    `| peak RSS, VmHWM: the kernel's high-water mark, start-up included (MB) | ${fixed(soak.peakRssMB, 1)} |`,
    `| errors / non-2xx / GraphQL errors | ${soak.errors} / ${soak.non2xx} / ${soak.graphqlErrors} |`,
    `| gateway log lines while serving | ${soak.logLines} |`,
  ].join('\n');
}

export function writeResults(
  directory: URL,
  data: {
    machine: ReturnType<typeof machine>;
    /** Share of the machine's CPU that other processes used during the timed rounds and during the soak. */
    otherCpu: { rounds: number; soak: number };
    /** Share of the machine's CPU the hypervisor took (steal) during the timed rounds and during the soak. */
    stolenCpu: { rounds: number; soak: number };
    settings: Settings;
    targets: TargetStats[];
    soak: Soak;
    checks: Check[];
  },
): void {
  const m = data.machine;
  const s = data.settings;
  const markdown = `# Benchmark results

Written by \`npm run bench\` (bench/run.ts). Re-run it to replace this file.

**Machine:** ${m.cpu}, ${m.cores} cores, ${m.memoryGB} GB memory; Node ${m.node}; ${m.os}; commit ${m.commit}; ${m.date}.
Other processes on the machine used ${percent(data.otherCpu.rounds)} of its CPU during the timed rounds and ${percent(data.otherCpu.soak)}
during the soak (more than a few percent understates throughput; CPU µs per request is hardly affected).
The hypervisor took ${percent(data.stolenCpu.rounds)} of it during the rounds and ${percent(data.stolenCpu.soak)} during the soak (steal: time this virtual
machine had work ready but no core; it comes in bursts, so it slows whichever rounds it falls on, see the rounds table).

**Gateway:** \`node ${[...s.gatewayNodeFlags, s.gateway].join(' ')}\` (as \`npm run start:prod\` runs it) with \`NODE_ENV=production\` and the default limits.
**Load:** autocannon in its own process, ${s.connections} connections, ${s.rounds} interleaved rounds of ${s.durationSeconds} s per target
(order rotated every round) after a ${s.warmupSeconds} s warm-up each. Requests/s: all rounds' requests over all rounds' seconds;
p50/p99: over every answer of every round. Peak RSS: the target server process's highest RSS sampled during its rounds
(the three gateway rows are one process). Server CPU: user + system time of the target's own process (not of the
responder behind it) per request, from /proc; it does not depend on how the two cores were shared. Each server is its own process; the gateway and Hive Gateway call the same static responder.

${table(data.targets)}

Round by round (each round runs every target once, in rotated order, so one round's targets ran within a minute of each other):

${roundsTable(data.targets)}

## Start-up and memory (fresh gateway processes)

${soakTable(data.soak)}

## Targets of issue 5

${checksTable(data.checks)}
`;
  mkdirSync(directory, { recursive: true });
  writeFileSync(new URL('results.md', directory), markdown);
  writeFileSync(new URL('results.json', directory), `${JSON.stringify(data, null, 2)}\n`);
}
