// `npm run bench:proxy`: the interceptor against direct calls and http-proxy-3, all in one run on
// one machine. Every server runs in a process of its own (its peak memory and CPU time are its
// own), the OTLP receiver too; the load generators run here.
//
// Pass 1 finds each case's maximum throughput with autocannon; pass 2 sends a fixed, evenly
// spaced rate (half of the slowest proxy's maximum) to every case and reports the p99 latency each
// proxy adds over calling the upstream directly. Both passes alternate the cases in rounds
// (A B C … A B C …) and report the median of the rounds, so other work on a shared machine spoils
// at most one round of a case. Every round starts with a few unmeasured seconds of the same load:
// between its rounds a case sits idle while the others run, V8 shrinks an idle process's young
// generation, and the first seconds of load after that promote most short-lived objects and end in
// a mark-compact each time the young generation grows back (three in about six seconds at 10,000
// req/s). That is a step from idle to busy, not the steady load a round measures; `--warmup 0`
// measures that step instead. Besides wall-clock figures, each proxy process reports the CPU time
// it spent per request: that figure holds when other processes compete for the cores, and the
// ratio of two of them is the throughput ratio of a CPU-bound proxy.
//
// The 100 % sampling case exports OTLP/protobuf to a receiver that reads and discards each request
// (discard-receiver.ts), so the figures are the proxy's cost; `--receiver decode` sends to the
// test suite's receiver instead, which decodes every span in JavaScript on the same cores.
//
//   node --import tsx bench/proxy/run.ts [--duration S] [--warmup S] [--connections N] [--rounds N]
//        [--only direct,off,0,100,http-proxy-3] [--receiver discard|decode] [--cpu-prof DIR]
//        [--baseline DIR] [--node-args="FLAGS"] [--pin all|main|none]
//
// On Linux with two or more cores the proxy under test runs on a core of its own and everything
// else on the rest (see bench/cpu-pinning.ts): --pin all (default) places all of the proxy's threads there,
// main only its main thread (V8's GC helpers may run anywhere), none lets the scheduler decide.
// --baseline DIR adds the cases base-off, base-0 and base-100: the same interceptor cases run from
// another copy of the repository (DIR holds interceptor/src and bench/proxy, and resolves this
// repository's node_modules), to compare two versions in one run on the same machine.
// --node-args passes node flags (e.g. --max-semi-space-size=32) to this checkout's threadline
// processes only, to try runtime settings against the baseline.
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { startReceiver } from '../../test/support/otlp-receiver-client';
import { pinBenchmarkProcess } from '../cpu-pinning';
import { machine } from '../machine';
import { startBenchChild } from './child-protocol';
import type { BenchChild, BenchChildOptions, ChildCounters } from './child-protocol';
import { runMaxLoad } from './max-load';
import type { LoadResult } from './max-load';
import { runPacedLoad } from './paced-load';
import { fmtInt, fmtMiB, fmtMs, goalLine, median, table } from './report';

const { values: flags } = parseArgs({
  options: {
    duration: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '8' },
    connections: { type: 'string', default: '32' },
    rounds: { type: 'string', default: '3' },
    only: { type: 'string' },
    receiver: { type: 'string', default: 'discard' },
    'cpu-prof': { type: 'string' },
    baseline: { type: 'string' },
    'node-args': { type: 'string' },
    pin: { type: 'string', default: 'all' },
  },
});
const DURATION_S = positive('duration', Number(flags.duration));
const CONNECTIONS = positive('connections', Number(flags.connections));
const ROUNDS = positive('rounds', Number(flags.rounds));
const WARMUP_S = Number(flags.warmup);
if (!Number.isFinite(WARMUP_S) || WARMUP_S < 0) throw new Error('--warmup must be 0 or more seconds');
// Fewer connections for the paced pass: at half load most of them would sit idle anyway.
const PACED_CONNECTIONS = Math.max(4, Math.ceil(CONNECTIONS / 2));
const DRAIN_TIMEOUT_MS = 120_000;
if (flags.receiver !== 'discard' && flags.receiver !== 'decode') throw new Error('--receiver is discard or decode');
const DECODING_RECEIVER = flags.receiver === 'decode';
const PROFILE_DIR = flags['cpu-prof'] === undefined ? undefined : path.resolve(flags['cpu-prof']);
if (!['all', 'main', 'none'].includes(flags.pin ?? '')) throw new Error('--pin is all, main or none');
const PINNING = flags.pin === 'none' ? undefined : pinBenchmarkProcess();
/** Options that place a proxy under test: the whole process on its core, or only its main thread. */
const proxyPlacement = (): BenchChildOptions => (PINNING === undefined ? {} : flags.pin === 'main' ? { mainThreadCpus: PINNING.target } : { cpus: PINNING.target });
const BASELINE_SERVER = flags.baseline === undefined ? undefined : path.relative(__dirname, path.resolve(flags.baseline, 'bench', 'proxy', 'threadline-proxy-server.ts'));


