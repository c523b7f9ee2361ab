import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/*
 * Child processes of the benchmark: started in a process group of their own, so that stopping one
 * also stops anything it started, and all stopped whatever way the benchmark ends (success, a
 * thrown error, Ctrl-C).
 */

const running = new Set<ChildProcess>();

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

/** Kills every child still running, at once. Synchronous, so it works in an `exit` handler. */
export function killAll(): void {
  for (const child of running) killGroup(child, 'SIGKILL');
  running.clear();
}

process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    process.stderr.write(`\nbench: ${signal}, stopping every child process\n`);
    killAll();
    process.exit(130);
  });
}

export interface Started {
  name: string;
  pid: number;
  child: ChildProcess;
  /** What `ready` returned for the first matching output line. */
  ready: string;
  /** The last lines the process wrote (stdout and stderr), for error messages. */
  output: string[];
  /** Lines written so far, stdout and stderr. */
  readonly lines: number;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process has exited. */
  stop(graceMs?: number): Promise<void>;
}

export interface StartOptions {
  name: string;
  command: string;
  args: string[];
  /** Added to this process's environment, or the whole environment with `inheritEnv: false`. */
  env?: Record<string, string>;
  /** @default true */
  inheritEnv?: boolean;
  cwd?: string;
  /** Reads each output line; the first non-undefined answer means "ready". */
  ready: (line: string) => string | undefined;
  timeoutMs?: number;
}

/** The base URL a benchmark server prints as its first line, `{"url": …}`; `undefined` for any other line. */
export const printedUrl = (line: string): string | undefined => (line.startsWith('{"url"') ? (JSON.parse(line) as { url: string }).url : undefined);

/** The gateway's base URL from its `listening` log line (a JSON object); `undefined` for any other line. */
export const gatewayListening = (line: string): string | undefined => {
  if (!line.startsWith('{')) return undefined;
  const entry = JSON.parse(line) as { msg?: string; url?: string };
  return entry.msg === 'listening' ? entry.url?.replace(/\/graphql$/, '') : undefined;
};

/** The static responder (`static-upstream.ts`, built beside this file) in a process of its own; `ready` is its base URL. */
export function startStaticResponder(): Promise<Started> {
  return startProcess({ name: 'static responder', command: process.execPath, args: [fileURLToPath(new URL('static-upstream.js', import.meta.url))], ready: printedUrl });
}

/** Spawns a process and waits until it says it is ready. */
export function startProcess(options: StartOptions): Promise<Started> {
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: options.inheritEnv === false ? options.env : { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  running.add(child);
  const output: string[] = [];
  let lines = 0;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => running.delete(child));

  const stop = async (graceMs = 5_000) => {
    killGroup(child, 'SIGTERM');
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };

  return new Promise<Started>((resolve, reject) => {
    let settled = false;
    const fail = (reason: string) => {
      if (settled) return;
      settled = true;
      void stop(0);
      reject(new Error(`${options.name}: ${reason}\n--- last output ---\n${output.slice(-20).join('\n')}`));
    };
    const timer = setTimeout(() => fail(`not ready after ${options.timeoutMs ?? 30_000} ms`), options.timeoutMs ?? 30_000);
    const onLine = (line: string) => {
      lines += 1;
      output.push(line);
      if (output.length > 200) output.shift();
      if (settled) return;
      const ready = options.ready(line);
      if (ready === undefined) return;
      settled = true;
      clearTimeout(timer);
      resolve({
        name: options.name,
        pid: child.pid as number,
        child,
        ready,
        output,
        get lines() {
          return lines;
        },
        stop,
      });
    };
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', onLine);
    createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', onLine);
    child.once('error', (error) => fail(error.message));
    child.once('exit', (code, signal) => fail(`exited (${signal ?? `code ${code}`}) before it was ready`));
  });
}

/** Runs a process to its end and returns its stdout; rejects on a non-zero exit. */
export function runProcess(name: string, command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    running.add(child);
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      running.delete(child);
      if (code === 0) resolve(Buffer.concat(stdout).toString('utf8'));
      else reject(new Error(`${name} exited (${signal ?? `code ${code}`}): ${Buffer.concat(stderr).toString('utf8').slice(-2000)}`));
    });
  });
}

/** A field of `/proc/<pid>/status` in MB (`VmRSS`: resident now, `VmHWM`: the peak so far). */
export function memoryMB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (match?.[1] === undefined) throw new Error(`no ${field} for process ${pid}`);
  return Number(match[1]) / 1024;
}

