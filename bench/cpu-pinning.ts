// Where benchmark processes run on a small Linux machine: the process under test on a core of its
// own, everything else (load generators, upstream, receiver) on the others, as separate machines
// would be. Without this, on two cores the scheduler's time slices between the load generator and
// the process under test show up as that process's latency and cost. Needs two cores and taskset
// (util-linux); otherwise nothing is pinned.
import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

export interface CpuPinning {
  /** The core of the process under test (a taskset list). */
  target: string;
  /** The cores of everything else. */
  others: string;
}

/** Moves this process and all its threads onto the other cores; undefined when nothing can be pinned. */
export function pinBenchmarkProcess(): CpuPinning | undefined {
  const cores = availableParallelism();
  if (cores < 2 || process.platform !== 'linux') return undefined;
  const pinning = { target: String(cores - 1), others: cores === 2 ? '0' : `0-${cores - 2}` };
  try {
    // this process and every thread it has (the load generators' sockets run here)
    pinProcess(process.pid, pinning.others);
    return pinning;
  } catch {
    return undefined;
  }
}

/** Places every thread of a running process on `cpus` (threads it starts later inherit it). */
export function pinProcess(pid: number, cpus: string): void {
  execFileSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { stdio: 'ignore' });
}
