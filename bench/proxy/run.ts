// `npm run bench:proxy`: the interceptor against direct calls and http-proxy-3, all in one run on
// one machine. Every server runs in a process of its own (its peak memory is its own), the OTLP
// receiver too; the load generator runs here. Pass 1 finds each case's maximum throughput with
// autocannon; pass 2 sends a fixed, evenly spaced rate (half of the slowest proxy's maximum) to
// every case and reports the p99 latency each proxy adds over calling the upstream directly.
//
//   node --import tsx bench/proxy/run.ts [--duration SECONDS] [--connections N]
import { parseArgs } from 'node:util';
import { startReceiver } from '../../test/support/otlp-receiver-client';
import type { Receiver } from '../../test/support/otlp-receiver-client';
import { machine } from '../machine';
import { startBenchChild } from './child-protocol';
import type { BenchChild, ChildCounters } from './child-protocol';
import { runMaxLoad } from './max-load';
import type { LoadResult } from './max-load';
import { runPacedLoad } from './paced-load';
import { fmtInt, fmtMiB, fmtMs, goalLine, table } from './report';

const { values: flags } = parseArgs({
  options: {
    duration: { type: 'string', default: '5' },
    connections: { type: 'string', default: '32' },
  },
});
const DURATION_S = Number(flags.duration);
const CONNECTIONS = Number(flags.connections);
const WARMUP_S = Math.min(2, DURATION_S);
// Each pass runs every case this many times, round-robin, and keeps each case's best run: other
// work on the machine then has to hit the same case every time to spoil its figure.
const ROUNDS = 2;
// Fewer connections for the paced pass: at half load most of them would sit idle anyway.
const PACED_CONNECTIONS = Math.max(4, Math.ceil(CONNECTIONS / 2));
const DRAIN_TIMEOUT_MS = 120_000;

const DIRECT = 'direct to the upstream';
const THREADLINE_OFF = 'threadline, tracing off';
const THREADLINE_NONE = 'threadline, 0 % sampling';
const THREADLINE_FULL = 'threadline, 100 % sampling';
const HTTP_PROXY_3 = 'http-proxy-3 1.x';

interface Environment {
  upstreamUrl: string;
  receiver: Receiver;
}

interface BenchCase {
  name: string;
  /** Starts the process under test (none for direct calls). */
  start?: (environment: Environment) => Promise<BenchChild>;
  /** Spans go to the receiver: wait for them to leave before the next case runs. */
  exports?: boolean;
}

interface CaseRun {
  benchCase: BenchCase;
  url: string;
  child?: BenchChild;
  max?: LoadResult;
  paced?: LoadResult;
  peakRssBytes?: number;
  counters?: ChildCounters;
}

const threadline = (mode: string) => (environment: Environment) =>
  startBenchChild(`threadline --mode ${mode}`, 'threadline-proxy-server.ts', ['--upstream', environment.upstreamUrl, '--mode', mode, '--otlp', environment.receiver.url]);

const CASES: BenchCase[] = [
  { name: DIRECT },
  { name: THREADLINE_OFF, start: threadline('off') },
  { name: THREADLINE_NONE, start: threadline('0') },
  { name: THREADLINE_FULL, start: threadline('100'), exports: true },
  { name: HTTP_PROXY_3, start: (environment) => startBenchChild('http-proxy-3', 'http-proxy-3-server.ts', ['--upstream', environment.upstreamUrl]) },
];

function failuresOf(run: CaseRun): number {
  return (run.max?.failures ?? 0) + (run.paced?.failures ?? 0);
}

