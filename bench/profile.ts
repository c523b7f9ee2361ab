import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { LoadResult, LoadSpec } from './load.js';
import { gatewayListening, killAll, runProcess, startProdNodeFlags, startProcess, startStaticResponder } from './processes.js';
import { gatewayEnvironment, type WorkloadName } from './targets.js';

/*
 * CPU profile of the gateway under load (`node --cpu-prof`), summarised as text: where one
 * request's CPU time goes, top-down (the flame) and bottom-up (self time by function and by
 * package). Run after `npm run build && npx tsc -p bench`:
 *
 *   node dist/bench/profile.js [--workload=login|authorization|issue] [--seconds=10] [--connections=10]
 *     [--threshold=1.5] (% of busy time a frame needs to appear in the flame) [--top=60]
 *     [--gateway=dist/src/cli.js] (another build's command, e.g. one to compare with; run with start:prod's flags)
 *
 * By default it profiles the unbundled command, the same code as the bundled one `start:prod`
 * runs (`dist/command/`): there every frame's file names its package, which the summary by
 * package needs; in the bundle a frame names only its chunk.
 */

const ROOT = new URL('../../', import.meta.url);
const path = (relative: string) => fileURLToPath(new URL(relative, ROOT));
const { values: flags } = parseArgs({
  options: {
    workload: { type: 'string', default: 'login' },
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '10' },
    threshold: { type: 'string', default: '1.5' },
    top: { type: 'string', default: '60' },
    gateway: { type: 'string', default: 'dist/src/cli.js' },
  },
});
const workloads: Record<string, WorkloadName> = { login: 'gatewayLogin', authorization: 'gatewayAuthorization', issue: 'gatewayIssueByCredentials' };
const workload = workloads[flags.workload] ?? 'gatewayLogin';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const load = async (url: string, seconds: number): Promise<LoadResult> => {
  const connections = Number(flags.connections);
  const spec: LoadSpec = { url: `${url}/graphql`, connections, duration: seconds, workload };
  return JSON.parse(await runProcess('autocannon', process.execPath, [path('dist/bench/load.js'), JSON.stringify(spec)])) as LoadResult;
};