/** CPU time a process has used so far (user and system), in seconds, from `/proc/<pid>/stat`. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may hold spaces: utime is the 14th field.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

// The kernel's USER_HZ, 100 on every Linux Node supports.
const CLOCK_TICKS = 100;

/** The machine's CPU time so far, all cores, from `/proc/stat`'s first line: user … steal, in ticks. */
function machineTicks(): number[] {
  const [, ...fields] = (readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '').trim().split(/\s+/);
  return fields.slice(0, 8).map(Number);
}

/**
 * CPU time every core of the machine has spent running something so far (not idle, not waiting
 * for I/O, not stolen by the hypervisor), in seconds.
 */
export function machineBusySeconds(): number {
  const ticks = machineTicks();
  const total = ticks.reduce((sum, value) => sum + value, 0);
  return (total - (ticks[3] ?? 0) - (ticks[4] ?? 0) - (ticks[7] ?? 0)) / CLOCK_TICKS;
}

/**
 * Measures, from now until `stop()`, the share of the machine's CPU capacity that the hypervisor
 * gave to other virtual machines while this one had work ready (`steal` in `/proc/stat`): on a
 * shared host it comes in bursts, which slow whichever target happens to run then.
 */
export function stolenCpuMeter(): { stop(): number } {
  const stolenAtStart = machineTicks()[7] ?? 0;
  const startedAt = performance.now();
  return {
    stop() {
      const seconds = (performance.now() - startedAt) / 1000;
      return ((machineTicks()[7] ?? 0) - stolenAtStart) / CLOCK_TICKS / (seconds * availableParallelism());
    },
  };
}

/**
 * CPU time this benchmark has used so far: this process, its children that have ended, and the
 * children still running. What the machine spent beyond this went to other processes.
 */
export function benchCpuSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime, stime, cutime, cstime: the 14th to 17th fields.
  const own = [11, 12, 13, 14].reduce((sum, index) => sum + Number(fields[index]), 0) / CLOCK_TICKS;
  let children = 0;
  for (const child of running) {
    if (child.pid === undefined) continue;
    try {
      children += cpuSeconds(child.pid);
    } catch {
      // Ended meanwhile: counted in cutime once reaped.
    }
  }
  return own + children;
}

/**
 * Measures, from now until `stop()`, the share of the machine's CPU capacity that processes
 * other than this benchmark used: anything above a few percent means the numbers are understated.
 */
export function otherCpuMeter(): { stop(): number } {
  const busyAtStart = machineBusySeconds();
  const ownAtStart = benchCpuSeconds();
  const startedAt = performance.now();
  return {
    stop() {
      const seconds = (performance.now() - startedAt) / 1000;
      const other = machineBusySeconds() - busyAtStart - (benchCpuSeconds() - ownAtStart);
      return Math.max(0, other) / (seconds * availableParallelism());
    },
  };
}

/** Samples a process's RSS every `intervalMs` until stopped; answers the highest seen. */
export function sampleRss(pid: number, intervalMs = 50): { stop(): number } {
  let peak = memoryMB(pid, 'VmRSS');
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, memoryMB(pid, 'VmRSS'));
    } catch {
      // The process ended; the run will say so.
    }
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      try {
        peak = Math.max(peak, memoryMB(pid, 'VmRSS'));
      } catch {
        // As above.
      }
      return peak;
    },
  };
}

/** Like {@link sampleRss}, keeping the lowest sample too: what is left between collections. */
export function sampleRssRange(pid: number, intervalMs = 50): { stop(): { peakMB: number; lowMB: number } } {
  let peakMB = memoryMB(pid, 'VmRSS');
  let lowMB = peakMB;
  const sample = () => {
    try {
      const rss = memoryMB(pid, 'VmRSS');
      peakMB = Math.max(peakMB, rss);
      lowMB = Math.min(lowMB, rss);
    } catch {
      // The process ended; the run will say so.
    }
  };
  const timer = setInterval(sample, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return { peakMB, lowMB };
    },
  };
}

/**
 * The node flags `npm run start:prod` runs the gateway with (`node --flag … dist/command/src/cli.js` in
 * package.json), so the benchmark starts it as it is deployed.
 */
export function startProdNodeFlags(packageJson: string): string[] {
  const script = (JSON.parse(readFileSync(packageJson, 'utf8')) as { scripts?: Record<string, string> }).scripts?.['start:prod'] ?? '';
  const flags = /\bnode\s+((?:--\S+\s+)*)\S*cli\.js\b/.exec(script)?.[1]?.trim();
  if (flags === undefined) throw new Error(`package.json: "start:prod" does not run node on cli.js: ${script}`);
  return flags === '' ? [] : flags.split(/\s+/);
}

/** A port nobody listens on now (for servers that cannot listen on port 0 and tell us). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