/** After an exporting case: waits until the proxy's span queue is empty, then empties the receiver. */
async function drainSpans(run: CaseRun, receiver: Receiver): Promise<void> {
  if (!run.benchCase.exports || !run.child) return;
  const deadline = Date.now() + DRAIN_TIMEOUT_MS;
  while ((await run.child.report()).counters?.queued !== 0) {
    if (Date.now() > deadline) throw new Error(`${run.benchCase.name}: spans still queued after ${DRAIN_TIMEOUT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await receiver.clear();
}

async function main(): Promise<void> {
  console.log(`Threadline proxy benchmark — ${new Date().toISOString()}`);
  console.log(`machine: ${machine()}`);
  console.log(`load: autocannon, ${CONNECTIONS} keep-alive connections, ${WARMUP_S} s warm-up + ${ROUNDS} × ${DURATION_S} s per case;`);
  console.log(`      then a paced pass, ${PACED_CONNECTIONS} connections, ${WARMUP_S} s warm-up + ${ROUNDS} × ${DURATION_S} s per case\n`);

  const stoppers: Array<() => Promise<void>> = [];
  try {
    const receiver = await startReceiver();
    stoppers.push(() => receiver.stop());
    const upstream = await startBenchChild('upstream', 'upstream-server.ts');
    stoppers.push(() => upstream.stop());
    const environment: Environment = { upstreamUrl: `http://127.0.0.1:${upstream.port}`, receiver };
    const runs: CaseRun[] = [];
    for (const benchCase of CASES) {
      const child = benchCase.start ? await benchCase.start(environment) : undefined;
      if (child) stoppers.push(() => child.stop());
      runs.push({ benchCase, child, url: `http://127.0.0.1:${child?.port ?? upstream.port}/orders/42` });
    }

    console.log(`pass 1: maximum throughput, ${ROUNDS} rounds, best kept`);
    for (let round = 1; round <= ROUNDS; round++) {
      for (const run of runs) {
        if (round === 1) await runMaxLoad(run.url, { connections: CONNECTIONS, durationSeconds: WARMUP_S });
        const result = await runMaxLoad(run.url, { connections: CONNECTIONS, durationSeconds: DURATION_S });
        const failures = result.failures + (run.max?.failures ?? 0);
        if (!run.max || result.requestsPerSec > run.max.requestsPerSec) run.max = result;
        run.max.failures = failures;
        console.log(`  round ${round}  ${run.benchCase.name.padEnd(30)} ${fmtInt(result.requestsPerSec).padStart(8)} req/s`);
        await drainSpans(run, receiver);
      }
    }

    const proxyMaxima = runs.filter((run) => run.child).map((run) => run.max!.requestsPerSec);
    const halfRate = Math.max(1, Math.round(Math.min(...proxyMaxima) / 2));
    console.log(`\npass 2: ${fmtInt(halfRate)} req/s to every case (half of the slowest proxy's maximum), ${ROUNDS} rounds, lowest p99 kept`);
    for (let round = 1; round <= ROUNDS; round++) {
      for (const run of runs) {
        const paced = { requestsPerSec: halfRate, connections: PACED_CONNECTIONS };
        if (round === 1) await runPacedLoad(run.url, { ...paced, durationSeconds: WARMUP_S });
        const result = await runPacedLoad(run.url, { ...paced, durationSeconds: DURATION_S });
        const failures = result.failures + (run.paced?.failures ?? 0);
        if (!run.paced || result.p99Millis < run.paced.p99Millis) run.paced = result;
        run.paced.failures = failures;
        console.log(`  round ${round}  ${run.benchCase.name.padEnd(30)} p99 ${fmtMs(result.p99Millis).padStart(7)} ms`);
        await drainSpans(run, receiver);
      }
    }
    for (const run of runs) {
      if (!run.child) continue;
      const report = await run.child.report();
      run.peakRssBytes = report.peakRssBytes;
      run.counters = report.counters;
    }
    printResults(runs, halfRate);
    if (runs.some((run) => failuresOf(run) > 0)) process.exitCode = 1;
  } finally {
    for (const stop of stoppers.reverse()) await stop();
  }
}

function printResults(runs: CaseRun[], halfRate: number): void {
  const direct = runs.find((run) => run.benchCase.name === DIRECT)!.paced!.p99Millis;
  console.log('\nresults (latency in ms; peak RSS of the proxy process in MiB; failed = errors, timeouts and non-2xx answers)');
  console.log(
    table(
      ['case', 'max req/s', 'p50', 'p99', `p50 @${fmtInt(halfRate)}/s`, `p99 @${fmtInt(halfRate)}/s`, 'p99 added', 'peak RSS', 'failed'],
      runs.map((run) => [
        run.benchCase.name,
        fmtInt(run.max!.requestsPerSec),
        fmtMs(run.max!.p50Millis),
        fmtMs(run.max!.p99Millis),
        fmtMs(run.paced!.p50Millis),
        fmtMs(run.paced!.p99Millis),
        run.child ? fmtMs(run.paced!.p99Millis - direct) : '—',
        fmtMiB(run.peakRssBytes),
        String(failuresOf(run)),
      ]),
    ),
  );
  for (const run of runs.filter((r) => r.benchCase.exports && r.counters)) {
    const { exported = 0, dropped = 0, failed = 0 } = run.counters!;
    console.log(`  ${run.benchCase.name}: spans exported ${fmtInt(exported)}, dropped ${fmtInt(dropped)}, failed ${fmtInt(failed)} (the receiver decodes in JavaScript on the same cores)`);
  }

  const find = (name: string): CaseRun => runs.find((run) => run.benchCase.name === name)!;
  const rps = (name: string): number => find(name).max!.requestsPerSec;
  const full = rps(THREADLINE_FULL) / rps(THREADLINE_OFF);
  const vsWellKnown = rps(THREADLINE_OFF) / rps(HTTP_PROXY_3);
  console.log('\ngoals');
  console.log(goalLine('100 % sampling / tracing-off throughput', full.toFixed(2), '>= 0.85', full >= 0.85));
  console.log(goalLine('tracing-off / http-proxy-3 throughput', vsWellKnown.toFixed(2), '>= 1.00', vsWellKnown >= 1));
  for (const name of [THREADLINE_OFF, THREADLINE_NONE, THREADLINE_FULL]) {
    const added = find(name).paced!.p99Millis - direct;
    console.log(goalLine(`p99 added over direct at half load, ${name.slice('threadline, '.length)}`, `${fmtMs(added)} ms`, '< 2 ms', added < 2));
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