const shortUrl = (url: string) =>
  url
    .replace(/^file:\/\//, '')
    .replace(/^.*\/node_modules\//, '')
    .replace(/^.*\/dist\/src\//, 'src/');

const frameName = (node: ProfileNode) => {
  const { functionName, url, lineNumber } = node.callFrame;
  return url === '' ? functionName || '(anonymous)' : `${functionName || '(anonymous)'} ${shortUrl(url)}:${lineNumber + 1}`;
};

const packageOf = (node: ProfileNode) => {
  const { url, functionName } = node.callFrame;
  if (url === '') return functionName; // (garbage collector), (program), (idle), native
  if (url.startsWith('node:')) return 'node: internals';
  const inModules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (inModules?.[1] !== undefined) return inModules[1];
  return /\/dist\/src\//.test(url) ? 'gateway src/' : url;
};

function summarise(profile: CpuProfile, requests: number): string {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, index) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0)));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const idle = [...self].filter(([id]) => byId.get(id)?.callFrame.functionName === '(idle)').reduce((a, [, t]) => a + t, 0);
  const busy = total - idle;
  const perRequest = (micros: number) => `${(micros / requests).toFixed(1)} µs`;
  const share = (micros: number) => `${((100 * micros) / busy).toFixed(1)}%`;

  const inclusive = new Map<number, number>();
  const visit = (id: number): number => {
    const node = byId.get(id) as ProfileNode;
    const sum = (self.get(id) ?? 0) + (node.children ?? []).reduce((acc, child) => acc + visit(child), 0);
    inclusive.set(id, sum);
    return sum;
  };
  const rootId = profile.nodes[0]?.id as number;
  visit(rootId);

  const lines: string[] = [];
  lines.push(`${requests} requests in the profile; busy CPU ${(busy / 1000).toFixed(0)} ms = ${perRequest(busy)} per request (idle excluded).`, '');

  lines.push(
    `### Top-down (the flame of one request: frames with ≥ ${flags.threshold}% of busy time; promise plumbing left out, and a chain`,
    '### of frames that pass their time on almost whole is printed as one line, `first › … › last`)',
    '',
    '```',
  );
  const threshold = (Number(flags.threshold) / 100) * busy;
  const timeOf = (id: number) => inclusive.get(id) ?? 0;
  const plumbing = (id: number) => /promise-helpers/.test(byId.get(id)?.callFrame.url ?? '');
  // The significant children of a frame, looking through promise plumbing.
  const childrenOf = (id: number): number[] =>
    (byId.get(id)?.children ?? [])
      .flatMap((child) => (plumbing(child) ? childrenOf(child) : [child]))
      .filter((child) => timeOf(child) >= threshold && byId.get(child)?.callFrame.functionName !== '(idle)')
      .sort((a, b) => timeOf(b) - timeOf(a));
  const walk = (id: number, depth: number) => {
    const chain = [id];
    for (;;) {
      const next = childrenOf(chain[chain.length - 1] as number);
      const only = next[0];
      if (next.length !== 1 || only === undefined || timeOf(only) < 0.9 * timeOf(id)) break;
      chain.push(only);
    }
    const last = chain[chain.length - 1] as number;
    const label =
      chain.length === 1
        ? frameName(byId.get(id) as ProfileNode)
        : `${frameName(byId.get(id) as ProfileNode)} › ${chain.length > 2 ? `… (${chain.length - 2}) › ` : ''}${frameName(byId.get(last) as ProfileNode)}`;
    lines.push(`${'  '.repeat(Math.min(depth, 20))}${share(timeOf(id)).padStart(6)} ${perRequest(timeOf(id)).padStart(10)}  ${label}`);
    for (const child of childrenOf(last)) walk(child, depth + 1);
  };
  for (const child of childrenOf(rootId)) walk(child, 0);
  lines.push('```', '');

  // Inclusive time per function wherever it appears: each sample counts once per function on its stack.
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const byFunction = new Map<string, number>();
  for (const [id, time] of self) {
    if (byId.get(id)?.callFrame.functionName === '(idle)') continue;
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) seen.add(frameName(byId.get(at) as ProfileNode));
    for (const name of seen) byFunction.set(name, (byFunction.get(name) ?? 0) + time);
  }

  const bySelf = new Map<string, number>();
  const byPackage = new Map<string, number>();
  for (const [id, time] of self) {
    const node = byId.get(id) as ProfileNode;
    if (node.callFrame.functionName === '(idle)') continue;
    bySelf.set(frameName(node), (bySelf.get(frameName(node)) ?? 0) + time);
    byPackage.set(packageOf(node), (byPackage.get(packageOf(node)) ?? 0) + time);
  }
  const top = (map: Map<string, number>, count: number) =>
    [...map].sort((a, b) => b[1] - a[1]).slice(0, count).map(([name, time]) => `${share(time).padStart(6)} ${perRequest(time).padStart(10)}  ${name}`);
  lines.push('### Self time by package', '', '```', ...top(byPackage, 20), '```', '');
  lines.push('### Self time by function (top 30)', '', '```', ...top(bySelf, 30), '```', '');
  const interesting = new Map([...byFunction].filter(([name]) => !/promise-helpers|^\(|processTicksAndRejections|runMicrotasks/.test(name)));
  lines.push(`### Inclusive time by function (top ${flags.top})`, '', '```', ...top(interesting, Number(flags.top)), '```');
  return lines.join('\n');
}

try {
  const upstream = await startStaticResponder();
  const directory = mkdtempSync(join(tmpdir(), 'gateway-cpu-prof-'));
  const gateway = await startProcess({
    name: 'gateway',
    command: process.execPath,
    args: ['--cpu-prof', `--cpu-prof-dir=${directory}`, '--cpu-prof-interval=250', ...startProdNodeFlags(path('package.json')), path(flags.gateway)],
    env: gatewayEnvironment(upstream.ready, 0),
    inheritEnv: false,
    ready: gatewayListening,
  });
  const warm = await load(gateway.ready, 3);
  const measured = await load(gateway.ready, Number(flags.seconds));
  await gateway.stop(15_000);
  await upstream.stop();
  const file = readdirSync(directory).find((name) => name.endsWith('.cpuprofile'));
  if (file === undefined) throw new Error('the gateway wrote no .cpuprofile');
  const profile = JSON.parse(readFileSync(join(directory, file), 'utf8')) as CpuProfile;
  rmSync(directory, { recursive: true, force: true });
  const bad = warm.non2xx + warm.badAnswers + measured.non2xx + measured.badAnswers + measured.errors;
  process.stdout.write(`## CPU profile: gateway \`${flags.workload}\`, ${flags.connections} connections, ${Math.round(measured.requests / measured.seconds)} req/s${bad ? ` (${bad} BAD ANSWERS)` : ''}\n\n`);
  // The profile covers the warm-up too: per-request figures divide by every request served.
  process.stdout.write(`${summarise(profile, warm.requests + measured.requests)}\n`);
} finally {
  killAll();
}
