import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { inProcessGateway } from './in-process.js';
import { killAll, startProdNodeFlags, startStaticResponder } from './processes.js';

/*
 * A/B of gateway builds by the CPU one `login` costs, for changes too small for `npm run bench`
 * to see (its rounds differ by ±5 % run to run; this tells apart ~5 µs in ~290):
 *
 *   npm run build -- scratch/a && (change something) && npm run build -- scratch/b && npx tsc -p bench
 *   node dist/bench/ab.js scratch/a scratch/b [--rounds=9] [--requests=1000] [--loops=10]
 *
 * Each build runs in a process of its own (with the V8 flags `start:prod` runs the gateway with) that makes the gateway with
 * `createGateway` and sends it logins through `yoga.fetch`, `loops` at a time, against one static
 * responder: no HTTP server and no load generator share the CPU with it, so what it measures is
 * the gateway's own work, the upstream exchange included. Rounds alternate between the builds,
 * each starting with a different one; the table gives the median, lowest and highest CPU
 * (user + system, all threads) per login over the rounds.
 */

const ROOT = new URL('../../', import.meta.url);
const { values: flags, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    rounds: { type: 'string', default: '9' },
    requests: { type: 'string', default: '1000' },
    loops: { type: 'string', default: '10' },
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
  ask(count: number): Promise<number>;
}

function startBuild(dir: string, upstreamUrl: string, loops: number): Build {
  // start:prod's flags, and the one `cli.ts` sets at run time.
  const nodeFlags = [...startProdNodeFlags(fileURLToPath(new URL('package.json', ROOT))), '--heap-growing-percent=50'];
  const script = fileURLToPath(import.meta.url);
  const child = spawn(process.execPath, [...nodeFlags, script, `--child=${dir}`, `--upstream=${upstreamUrl}`, `--loops=${loops}`], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const next = async () => {
    const { value, done } = await lines.next();
    if (done) throw new Error(`bench ab: the process of ${dir} ended`);
    return value as string;
  };
  const ready = next();
  return {
    dir,
    process: child,
    async ask(count) {
      await ready;
      child.stdin!.write(`${count}\n`);
      return Number(await next());
    },
  };
}

async function main(): Promise<void> {
  if (flags.child !== undefined && flags.upstream !== undefined) {
    await child(flags.child, flags.upstream, Number(flags.loops));
    return;
  }
  if (positionals.length === 0) throw new Error('usage: node dist/bench/ab.js <build dir> [<build dir>…] [--rounds=9] [--requests=1000]');
  const rounds = Number(flags.rounds);
  const requests = Number(flags.requests);
  const upstream = await startStaticResponder();
  const builds = positionals.map((dir) => startBuild(dir, upstream.ready, Number(flags.loops)));
  try {
    for (const build of builds) await build.ask(300); // warm-up: compiled execution, JIT, pools
    const cpu = builds.map((): number[] => []);
    for (let round = 0; round < rounds; round++) {
      for (let k = 0; k < builds.length; k++) {
        const index = (k + round) % builds.length;
        cpu[index]!.push(await builds[index]!.ask(requests));
      }
    }
    process.stdout.write(
      `CPU per login, ${rounds} rounds of ${requests * Number(flags.loops)} logins\n\n` +
        '| build | median µs | lowest | highest | ÷ the first, median of the rounds |\n|---|---:|---:|---:|---:|\n',
    );
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    builds.forEach(({ dir }, index) => {
      const values = cpu[index]!;
      // Each round's figure over the first build's in the same round, the median of those ratios.
      const ratio = index === 0 ? '' : `${median(values.map((value, round) => value / cpu[0]![round]!)).toFixed(3)}×`;
      process.stdout.write(`| ${dir} | ${median(values).toFixed(1)} | ${Math.min(...values).toFixed(1)} | ${Math.max(...values).toFixed(1)} | ${ratio} |\n`);
    });
  } finally {
    // End of input ends a build's loop: it closes its gateway and exits.
    const ended = (build: Build) => build.process.exitCode !== null || build.process.signalCode !== null;
    await Promise.all(builds.map((build) => (ended(build) ? undefined : new Promise((done) => build.process.once('exit', done).stdin!.end()))));
    killAll();
  }
}

await main();