function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
}

interface Environment {
  upstreamUrl: string;
  otlpUrl: string;
  /** Empties the receiver after an exporting case (the decoding receiver keeps what it gets). */
  clearReceiver: () => Promise<void>;
}

interface BenchCase {
  /** Short name for --only and profile files. */
  key: string;
  name: string;
  /** Starts the process under test (none for direct calls). */
  start?: (environment: Environment) => Promise<BenchChild>;
  /** Spans go to the receiver: wait for them to leave before the next case runs. */
  exports?: boolean;
  /** A threadline configuration (the goals compare these). */
  threadline?: boolean;
}

/** One measured run of one case. */
interface Sample {
  load: LoadResult;
  /** CPU time of the proxy process per response, spans exported included; undefined for direct calls. */
  cpuMicrosPerRequest?: number;
  /** Main-thread GC pauses of the proxy process per 1,000 responses, in ms. */
  gcMillisPerThousand?: { minor: number; major: number };
  /** The proxy's event-loop delay during the measurement, in ms. */
  loopDelayMillis?: { p99: number; max: number };
}

interface CaseRun {
  benchCase: BenchCase;
  url: string;
  child?: BenchChild;
  max: Sample[];
  paced: Sample[];
  peakRssBytes?: number;
  counters?: ChildCounters;
}

