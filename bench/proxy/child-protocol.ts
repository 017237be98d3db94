// Both sides of the small IPC protocol between the proxy benchmark and the processes it starts
// (upstream, proxies, the discarding receiver): the child announces its port once it listens,
// answers usage questions (peak memory, CPU time so far, its own counters), and exits when the
// benchmark goes away, so no process outlives a run.
import { execFileSync, spawn } from 'node:child_process';
import { constants as perfConstants, monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import type { PerformanceEntry } from 'node:perf_hooks';
import { stopChild } from '../../test/support/child-process';
import * as path from 'node:path';

interface ReadyMessage {
  type: 'ready';
  port: number;
}

/** Counters a child may report besides its usage (the interceptor: its span pipeline). */
export type ChildCounters = Record<string, number>;

/** What a child reports about itself. */
export interface ChildUsage {
  peakRssBytes: number;
  /** User + system CPU time of the process since it started, in microseconds. */
  cpuMicros: number;
  /** Time the main thread spent in garbage collection pauses since it started, in milliseconds: scavenges, and mark-compacts. */
  gcMillis: { minor: number; major: number };
  /** Event-loop delay since the previous usage question, in milliseconds: how long a timer waited past its time. */
  loopDelayMillis: { p99: number; max: number };
  counters?: ChildCounters;
}

interface UsageMessage extends ChildUsage {
  type: 'usage';
}

type ChildMessage = ReadyMessage | UsageMessage;

const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 5_000;
const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** Child side: call once listening. */
export function announceReady(port: number, onStop?: () => Promise<void>, counters?: () => ChildCounters): void {
  if (!process.send) throw new Error('this script is started by bench/proxy/run.ts (it needs an IPC channel)');
  const gcMillis = { minor: 0, major: 0 };
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
      if (kind === perfConstants.NODE_PERFORMANCE_GC_MINOR) gcMillis.minor += entry.duration;
      else gcMillis.major += entry.duration;
    }
  }).observe({ entryTypes: ['gc'] });
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  process.on('message', (message) => {
    if (message !== 'usage') return;
    const cpu = process.cpuUsage();
    const loopDelayMillis = { p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 };
    loopDelay.reset();
    // maxRSS is the peak resident set size in KiB since the process started.
    const reply: UsageMessage = { type: 'usage', peakRssBytes: process.resourceUsage().maxRSS * 1024, cpuMicros: cpu.user + cpu.system, gcMillis: { ...gcMillis }, loopDelayMillis };
    if (counters) reply.counters = counters();
    process.send?.(reply);
  });
  const stop = (): void => {
    const done = onStop ? onStop() : Promise.resolve();
    void done.finally(() => process.exit(0));
  };
  process.once('disconnect', stop);
  process.once('SIGTERM', stop);
  process.send({ type: 'ready', port } satisfies ReadyMessage);
}

export interface BenchChild {
  readonly name: string;
  readonly port: number;
  /** Peak RSS and CPU time of the process so far, and the counters it reports. */
  usage(): Promise<ChildUsage>;
  /** SIGTERM, then SIGKILL after a few seconds. Idempotent. */
  stop(): Promise<void>;
}

export interface BenchChildOptions {
  args?: string[];
  env?: NodeJS.ProcessEnv;
  /** Extra node flags, e.g. --cpu-prof. */
  nodeArgs?: string[];
  /** CPUs the process may run on (a taskset list such as "1" or "0-2"); default: any. */
  cpus?: string;
  /** CPUs the main thread alone may run on, once the process is ready (its other threads stay where they were). */
  mainThreadCpus?: string;
}

/** Parent side: starts `script` (a TypeScript file in this folder) and resolves once it listens. */
export function startBenchChild(name: string, script: string, options: BenchChildOptions = {}): Promise<BenchChild> {
  // tsx's require hook compiles the script on the main thread. `--import tsx` would register its
  // module hooks on a loader thread that lives as long as the process, and whose idle-time
  // collections (several ms each) ran on the proxy's pinned core: pauses that production, running
  // the built JavaScript, never has.
  const command = [process.execPath, ...(options.nodeArgs ?? []), '--require', 'tsx/cjs', path.join(__dirname, script), ...(options.args ?? [])];
  const pinned = options.cpus === undefined ? command : ['taskset', '-c', options.cpus, ...command];
  const child = spawn(pinned[0], pinned.slice(1), {
    cwd: REPO_ROOT,
    env: options.env ?? process.env,
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });
  return new Promise((resolve, reject) => {
    const fail = (reason: string): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${name} did not start: ${reason}${stderr ? `\n${stderr}` : ''}`));
    };
    const timer = setTimeout(() => fail(`not ready within ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS);
    const onExit = (code: number | null): void => fail(`exited with code ${code}`);
    child.once('exit', onExit);
    child.once('message', (first: ChildMessage) => {
      clearTimeout(timer);
      child.off('exit', onExit);
      if (first.type !== 'ready') return fail(`unexpected first message ${JSON.stringify(first)}`);
      // The main thread's id is the process id; without -a taskset leaves the other threads alone.
      if (options.mainThreadCpus !== undefined && child.pid !== undefined) execFileSync('taskset', ['-p', '-c', options.mainThreadCpus, String(child.pid)], { stdio: 'ignore' });
      let stopping: Promise<void> | undefined;
      resolve({
        name,
        port: first.port,
        usage: () =>
          new Promise((answer, refuse) => {
            const onMessage = (message: ChildMessage): void => {
              if (message.type !== 'usage') return;
              child.off('message', onMessage);
              const { type: _type, ...usage } = message;
              answer(usage);
            };
            child.on('message', onMessage);
            if (!child.send('usage')) refuse(new Error(`${name} is gone`));
          }),
        stop: () => (stopping ??= stopChild(child, STOP_TIMEOUT_MS)),
      });
    });
  });
}
