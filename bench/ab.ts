import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { inProcessGateway } from './in-process.js';
import { killAll, startProdNodeFlags, startStaticResponder } from './processes.js';

/*
 * A/B of gateway builds by the CPU one `login` costs, for changes too small for `npm run bench`
 * to see (its rounds differ by ±5 % run to run; this tells apart ~5 µs in ~290):
 *
 *   npm run build -- scratch/a && (change something) && npm run build -- scratch/b && npx tsc -p bench
 *   node dist/bench/ab.js scratch/a scratch/b [--rounds=9] [--requests=1000] [--loops=10] [--warmup=300]
 *
 * Each build runs in a process of its own (with the V8 flags `start:prod` runs the gateway with) that makes the gateway with
 * `createGateway` and sends it logins through `yoga.fetch`, `loops` at a time, against one static
 * responder: no HTTP server and no load generator share the CPU with it, so what it measures is
 * the gateway's own work, the upstream exchange included. Rounds alternate between the builds,
 * each starting with a different one; the table gives the median, lowest and highest CPU
 * (user + system, all threads) per login over the rounds.
 *
 * With `--measure=instructions` each build's process runs under valgrind's callgrind instead,
 * and a round's figure is the user-space instructions per login, counted only while that round's
 * logins run (`callgrind_control` turns counting on and off) by V8 run with `--predictable` (no
 * concurrent compilation or collection). The count does not depend on what else the host does,
 * so it tells apart changes far smaller than CPU time can on a shared host; it leaves out what
 * the kernel does (socket reads and writes) and what cache misses cost, so a change that counts
 * fewer instructions is not yet one that runs faster. About 50 times slower:
 * `--requests=200 --rounds=5` takes ~5 minutes for two builds.
 */

const ROOT = new URL('../../', import.meta.url);
const run = promisify(execFile);
const { values: flags, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    rounds: { type: 'string', default: '9' },
    requests: { type: 'string', default: '1000' },
    loops: { type: 'string', default: '10' },
    measure: { type: 'string', default: 'cpu' },
    warmup: { type: 'string' },
    child: { type: 'string' },
    upstream: { type: 'string' },
  },
});

/** A build's side: make its gateway, then on each line "N" run N logins per loop and print CPU µs per login. */
async function child(buildDir: string, upstreamUrl: string, loops: number): Promise<void> {
  const gateway = await inProcessGateway(buildDir, upstreamUrl, loops);
  process.stdout.write('ready\n');
  for await (const line of createInterface({ input: process.stdin })) {
    const count = Number(line);
    const before = process.cpuUsage();
    await gateway.logins(count);
    const used = process.cpuUsage(before);
    process.stdout.write(`${(used.user + used.system) / (count * loops)}\n`);
  }
  await gateway.close();
}

interface Build {
  dir: string;
  process: ChildProcess;
  /** Runs `count` logins per loop, not measured. */
  warm(count: number): Promise<void>;
  /** Runs `count` logins per loop; what one login cost. */
  ask(count: number): Promise<number>;
}

type Measure = 'cpu' | 'instructions';

function startBuild(dir: string, upstreamUrl: string, loops: number, measure: Measure, index: number): Build {
  // start:prod's flags, and the ones `cli.ts` sets at run time.
  const nodeFlags = [...startProdNodeFlags(fileURLToPath(new URL('package.json', ROOT))), '--heap-growing-percent=50', '--no-allocation-site-pretenuring'];
  const script = fileURLToPath(import.meta.url);
  const node = [...nodeFlags, script, `--child=${dir}`, `--upstream=${upstreamUrl}`, `--loops=${loops}`];
  const counts = join(tmpdir(), `ab-callgrind-${process.pid}-${index}`);
  const child =
    measure === 'cpu'
      ? spawn(process.execPath, node, { stdio: ['pipe', 'pipe', 'inherit'] })
      : spawn('valgrind', ['--tool=callgrind', '--instr-atstart=no', `--callgrind-out-file=${counts}`, process.execPath, '--predictable', ...node], {
          stdio: ['pipe', 'pipe', 'ignore'],
        });
  let failed = '';
  child.once('error', (error: NodeJS.ErrnoException) => {
    failed = error.code === 'ENOENT' && measure === 'instructions' ? ': valgrind is not installed (apt-get install valgrind)' : `: ${error.message}`;
  });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const next = async () => {
    const { value, done } = await lines.next();
    if (done) throw new Error(`bench ab: the process of ${dir} ended${failed}`);
    return value as string;
  };
  const ready = next();
  const logins = async (count: number) => {
    await ready;
    child.stdin!.write(`${count}\n`);
    return Number(await next());
  };
  const warm = async (count: number) => void (await logins(count));
  if (measure === 'cpu') return { dir, process: child, warm, ask: logins };

  // What callgrind writes as the process ends: only counts outside the rounds.
  child.once('exit', () => void rm(counts, { force: true }));
  let dumps = 0;
  const callgrind = (...args: string[]) => run('callgrind_control', [...args, String(child.pid)]);
  return {
    dir,
    process: child,
    warm,
    async ask(count) {
      await ready;
      await callgrind('--instr=on');
      await logins(count);
      await callgrind('--instr=off');
      // A dump writes the counts since the last one to a file of its own, and zeroes them.
      await callgrind('--dump');
      const file = `${counts}.${++dumps}`;
      const totals = /^totals: (\d+)/m.exec(await readFile(file, 'utf8'))?.[1];
      await rm(file);
      if (totals === undefined) throw new Error(`bench ab: no totals in callgrind's ${file}`);
      return Number(totals) / (count * loops);
    },
  };
}

