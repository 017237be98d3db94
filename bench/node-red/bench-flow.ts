// What the Node-RED benchmarks share: the flow they run, how a process's CPU time is read, and how
// the spans a run exported are counted at the receiver.
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { FlowNode } from '../../test/support/node-red-runtime';
import type { KeptCount } from './keeping-receiver';

export const CHANGE_NODES = 10;
/** One span per node: `http in`, the change nodes, `http response`. */
export const SPANS_PER_REQUEST = CHANGE_NODES + 2;
const CLOCK_TICKS_PER_SECOND = 100; // Linux USER_HZ, the unit of /proc/<pid>/stat times

/** http in → change × 10 → http response */
export function benchFlow(): FlowNode[] {
  const nodes: FlowNode[] = [{ id: 'bench', type: 'tab', label: 'bench' }];
  const ids = Array.from({ length: CHANGE_NODES }, (_, i) => `change${i + 1}`);
  nodes.push({ id: 'in', type: 'http in', z: 'bench', url: '/bench', method: 'get', x: 100, y: 100, wires: [[ids[0]!]] });
  ids.forEach((id, i) => {
    nodes.push({
      id,
      type: 'change',
      z: 'bench',
      rules: [{ t: 'set', p: `step${i + 1}`, pt: 'msg', to: String(i + 1), tot: 'num' }],
      x: 200 + i * 100,
      y: 100,
      wires: [[ids[i + 1] ?? 'out']],
    });
  });
  nodes.push({ id: 'out', type: 'http response', z: 'bench', statusCode: '200', x: 1300, y: 100, wires: [] });
  return nodes;
}

/** CPU time (user + system) of a process so far, in microseconds. */
export function processCpuMicros(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // after "pid (comm) ", field 3 is state; utime and stime are fields 14 and 15 of the full line
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks / CLOCK_TICKS_PER_SECOND) * 1e6;
}

function getJson<T>(url: string): Promise<T> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as T));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

/** Waits until the traced Node-RED has exported what it queued (no new export for `quietMs`), then counts. */
export async function collectSpans(receiverUrl: string, quietMs: number): Promise<KeptCount> {
  let last = -1;
  let quietSince = Date.now();
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const { requests } = await getJson<{ requests: number }>(`${receiverUrl}/stats`);
    if (requests !== last) {
      last = requests;
      quietSince = Date.now();
    } else if (Date.now() - quietSince >= quietMs) {
      return getJson<KeptCount>(`${receiverUrl}/count`);
    }
  }
}
