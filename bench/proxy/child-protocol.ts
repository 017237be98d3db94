// Both sides of the small IPC protocol between the proxy benchmark and the processes it starts
// (upstream, proxies): the child announces its port once it listens, answers peak-memory
// questions, and exits when the benchmark goes away, so no process outlives a run.
import { spawn } from 'node:child_process';
import { stopChild } from '../../test/support/child-process';
import * as path from 'node:path';

interface ReadyMessage {
  type: 'ready';
  port: number;
}

/** Counters a child may report besides its memory (the interceptor: its span pipeline). */
export type ChildCounters = Record<string, number>;

interface MemoryMessage {
  type: 'memory';
  peakRssBytes: number;
  counters?: ChildCounters;
}

type ChildMessage = ReadyMessage | MemoryMessage;

const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 5_000;
const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** Child side: call once listening. */
export function announceReady(port: number, onStop?: () => Promise<void>, counters?: () => ChildCounters): void {
  if (!process.send) throw new Error('this script is started by bench/proxy/run.ts (it needs an IPC channel)');
  process.on('message', (message) => {
    if (message === 'memory') {
      // maxRSS is the peak resident set size in KiB since the process started.
      const reply: MemoryMessage = { type: 'memory', peakRssBytes: process.resourceUsage().maxRSS * 1024 };
      if (counters) reply.counters = counters();
      process.send?.(reply);
    }
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
  /** Peak RSS of the process so far, in bytes, and the counters it reports. */
  report(): Promise<{ peakRssBytes: number; counters?: ChildCounters }>;
  /** SIGTERM, then SIGKILL after a few seconds. Idempotent. */
  stop(): Promise<void>;
}

/** Parent side: starts `script` (a TypeScript file in this folder) and resolves once it listens. */
export function startBenchChild(name: string, script: string, args: string[] = [], env: NodeJS.ProcessEnv = process.env): Promise<BenchChild> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, script), ...args], {
    cwd: REPO_ROOT,
    env,
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
      let stopping: Promise<void> | undefined;
      resolve({
        name,
        port: first.port,
        report: () =>
          new Promise((answer, refuse) => {
            const onMessage = (message: ChildMessage): void => {
              if (message.type !== 'memory') return;
              child.off('message', onMessage);
              answer(message.counters ? { peakRssBytes: message.peakRssBytes, counters: message.counters } : { peakRssBytes: message.peakRssBytes });
            };
            child.on('message', onMessage);
            if (!child.send('memory')) refuse(new Error(`${name} is gone`));
          }),
        stop: () => (stopping ??= stopChild(child, STOP_TIMEOUT_MS)),
      });
    });
  });
}
