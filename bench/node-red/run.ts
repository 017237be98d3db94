// `npm run bench:node-red`: what automatic tracing costs a real Node-RED. The flow is
// `http in` → 10 `change` nodes → `http response` (12 nodes, so 12 spans per request); two
// Node-RED processes run it side by side, one with automatic tracing on (every span exported as
// OTLP/protobuf to a local receiver process), one with it off. The load (autocannon, keep-alive
// connections, as fast as the flow answers) alternates between them in rounds (off on off on …),
// and the median of the rounds is reported, so other work on a shared machine spoils at most one
// round of a case. Each round starts with a few unmeasured seconds of the same load (--warmup):
// a process idles while the other is measured and while spans are collected, V8 shrinks an idle
// process's young generation and grows it back only at mark-compacts, so the first seconds of load
// after idle measure that step rather than the steady load. Besides requests per second, the CPU time each Node-RED process spent per
// request (from /proc) is reported: that figure holds when other processes compete for the cores.
//
// No span lost: after each traced round the receiver decodes what it kept, and every request
// must have arrived as one trace of exactly 12 spans, at least as many traces as answered requests.
//
//   node --import tsx bench/node-red/run.ts [--duration S] [--warmup S] [--connections N] [--rounds N] [--queue default|large]
//        [--node-args="FLAGS"] [--pin all|none]
//
// --node-args passes node flags to both Node-RED processes (the traced one and the untraced one).
// On Linux with two or more cores both Node-RED processes (they are loaded in turns) run on a core
// of their own and the load generator and the receiver on the rest (see bench/cpu-pinning.ts), as
// the proxy benchmark does; --pin none lets the scheduler decide.
//
// --queue default uses automatic tracing's queue defaults (16,384 spans, batches of 2048); `large` a
// queue of 100,000 spans, to tell queue drops from tracing cost. bench/node-red/span-cost.ts measures the
// tracing CPU per span in one process, without Node-RED or sockets; bench/node-red/runtime-cost.ts
// the CPU per request of real Node-RED processes at a fixed rate below saturation.
import * as os from 'node:os';
import { parseArgs } from 'node:util';
import type { NodeRedRuntime } from '../../test/support/node-red-runtime';
import { startNodeRed } from '../../test/support/node-red-runtime';
import { pinBenchmarkProcess, pinProcess } from '../cpu-pinning';
import { machine } from '../machine';
import { startBenchChild } from '../proxy/child-protocol';
import type { BenchChild } from '../proxy/child-protocol';
import { runMaxLoad } from '../proxy/max-load';
import type { LoadResult } from '../proxy/max-load';
import { fmtInt, fmtMs, goalLine, median, table } from '../proxy/report';
import { benchFlow, collectSpans, processCpuMicros, SPANS_PER_REQUEST } from './bench-flow';
import type { KeptCount } from './keeping-receiver';

const { values: flags } = parseArgs({
  options: {
    duration: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '8' },
    connections: { type: 'string', default: '16' },
    rounds: { type: 'string', default: '3' },
    queue: { type: 'string', default: 'default' },
    'node-args': { type: 'string', default: '' },
    pin: { type: 'string', default: 'all' },
  },
});
/** Node flags for both Node-RED processes (e.g. --no-allocation-site-pretenuring, which NODE_OPTIONS refuses). */
const NODE_ARGS = (flags['node-args'] ?? '').split(/\s+/).filter((arg) => arg !== '');
const DURATION_S = positive('duration', Number(flags.duration));
const WARMUP_S = positive('warmup', Number(flags.warmup));
const CONNECTIONS = positive('connections', Number(flags.connections));
const ROUNDS = positive('rounds', Number(flags.rounds));
if (flags.queue !== 'default' && flags.queue !== 'large') throw new Error('--queue is default or large');
const GOAL_RATIO = 0.7;
if (flags.pin !== 'all' && flags.pin !== 'none') throw new Error('--pin is all or none');
const PINNING = flags.pin === 'none' ? undefined : pinBenchmarkProcess();

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
}


interface RoundResult extends LoadResult {
  cpuMicrosPerRequest: number;
}

async function loadRound(red: NodeRedRuntime, durationSeconds: number): Promise<RoundResult> {
  const cpuBefore = processCpuMicros(red.pid);
  const result = await runMaxLoad(`${red.apiUrl}/bench`, { connections: CONNECTIONS, durationSeconds });
  const cpu = processCpuMicros(red.pid) - cpuBefore;
  return { ...result, cpuMicrosPerRequest: result.responses > 0 ? cpu / result.responses : Number.NaN };
}


