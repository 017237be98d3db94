// Where the CPU time of one process goes that another's does not: the self time of every function
// (or every package) in two V8 CPU profiles, side by side, biggest difference first. Made for the
// profiles `bench/proxy/run.ts --cpu-prof DIR` and `bench/node-red/runtime-cost.ts --cpu-prof DIR`
// write, e.g. the proxy at 0 % sampling against the proxy at 100 %: the same work but tracing, so
// the difference is what tracing costs, including what it slows down around it.
//
//   node --import tsx bench/cpu-profile-diff.ts A.cpuprofile B.cpuprofile [--requests NA,NB]
//        [--by function|package] [--top N]
//
// With --requests (how many requests each process served over its whole life: the benchmark's
// rate × seconds, warm-up included) figures are µs per request; without it, ms in all. Idle time
// is left out of the totals.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { table } from './proxy/report';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface CpuProfile {
  nodes: Array<{ id: number; callFrame: CallFrame }>;
  samples: number[];
  timeDeltas: number[];
}

const IDLE = '(idle)';

const { values: flags, positionals } = parseArgs({
  allowPositionals: true,
  options: { requests: { type: 'string' }, by: { type: 'string', default: 'function' }, top: { type: 'string', default: '40' } },
});
if (positionals.length !== 2) throw new Error('usage: cpu-profile-diff A.cpuprofile B.cpuprofile [--requests NA,NB] [--by function|package] [--top N]');
if (flags.by !== 'function' && flags.by !== 'package') throw new Error(`--by is function or package, not "${flags.by}"`);
const top = Number(flags.top);
if (!Number.isInteger(top) || top <= 0) throw new Error(`--top must be a positive integer, not "${flags.top}"`);
const requests = flags.requests?.split(',').map(Number);
if (requests !== undefined && (requests.length !== 2 || requests.some((n) => !Number.isFinite(n) || n <= 0))) {
  throw new Error(`--requests takes two positive counts, NA,NB (got "${flags.requests}")`);
}

/** A short, stable place for a script: the part after node_modules/ or the working directory. */
function shortUrl(url: string): string {
  const marker = url.lastIndexOf('node_modules/');
  if (marker >= 0) return url.slice(marker + 'node_modules/'.length);
  const file = url.startsWith('file://') ? url.slice('file://'.length) : url;
  return file.startsWith('/') ? path.relative(process.cwd(), file) : file;
}

/** The package a frame belongs to: an npm package, node's own code, this repository's folder, or a native or V8 entry by name. */
function packageOf(frame: CallFrame): string {
  const url = shortUrl(frame.url);
  if (url === '') return frame.functionName || '(native)';
  if (url.startsWith('node:')) return 'node (internal)';
  if (url.startsWith('wasm:')) return 'WebAssembly';
  if (frame.url.includes('node_modules/')) {
    const parts = url.split('/');
    return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  return url.split('/')[0]!;
}

function keyOf(frame: CallFrame): string {
  if (flags.by === 'package') return packageOf(frame);
  const url = shortUrl(frame.url);
  return url === '' ? frame.functionName || '(anonymous)' : `${frame.functionName || '(anonymous)'} ${url}:${frame.lineNumber + 1}`;
}

/** Self time in µs by key. */
function selfTimes(file: string): Map<string, number> {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  // a key per profile node, not per sample: a profile has a few thousand nodes and far more samples
  const keys = new Map(profile.nodes.map((node) => [node.id, keyOf(node.callFrame)]));
  const times = new Map<string, number>();
  profile.samples.forEach((id, index) => {
    const key = keys.get(id);
    if (key !== undefined) times.set(key, (times.get(key) ?? 0) + (profile.timeDeltas[index] ?? 0));
  });
  return times;
}

const [fileA, fileB] = positionals as [string, string];
const a = selfTimes(fileA);
const b = selfTimes(fileB);
// µs per request with --requests, else ms
const scale = (side: 0 | 1): number => (requests === undefined ? 1 / 1000 : 1 / requests[side]!);
const unit = requests === undefined ? 'ms' : 'µs/req';

const rows = [...new Set([...a.keys(), ...b.keys()])]
  .filter((key) => key !== IDLE)
  .map((key) => {
    const inA = (a.get(key) ?? 0) * scale(0);
    const inB = (b.get(key) ?? 0) * scale(1);
    return { key, inA, inB, difference: inB - inA };
  })
  .sort((x, y) => Math.abs(y.difference) - Math.abs(x.difference));

const totalA = rows.reduce((sum, row) => sum + row.inA, 0);
const totalB = rows.reduce((sum, row) => sum + row.inB, 0);
const digits = requests === undefined ? 0 : 3;
const line = (key: string, inA: number, inB: number): string[] => [key, inA.toFixed(digits), inB.toFixed(digits), (inB - inA).toFixed(digits)];

console.log(`A: ${fileA}\nB: ${fileB}`);
console.log(`self time by ${flags.by}, ${unit}, idle left out; the ${top} biggest differences first\n`);
console.log(table([flags.by, 'A', 'B', 'B − A'], [line('(all)', totalA, totalB), ...rows.slice(0, top).map((row) => line(row.key, row.inA, row.inB))]));