// A folder per case: node writes one profile per thread (tsx's loader runs in a worker thread).
const profileArgs = (key: string): string[] => (PROFILE_DIR === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', path.join(PROFILE_DIR, `threadline-${key}`)]);
const EXTRA_NODE_ARGS = flags['node-args']?.split(/\s+/).filter((arg) => arg !== '') ?? [];

const threadline =
  (mode: string, script = 'threadline-proxy-server.ts', key = mode) =>
  (environment: Environment): Promise<BenchChild> =>
    startBenchChild(`threadline --mode ${mode} (${script})`, script, {
      args: ['--upstream', environment.upstreamUrl, '--mode', mode, '--otlp', environment.otlpUrl],
      nodeArgs: [...profileArgs(key), ...(key === mode ? EXTRA_NODE_ARGS : [])],
      ...proxyPlacement(),
    });

const MODES: ReadonlyArray<{ mode: string; label: string }> = [
  { mode: 'off', label: 'tracing off' },
  { mode: '0', label: '0 % sampling' },
  { mode: '100', label: '100 % sampling' },
];

const ALL_CASES: BenchCase[] = [
  { key: 'direct', name: 'direct to the upstream' },
  ...MODES.flatMap(({ mode, label }): BenchCase[] => [
    { key: mode, name: `threadline, ${label}`, start: threadline(mode), exports: mode === '100', threadline: true },
    ...(BASELINE_SERVER === undefined ? [] : [{ key: `base-${mode}`, name: `baseline, ${label}`, start: threadline(mode, BASELINE_SERVER, `base-${mode}`), exports: mode === '100' }]),
  ]),
  { key: 'http-proxy-3', name: 'http-proxy-3 1.x', start: (environment) => startBenchChild('http-proxy-3', 'http-proxy-3-server.ts', { args: ['--upstream', environment.upstreamUrl], ...proxyPlacement() }) },
];

function selectedCases(): BenchCase[] {
  if (flags.only === undefined) return ALL_CASES;
  const keys = flags.only.split(',').map((key) => key.trim());
  const unknown = keys.filter((key) => !ALL_CASES.some((c) => c.key === key));
  if (unknown.length > 0) throw new Error(`--only: unknown case ${unknown.join(', ')} (known: ${ALL_CASES.map((c) => c.key).join(', ')})`);
  return ALL_CASES.filter((c) => keys.includes(c.key));
}

/** After an exporting case: waits until the proxy's span queue is empty, then empties the receiver. */
async function drainSpans(run: CaseRun, environment: Environment): Promise<void> {
  if (!run.benchCase.exports || !run.child) return;
  const deadline = Date.now() + DRAIN_TIMEOUT_MS;
  while ((await run.child.usage()).counters?.queued !== 0) {
    if (Date.now() > deadline) throw new Error(`${run.benchCase.name}: spans still queued after ${DRAIN_TIMEOUT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await environment.clearReceiver();
}

/** Runs `load` against the case and charges the proxy's CPU time (export of its spans included) to the responses. */
async function measure(run: CaseRun, environment: Environment, load: () => Promise<LoadResult>): Promise<Sample> {
  const before = await run.child?.usage();
  const result = await load();
  // Asked right away: each usage question restarts the child's loop-delay histogram.
  const loaded = await run.child?.usage();
  await drainSpans(run, environment);
  const after = await run.child?.usage();
  if (before === undefined || after === undefined || result.responses === 0) return { load: result };
  const perThousand = 1000 / result.responses;
  return {
    load: result,
    cpuMicrosPerRequest: (after.cpuMicros - before.cpuMicros) / result.responses,
    gcMillisPerThousand: { minor: (after.gcMillis.minor - before.gcMillis.minor) * perThousand, major: (after.gcMillis.major - before.gcMillis.major) * perThousand },
    loopDelayMillis: loaded?.loopDelayMillis,
  };
}

function cpuText(sample: Sample): string {
  if (sample.cpuMicrosPerRequest === undefined) return '';
  const gc = sample.gcMillisPerThousand!;
  return `   proxy CPU ${sample.cpuMicrosPerRequest.toFixed(0).padStart(4)} µs/req, GC pauses ${gc.minor.toFixed(1)} + ${gc.major.toFixed(1)} ms per 1,000 req (scavenge + mark-compact), loop delay p99 ${fmtMs(sample.loopDelayMillis?.p99 ?? 0)} max ${fmtMs(sample.loopDelayMillis?.max ?? 0)} ms`;
}

async function main(): Promise<void> {
  const cases = selectedCases();
  console.log(`Threadline proxy benchmark — ${new Date().toISOString()}`);
  console.log(`machine: ${machine()}`);
  console.log(
    PINNING === undefined
      ? 'cpus: not pinned (every process may run on any core)'
      : `cpus: the proxy under test (${flags.pin === 'main' ? 'its main thread' : 'every thread'}) on cpu ${PINNING.target}; load generators, upstream and receiver on cpu ${PINNING.others}`,
  );
  console.log(`pass 1: autocannon, ${CONNECTIONS} keep-alive connections, ${ROUNDS} rounds × (${WARMUP_S} s warm-up + ${DURATION_S} s) per case, cases alternating`);
  console.log(`pass 2: paced, ${PACED_CONNECTIONS} connections, ${ROUNDS} rounds × (${WARMUP_S} s warm-up + ${DURATION_S} s) per case, cases alternating`);
  console.log(
    DECODING_RECEIVER
      ? 'spans: 100 % sampling exports to the test receiver, which decodes every span in JavaScript on the same cores'
      : "spans: 100 % sampling exports OTLP/protobuf to a receiver that reads and discards each request (the proxy's cost, not a decoder's)",
  );
  if (PROFILE_DIR !== undefined) {
    mkdirSync(PROFILE_DIR, { recursive: true });
    console.log(`CPU profiles of the threadline processes go to ${PROFILE_DIR}`);
  }
  console.log('');

  const stoppers: Array<() => Promise<void>> = [];
  try {
    let otlpUrl: string;
    let clearReceiver = async (): Promise<void> => {};
    if (DECODING_RECEIVER) {
      const receiver = await startReceiver();
      stoppers.push(() => receiver.stop());
      otlpUrl = receiver.url;
      clearReceiver = () => receiver.clear();
    } else {
      const receiver = await startBenchChild('discarding receiver', 'discard-receiver.ts', { cpus: PINNING?.others });
      stoppers.push(() => receiver.stop());
      otlpUrl = `http://127.0.0.1:${receiver.port}/v1/traces`;
    }
    const upstream = await startBenchChild('upstream', 'upstream-server.ts', { cpus: PINNING?.others });
    stoppers.push(() => upstream.stop());
    const environment: Environment = { upstreamUrl: `http://127.0.0.1:${upstream.port}`, otlpUrl, clearReceiver };
    const runs: CaseRun[] = [];
    for (const benchCase of cases) {
      const child = benchCase.start ? await benchCase.start(environment) : undefined;
      if (child) stoppers.push(() => child.stop());
      runs.push({ benchCase, child, url: `http://127.0.0.1:${child?.port ?? upstream.port}/orders/42`, max: [], paced: [] });
    }

    console.log(`pass 1: maximum throughput`);
    for (let round = 1; round <= ROUNDS; round++) {
      for (const run of runs) {
        if (WARMUP_S > 0) await measure(run, environment, () => runMaxLoad(run.url, { connections: CONNECTIONS, durationSeconds: WARMUP_S }));
        const sample = await measure(run, environment, () => runMaxLoad(run.url, { connections: CONNECTIONS, durationSeconds: DURATION_S }));
        run.max.push(sample);
        console.log(`  round ${round}  ${run.benchCase.name.padEnd(28)} ${fmtInt(sample.load.requestsPerSec).padStart(8)} req/s${cpuText(sample)}`);
      }
    }

    const proxies = runs.filter((run) => run.child);
    const maxima = (proxies.length > 0 ? proxies : runs).map((run) => median(run.max.map((s) => s.load.requestsPerSec)));
    const halfRate = Math.max(1, Math.round(Math.min(...maxima) / 2));
    console.log(`\npass 2: ${fmtInt(halfRate)} req/s to every case (half of the slowest proxy's median maximum)`);
    for (let round = 1; round <= ROUNDS; round++) {
      for (const run of runs) {
        const paced = { requestsPerSec: halfRate, connections: PACED_CONNECTIONS };
        if (WARMUP_S > 0) await measure(run, environment, () => runPacedLoad(run.url, { ...paced, durationSeconds: WARMUP_S }));
        const sample = await measure(run, environment, () => runPacedLoad(run.url, { ...paced, durationSeconds: DURATION_S }));
        run.paced.push(sample);
        console.log(`  round ${round}  ${run.benchCase.name.padEnd(28)} p99 ${fmtMs(sample.load.p99Millis).padStart(7)} ms${cpuText(sample)}`);
      }
    }
    for (const run of runs) {
      if (!run.child) continue;
      const usage = await run.child.usage();
      run.peakRssBytes = usage.peakRssBytes;
      run.counters = usage.counters;
    }
    printResults(runs, halfRate);
    if (runs.some((run) => failuresOf(run) > 0)) process.exitCode = 1;
  } finally {
    for (const stop of stoppers.reverse()) await stop();
  }
}

function failuresOf(run: CaseRun): number {
  return [...run.max, ...run.paced].reduce((sum, sample) => sum + sample.load.failures, 0);
}

/** Medians over the rounds of one case. */
interface Summary {
  maxRps: number;
  /** Lowest and highest round, to show the noise. */
  maxRange: [number, number];
  p50: number;
  p99: number;
  cpu: number | undefined;
  pacedP50: number;
  pacedP99: number;
  pacedCpu: number | undefined;
}

function summarize(run: CaseRun): Summary {
  const rps = run.max.map((s) => s.load.requestsPerSec);
  const cpu = (samples: Sample[]): number | undefined => {
    const values = samples.map((s) => s.cpuMicrosPerRequest).filter((v): v is number => v !== undefined);
    return values.length === 0 ? undefined : median(values);
  };
  return {
    maxRps: median(rps),
    maxRange: [Math.min(...rps), Math.max(...rps)],
    p50: median(run.max.map((s) => s.load.p50Millis)),
    p99: median(run.max.map((s) => s.load.p99Millis)),
    cpu: cpu(run.max),
    pacedP50: median(run.paced.map((s) => s.load.p50Millis)),
    pacedP99: median(run.paced.map((s) => s.load.p99Millis)),
    pacedCpu: cpu(run.paced),
  };
}

function printResults(runs: CaseRun[], halfRate: number): void {
  const summaries = new Map(runs.map((run) => [run.benchCase.key, summarize(run)]));
  const direct = summaries.get('direct');
  const half = `@${fmtInt(halfRate)}/s`;
  console.log(`\nresults: medians of ${ROUNDS} rounds (latency in ms; CPU = the proxy process's user + system time per request, in µs;`);
  console.log('peak RSS of the proxy process in MiB; failed = errors, timeouts and non-2xx answers over every round)');
  console.log(
    table(
      ['case', 'max req/s', 'rounds (min–max)', 'p50', 'p99', 'CPU µs/req', `p50 ${half}`, `p99 ${half}`, 'p99 added', `CPU ${half}`, 'peak RSS', 'failed'],
      runs.map((run) => {
        const s = summaries.get(run.benchCase.key)!;
        return [
          run.benchCase.name,
          fmtInt(s.maxRps),
          `${fmtInt(s.maxRange[0])}–${fmtInt(s.maxRange[1])}`,
          fmtMs(s.p50),
          fmtMs(s.p99),
          s.cpu === undefined ? '—' : s.cpu.toFixed(0),
          fmtMs(s.pacedP50),
          fmtMs(s.pacedP99),
          run.child && direct ? fmtMs(s.pacedP99 - direct.pacedP99) : '—',
          s.pacedCpu === undefined ? '—' : s.pacedCpu.toFixed(0),
          fmtMiB(run.peakRssBytes),
          String(failuresOf(run)),
        ];
      }),
    ),
  );
  for (const run of runs.filter((r) => r.benchCase.exports && r.counters)) {
    const { exported = 0, dropped = 0, failed = 0 } = run.counters!;
    console.log(`  ${run.benchCase.name}: spans exported ${fmtInt(exported)}, dropped ${fmtInt(dropped)}, failed ${fmtInt(failed)}`);
  }

  const off = summaries.get('off');
  const full = summaries.get('100');
  const wellKnown = summaries.get('http-proxy-3');
  console.log('\ngoals (req/s: medians of wall-clock throughput; CPU: inverse ratio of CPU time per request, which other load on the machine does not skew)');
  if (off && full) {
    console.log(goalLine('100 % sampling / tracing-off throughput, req/s', (full.maxRps / off.maxRps).toFixed(2), '>= 0.85', full.maxRps / off.maxRps >= 0.85));
    if (off.cpu !== undefined && full.cpu !== undefined) console.log(goalLine('100 % sampling / tracing-off throughput, CPU', (off.cpu / full.cpu).toFixed(2), '>= 0.85', off.cpu / full.cpu >= 0.85));
  }
  if (off && wellKnown) {
    console.log(goalLine('tracing-off / http-proxy-3 throughput, req/s', (off.maxRps / wellKnown.maxRps).toFixed(2), '>= 1.00', off.maxRps >= wellKnown.maxRps));
    if (off.cpu !== undefined && wellKnown.cpu !== undefined) console.log(goalLine('tracing-off / http-proxy-3 throughput, CPU', (wellKnown.cpu / off.cpu).toFixed(2), '>= 1.00', wellKnown.cpu >= off.cpu));
  }
  if (direct) {
    for (const run of runs.filter((r) => r.benchCase.threadline)) {
      const added = summaries.get(run.benchCase.key)!.pacedP99 - direct.pacedP99;
      console.log(goalLine(`p99 added over direct at half load, ${run.benchCase.name.slice('threadline, '.length)}`, `${fmtMs(added)} ms`, '< 2 ms', added < 2));
    }
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