async function main(): Promise<void> {
  const command = `node --import tsx bench/node-red/run.ts --duration ${DURATION_S} --warmup ${WARMUP_S} --connections ${CONNECTIONS} --rounds ${ROUNDS} --queue ${flags.queue}${NODE_ARGS.length > 0 ? ` --node-args="${NODE_ARGS.join(' ')}"` : ''} --pin ${flags.pin}`;
  const placement = PINNING === undefined ? 'not pinned' : `Node-RED on cpu ${PINNING.target}; load generator and receiver on cpu ${PINNING.others}`;
  console.log(`Node-RED automatic tracing benchmark\n  machine: ${machine()}\n  load average: ${os.loadavg().map((n) => n.toFixed(2)).join(' ')}\n  cpus: ${placement}\n  command: ${command}\n`);
  const children: BenchChild[] = [];
  const runtimes: NodeRedRuntime[] = [];
  try {
    const receiver = await startBenchChild('receiver', '../node-red/keeping-receiver.ts', { cpus: PINNING?.others });
    children.push(receiver);
    const receiverUrl = `http://127.0.0.1:${receiver.port}`;
    const queue = flags.queue === 'large' ? { queue: { maxSize: 100_000 } } : {};
    const off = await startNodeRed({ nodeArgs: NODE_ARGS });
    runtimes.push(off);
    if (PINNING !== undefined) pinProcess(off.pid, PINNING.target);
    const on = await startNodeRed({
      nodeArgs: NODE_ARGS,
      settings: {
        threadline: {
          autoTrace: {
            enabled: true,
            config: { service: { name: 'bench-flows' }, exporter: { tracesEndpoint: `${receiverUrl}/v1/traces`, protocol: 'http/protobuf', ...queue } },
          },
        },
      },
    });
    runtimes.push(on);
    if (PINNING !== undefined) pinProcess(on.pid, PINNING.target);
    const flow = benchFlow();
    await off.deploy(flow);
    await on.deploy(flow);

    const results: { off: RoundResult[]; on: RoundResult[] } = { off: [], on: [] };
    const kept: KeptCount[] = [];
    let answeredTraced = 0;
    for (let round = 1; round <= ROUNDS; round++) {
      await loadRound(off, WARMUP_S);
      const offResult = await loadRound(off, DURATION_S);
      results.off.push(offResult);
      // the warm-up's spans are counted with the round's: every traced request must arrive
      answeredTraced += (await loadRound(on, WARMUP_S)).responses;
      const onResult = await loadRound(on, DURATION_S);
      results.on.push(onResult);
      answeredTraced += onResult.responses;
      kept.push(await collectSpans(receiverUrl, 6000));
      console.log(`  round ${round}: off ${fmtInt(offResult.requestsPerSec)} req/s, on ${fmtInt(onResult.requestsPerSec)} req/s`);
    }

    const rows = (['off', 'on'] as const).map((name) => {
      const rounds = results[name];
      return [
        `tracing ${name}`,
        fmtInt(median(rounds.map((r) => r.requestsPerSec))),
        fmtMs(median(rounds.map((r) => r.p50Millis))),
        fmtMs(median(rounds.map((r) => r.p99Millis))),
        fmtInt(median(rounds.map((r) => r.cpuMicrosPerRequest))),
        String(rounds.reduce((sum, r) => sum + r.failures, 0)),
      ];
    });
    console.log(`\n${table(['case', 'req/s', 'p50 ms', 'p99 ms', 'CPU µs/req', 'failures'], rows)}\n`);

    const spans = kept.reduce((sum, k) => sum + k.spans, 0);
    const undecodable = kept.reduce((sum, k) => sum + k.undecodable, 0);
    const tracesBySize: Record<string, number> = {};
    for (const k of kept) for (const [size, n] of Object.entries(k.tracesBySize)) tracesBySize[size] = (tracesBySize[size] ?? 0) + n;
    const wholeTraces = tracesBySize[String(SPANS_PER_REQUEST)] ?? 0;
    const partial = Object.entries(tracesBySize).filter(([size]) => Number(size) !== SPANS_PER_REQUEST);
    const lost = Math.max(0, answeredTraced * SPANS_PER_REQUEST - spans);
    console.log(
      `  traced requests answered: ${fmtInt(answeredTraced)}; spans received: ${fmtInt(spans)} (${SPANS_PER_REQUEST} per request: ${fmtInt(answeredTraced * SPANS_PER_REQUEST)}); ` +
        `traces of ${SPANS_PER_REQUEST} spans: ${fmtInt(wholeTraces)}; other trace sizes: ${partial.length === 0 ? 'none' : partial.map(([size, n]) => `${n}×${size}`).join(', ')}; undecodable exports: ${undecodable}`,
    );

    const ratio = median(results.on.map((r) => r.requestsPerSec)) / median(results.off.map((r) => r.requestsPerSec));
    const cpuRatio = median(results.off.map((r) => r.cpuMicrosPerRequest)) / median(results.on.map((r) => r.cpuMicrosPerRequest));
    console.log('');
    console.log(goalLine('throughput kept with tracing on (req/s on / off)', `${(ratio * 100).toFixed(0)} %`, `≥ ${GOAL_RATIO * 100} %`, ratio >= GOAL_RATIO));
    console.log(goalLine('same by CPU time per request (off / on)', `${(cpuRatio * 100).toFixed(0)} %`, `≥ ${GOAL_RATIO * 100} %`, cpuRatio >= GOAL_RATIO));
    console.log(goalLine('spans lost', fmtInt(lost + partial.reduce((sum, [, n]) => sum + n, 0)), '0', lost === 0 && partial.length === 0 && undecodable === 0));
  } finally {
    for (const red of runtimes) await red.stop();
    for (const child of children) await child.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