async function main(): Promise<void> {
  if (flags.child !== undefined && flags.upstream !== undefined) {
    await child(flags.child, flags.upstream, Number(flags.loops));
    return;
  }
  if (positionals.length === 0) throw new Error('usage: node dist/bench/ab.js <build dir> [<build dir>…] [--rounds=9] [--requests=1000] [--warmup=N] [--measure=cpu|instructions]');
  const rounds = Number(flags.rounds);
  const requests = Number(flags.requests);
  const measure = flags.measure;
  if (measure !== 'cpu' && measure !== 'instructions') throw new Error(`bench ab: --measure is cpu or instructions, not ${measure}`);
  const upstream = await startStaticResponder();
  const builds = positionals.map((dir, index) => startBuild(dir, upstream.ready, Number(flags.loops), measure, index));
  try {
    // Warm-up: compiled execution, JIT, pools (longer under callgrind: V8 run with --predictable
    // takes more logins to settle). Counted instructions do not depend on what else runs, so
    // under callgrind the builds run their rounds side by side.
    const together = measure === 'instructions';
    const warmup = Number(flags.warmup ?? (together ? 1000 : 300));
    if (together) await Promise.all(builds.map((build) => build.warm(warmup)));
    else for (const build of builds) await build.warm(warmup);
    // In trials the first round counted after the warm-up came out 35–55 % above the later
    // ones, whichever the build: it is run and left out.
    if (together) await Promise.all(builds.map((build) => build.ask(requests)));
    const figures = builds.map((): number[] => []);
    for (let round = 0; round < rounds; round++) {
      const order = builds.map((_, k) => (k + round) % builds.length);
      const measureOne = async (index: number) => figures[index]!.push(await builds[index]!.ask(requests));
      if (together) await Promise.all(order.map(measureOne));
      else for (const index of order) await measureOne(index);
    }
    const [what, unit, scale] = measure === 'cpu' ? ['CPU', 'µs', 1] : ['Instructions', 'thousands', 1e-3];
    process.stdout.write(
      `${what} per login, ${rounds} rounds of ${requests * Number(flags.loops)} logins\n\n` +
        `| build | median ${unit} | lowest | highest | ÷ the first, median of the rounds | ÷ the first, round by round |\n|---|---:|---:|---:|---:|---|\n`,
    );
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    const shown = (value: number) => (value * scale).toFixed(1);
    builds.forEach(({ dir }, index) => {
      const values = figures[index]!;
      // Each round's figure over the first build's in the same round, the median of those ratios.
      const ratios = values.map((value, round) => value / figures[0]![round]!);
      const [ratio, byRound] = index === 0 ? ['', ''] : [`${median(ratios).toFixed(3)}×`, ratios.map((r) => r.toFixed(3)).join(', ')];
      process.stdout.write(`| ${dir} | ${shown(median(values))} | ${shown(Math.min(...values))} | ${shown(Math.max(...values))} | ${ratio} | ${byRound} |\n`);
    });
  } finally {
    // End of input ends a build's loop: it closes its gateway and exits.
    const ended = (build: Build) => build.process.exitCode !== null || build.process.signalCode !== null;
    await Promise.all(builds.map((build) => (ended(build) ? undefined : new Promise((done) => build.process.once('exit', done).stdin!.end()))));
    killAll();
  }
}

await main();
