// CPU time automatic tracing costs a real Node-RED, per request and per span, at a fixed request
// rate well below saturation: the figure to watch while optimising, because CPU time per request
// barely moves when other processes share the cores (wall-clock throughput does). The flow is the
// one of `npm run bench:node-red`. Cases, each its own Node-RED process, loaded in turns:
//   off    no tracing;
//   hooks  a plugin that registers the same runtime hooks as automatic tracing, each doing
//          nothing: what Node-RED's hook dispatch costs by itself;
//   on     automatic tracing, every span exported as OTLP/protobuf to a local receiver process.
// Spans are counted at the receiver after the run: none may be missing.
//
//   node --import tsx bench/node-red/runtime-cost.ts [--rate R] [--duration S] [--rounds N] [--cpu-prof DIR]
//
// --cpu-prof writes V8 CPU profiles of the `off` and `on` Node-RED processes into DIR when they stop.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import type { NodeRedRuntime } from '../../test/support/node-red-runtime';
import { startNodeRed } from '../../test/support/node-red-runtime';
import { machine } from '../machine';
import { startBenchChild } from '../proxy/child-protocol';
import type { BenchChild } from '../proxy/child-protocol';
import { runPacedLoad } from '../proxy/paced-load';
import { fmtInt, median, table } from '../proxy/report';
import { benchFlow, collectSpans, processCpuMicros, SPANS_PER_REQUEST } from './bench-flow';

const { values: flags } = parseArgs({
  options: {
    rate: { type: 'string', default: '1000' },
    duration: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '3' },
    'cpu-prof': { type: 'string' },
  },
});
const RATE = positive('rate', Number(flags.rate));
const DURATION_S = positive('duration', Number(flags.duration));
const ROUNDS = positive('rounds', Number(flags.rounds));
const CONNECTIONS = 8;
/** The runtime hooks automatic tracing registers (node-red-nodes/src/auto/hooks.ts). */
const TRACING_HOOKS = ['preDeliver', 'onReceive', 'onComplete'];

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
}

/** A Node-RED plugin package, written to a temporary folder, registering hooks that do nothing. */
function writeNoopHooksPlugin(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'threadline-noop-hooks-'));
  const pkg = { name: 'noop-hooks', version: '1.0.0', 'node-red': { plugins: { 'noop-hooks': 'plugin.js' } } };
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(pkg));
  const hooks = JSON.stringify(TRACING_HOOKS);
  fs.writeFileSync(
    path.join(dir, 'plugin.js'),
    `module.exports = (RED) => RED.plugins.registerPlugin('noop-hooks', { type: 'noop-hooks', onadd: () => { for (const hook of ${hooks}) RED.hooks.add(hook + '.noop', (event) => {}); } });\n`,
  );
  return dir;
}


interface Round {
  responses: number;
  failures: number;
  cpuMicrosPerRequest: number;
}

async function pacedRound(red: NodeRedRuntime, seconds: number): Promise<Round> {
  const before = processCpuMicros(red.pid);
  const result = await runPacedLoad(`${red.apiUrl}/bench`, { requestsPerSec: RATE, durationSeconds: seconds, connections: CONNECTIONS });
  const cpu = processCpuMicros(red.pid) - before;
  return { responses: result.responses, failures: result.failures, cpuMicrosPerRequest: result.responses > 0 ? cpu / result.responses : Number.NaN };
}


async function main(): Promise<void> {
  console.log(
    `Node-RED automatic tracing: CPU time in the runtime at ${RATE} req/s\n  machine: ${machine()}\n  load average: ${os
      .loadavg()
      .map((n) => n.toFixed(2))
      .join(' ')}\n`,
  );
  const children: BenchChild[] = [];
  const runtimes: NodeRedRuntime[] = [];
  const pluginDir = writeNoopHooksPlugin();
  try {
    const receiver = await startBenchChild('receiver', '../node-red/keeping-receiver.ts');
    children.push(receiver);
    const receiverUrl = `http://127.0.0.1:${receiver.port}`;
    const profileDir = flags['cpu-prof'];
    const nodeArgs = profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${path.resolve(profileDir)}`];
    const cases: Record<'off' | 'hooks' | 'on', NodeRedRuntime> = {
      off: await startNodeRed({ nodeArgs }),
      hooks: await startNodeRed({ nodesDir: pluginDir }),
      on: await startNodeRed({
        nodeArgs,
        settings: {
          threadline: {
            autoTrace: { enabled: true, config: { service: { name: 'bench-flows' }, exporter: { tracesEndpoint: `${receiverUrl}/v1/traces`, protocol: 'http/protobuf' } } },
          },
        },
      }),
    };
    runtimes.push(...Object.values(cases));
    if (profileDir !== undefined) console.log(`  CPU profiles (named by process id): off ${cases.off.pid}, on ${cases.on.pid}\n`);
    for (const red of runtimes) await red.deploy(benchFlow());
    for (const red of runtimes) await pacedRound(red, 2); // warm-up: JIT, sockets, the exporter's connection
    await collectSpans(receiverUrl, 6000);

    const rounds: Record<keyof typeof cases, Round[]> = { off: [], hooks: [], on: [] };
    let answeredTraced = 0;
    for (let round = 1; round <= ROUNDS; round++) {
      for (const name of ['off', 'hooks', 'on'] as const) {
        const result = await pacedRound(cases[name], DURATION_S);
        rounds[name].push(result);
        if (name === 'on') answeredTraced += result.responses;
      }
      console.log(`  round ${round}: ${(['off', 'hooks', 'on'] as const).map((name) => `${name} ${fmtInt(rounds[name][round - 1]!.cpuMicrosPerRequest)} µs`).join(', ')}`);
    }
    const kept = await collectSpans(receiverUrl, 6000);

    const cpu = (name: keyof typeof cases): number => median(rounds[name].map((r) => r.cpuMicrosPerRequest));
    const rows = (['off', 'hooks', 'on'] as const).map((name) => [
      name,
      fmtInt(cpu(name)),
      ((cpu(name) - cpu('off')) / SPANS_PER_REQUEST).toFixed(2),
      String(rounds[name].reduce((sum, r) => sum + r.failures, 0)),
    ]);
    console.log(`\n${table(['case', 'CPU µs/req', 'added µs/span', 'failures'], rows)}\n`);
    console.log(`  CPU time kept with tracing on (off / on): ${((cpu('off') / cpu('on')) * 100).toFixed(0)} %`);
    const expected = answeredTraced * SPANS_PER_REQUEST;
    const sizes = Object.entries(kept.tracesBySize).filter(([size]) => Number(size) !== SPANS_PER_REQUEST);
    console.log(
      `  spans received ${fmtInt(kept.spans)} of at least ${fmtInt(expected)}; other trace sizes: ${sizes.length === 0 ? 'none' : sizes.map(([size, n]) => `${n}×${size}`).join(', ')}`,
    );
  } finally {
    for (const red of runtimes) await red.stop();
    for (const child of children) await child.stop();
    fs.rmSync(pluginDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
