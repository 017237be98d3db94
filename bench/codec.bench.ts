// Codec benchmark: parse-and-inject (extract from a header map, then inject into a fresh map)
// for our strict propagators against @opentelemetry/core's, on the same valid inputs, measured in
// the same run. Each case runs for a fixed time split into rounds; cases alternate within every
// round so drift (thermal, GC, other load) hits both sides alike; the median round is reported.
import type { TextMapPropagator } from '@opentelemetry/api';
import { ROOT_CONTEXT, defaultTextMapGetter, defaultTextMapSetter } from '@opentelemetry/api';
import {
  W3CBaggagePropagator as CoreBaggagePropagator,
  W3CTraceContextPropagator as CoreTraceContextPropagator,
} from '@opentelemetry/core';
import { TraceContextPropagator, W3CBaggagePropagator } from '../connectors/src/propagation';

export interface CodecBenchOptions {
  /** Measured time per case per round. */
  roundMillis?: number;
  /** Rounds per case; the median is reported. */
  rounds?: number;
  /** Unmeasured time per case before the first round. */
  warmupMillis?: number;
}

interface BenchCase {
  name: string;
  propagator: TextMapPropagator;
  headers: Record<string, string>;
}

const TRACE_HEADERS = {
  traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
  tracestate: 'congo=t61rcWkgMzE,rojo=00f067aa0ba902b7',
};

const BAGGAGE_HEADERS = {
  baggage: 'userId=alice,serverNode=DF%2028,isProduction=false,tier=gold;ttl=60',
};

/** Keeps the results alive so the optimiser cannot drop the work. */
let sink = 0;

function parseAndInject(benchCase: BenchCase): void {
  const context = benchCase.propagator.extract(ROOT_CONTEXT, benchCase.headers, defaultTextMapGetter);
  const out: Record<string, string> = {};
  benchCase.propagator.inject(context, out, defaultTextMapSetter);
  sink += Object.keys(out).length;
}

/** Operations per second over about `millis` of wall time. */
function measure(benchCase: BenchCase, millis: number): number {
  const batch = 500;
  const deadline = process.hrtime.bigint() + BigInt(Math.round(millis * 1e6));
  const started = process.hrtime.bigint();
  let operations = 0;
  let now = started;
  while (now < deadline) {
    for (let i = 0; i < batch; i++) parseAndInject(benchCase);
    operations += batch;
    now = process.hrtime.bigint();
  }
  return operations / (Number(now - started) / 1e9);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** The two sides of each comparison must produce the same headers, or the race is meaningless. */
function sameOutput(a: BenchCase, b: BenchCase): void {
  const render = (benchCase: BenchCase): string => {
    const out: Record<string, string> = {};
    benchCase.propagator.inject(benchCase.propagator.extract(ROOT_CONTEXT, benchCase.headers, defaultTextMapGetter), out, defaultTextMapSetter);
    return JSON.stringify(out);
  };
  if (render(a) !== render(b)) throw new Error(`${a.name} and ${b.name} disagree: ${render(a)} vs ${render(b)}`);
}

export async function runCodecBench(options: CodecBenchOptions = {}): Promise<{ name: string; opsPerSec: number }[]> {
  const rounds = options.rounds ?? 5;
  const roundMillis = options.roundMillis ?? 300; // 5 x 300 ms = 1.5 s per case
  const warmupMillis = options.warmupMillis ?? 300;

  const pairs: Array<[BenchCase, BenchCase]> = [
    [
      { name: 'traceparent+tracestate  threadline TraceContextPropagator', propagator: new TraceContextPropagator(), headers: TRACE_HEADERS },
      { name: 'traceparent+tracestate  core W3CTraceContextPropagator', propagator: new CoreTraceContextPropagator(), headers: TRACE_HEADERS },
    ],
    [
      { name: 'baggage  threadline W3CBaggagePropagator', propagator: new W3CBaggagePropagator(), headers: BAGGAGE_HEADERS },
      { name: 'baggage  core W3CBaggagePropagator', propagator: new CoreBaggagePropagator(), headers: BAGGAGE_HEADERS },
    ],
  ];
  for (const [ours, theirs] of pairs) sameOutput(ours, theirs);

  const cases = pairs.flat();
  for (const benchCase of cases) measure(benchCase, warmupMillis);

  const samples = new Map<BenchCase, number[]>(cases.map((benchCase) => [benchCase, []]));
  for (let round = 0; round < rounds; round++) {
    for (const pair of pairs) {
      // alternate which side goes first
      const order = round % 2 === 0 ? pair : [pair[1], pair[0]];
      for (const benchCase of order) samples.get(benchCase)?.push(measure(benchCase, roundMillis));
    }
    // let timers and I/O run between rounds
    await new Promise((resolve) => setImmediate(resolve));
  }
  if (sink < 0) console.log(sink); // never true; reads the sink
  return cases.map((benchCase) => ({ name: benchCase.name, opsPerSec: median(samples.get(benchCase) ?? [0]) }));
}
