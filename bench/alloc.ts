import { Session } from 'node:inspector/promises';
import { parseArgs } from 'node:util';
import { inProcessGateway } from './in-process.js';
import { killAll, startStaticResponder } from './processes.js';

/*
 * What one `login` allocates, and where: V8's sampling heap profiler over a few thousand logins
 * sent through `yoga.fetch` (`in-process.ts`), counting objects the collector has freed too.
 * Bytes allocated hardly depend on what else the machine is doing, where CPU time on a shared
 * host moves by tens of percent; the garbage is what the collector's scavenges cost (a
 * scavenge every ~90 logins under load with V8's young generation, the command's).
 *
 *   npm run build && npx tsc -p bench
 *   node dist/bench/alloc.js [dist] [--logins=200] [--loops=10] [--top=30]
 */

const { values: flags, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    logins: { type: 'string', default: '200' },
    loops: { type: 'string', default: '10' },
    top: { type: 'string', default: '30' },
  },
});

interface SamplingNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: SamplingNode[];
}

/** The package a script belongs to: the last `node_modules/<name>` of its URL (nested copies are their own). */
function packageOf(url: string): string {
  const match = /.*node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (match?.[1] !== undefined) return match[1];
  if (url.includes('/src/')) return 'gateway src/';
  return url === '' ? '(native)' : url;
}

/** Where a function is: its package, or for the gateway's own code its file (`src/…`). */
function placeOf(url: string): string {
  const owner = packageOf(url);
  return owner === 'gateway src/' ? url.slice(url.lastIndexOf('/src/') + 1) : owner;
}

async function main(): Promise<void> {
  const build = positionals[0] ?? 'dist';
  const logins = Number(flags.logins);
  const upstream = await startStaticResponder();
  const gateway = await inProcessGateway(build, upstream.ready, Number(flags.loops));
  try {
    await gateway.logins(300); // warm-up: compiled execution, JIT, pools
    const session = new Session();
    session.connect();
    await session.post('HeapProfiler.enable');
    await session.post('HeapProfiler.startSampling', { samplingInterval: 1024, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
    await gateway.logins(logins);
    const { profile } = (await session.post('HeapProfiler.stopSampling')) as { profile: { head: SamplingNode } };
    session.disconnect();

    const count = logins * gateway.loops;
    const byPackage = new Map<string, number>();
    const byFunction = new Map<string, number>();
    let total = 0;
    const add = (map: Map<string, number>, key: string, bytes: number) => map.set(key, (map.get(key) ?? 0) + bytes);
    const walk = (node: SamplingNode) => {
      const { functionName, url, lineNumber } = node.callFrame;
      total += node.selfSize;
      add(byPackage, packageOf(url), node.selfSize);
      add(byFunction, `${functionName || '(anonymous)'} ${placeOf(url)}:${lineNumber + 1}`, node.selfSize);
      node.children.forEach(walk);
    };
    walk(profile.head);

    const kb = (bytes: number) => `${(bytes / count / 1024).toFixed(2).padStart(7)} KB`;
    const rows = (map: Map<string, number>, top: number) =>
      [...map].sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, bytes]) => `${kb(bytes)}  ${name}`).join('\n');
    process.stdout.write(`## Allocated per login: ${(total / count / 1024).toFixed(1)} KB (${count} logins of ${build})\n\n`);
    process.stdout.write(`### By package\n\n\`\`\`\n${rows(byPackage, 20)}\n\`\`\`\n\n### By function (top ${flags.top})\n\n\`\`\`\n${rows(byFunction, Number(flags.top))}\n\`\`\`\n`);
  } finally {
    await gateway.close();
    killAll();
  }
}

await main();
