// Persistence: a restart keeps the last traces, a cut-off line is skipped, retention applies on load.
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { SpanFile } from '../src/store/span-file';
import { TraceStore } from '../src/store/trace-store';
import { span, traceId } from './spans';

let folder: string;
beforeEach(() => {
  folder = mkdtempSync(path.join(tmpdir(), 'threadline-span-file-'));
});
afterEach(() => rmSync(folder, { recursive: true, force: true }));

function persistTo(file: string, store: TraceStore, errors: string[] = []): SpanFile {
  return new SpanFile(file, store, (message) => errors.push(message), 10);
}

test('spans written by one store come back in the next, and a cut-off last line is skipped', async () => {
  const file = path.join(folder, 'traces.jsonl');
  const first = new TraceStore({ maxSpans: 100, maxAgeMs: 3_600_000 });
  const spanFile = persistTo(file, first);
  await spanFile.load();
  const ids = [traceId(), traceId()];
  for (const id of ids) {
    for (let i = 0; i < 3; i++) {
      const item = span({ traceId: id });
      first.add(item);
      spanFile.append(first.trace(id)!.spans.get(item.spanId)!);
    }
  }
  await spanFile.flush();
  expect(spanFile.stats.writtenSpans).toBe(6);
  // A crash in the middle of a write leaves half a line.
  appendFileSync(file, '{"receivedMs":1,"span":{"traceId":"ab');

  const second = new TraceStore({ maxSpans: 100, maxAgeMs: 3_600_000 });
  const reloaded = persistTo(file, second);
  await reloaded.load();
  expect(reloaded.stats).toMatchObject({ loadedSpans: 6, skippedLines: 1 });
  expect([...second.allTraces()].map((trace) => [trace.traceId, trace.spans.size])).toEqual(ids.map((id) => [id, 3]));
  // Loading rewrote the file without the broken line.
  expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(6);
});

test('on load the store keeps only the last traces its bound allows', async () => {
  const file = path.join(folder, 'traces.jsonl');
  const big = new TraceStore({ maxSpans: 1000, maxAgeMs: 3_600_000 });
  const writer = persistTo(file, big);
  await writer.load();
  const ids = Array.from({ length: 10 }, () => traceId());
  for (const id of ids) {
    const item = span({ traceId: id });
    big.add(item);
    writer.append(big.trace(id)!.spans.get(item.spanId)!);
  }
  await writer.flush();
  const small = new TraceStore({ maxSpans: 4, maxAgeMs: 3_600_000 });
  await persistTo(file, small).load();
  expect([...small.allTraces()].map((trace) => trace.traceId)).toEqual(ids.slice(-4));
});

test('a file that cannot be written is reported and counted, not thrown', async () => {
  const store = new TraceStore({ maxSpans: 10, maxAgeMs: 3_600_000 });
  const errors: string[] = [];
  const spanFile = persistTo(path.join(folder, 'missing-dir', 'x', 'traces.jsonl'), store, errors);
  const item = span({ traceId: traceId() });
  store.add(item);
  spanFile.append(store.trace(item.traceId)!.spans.get(item.spanId)!);
  await spanFile.flush();
  expect(spanFile.stats.errors).toBe(1);
  expect(errors[0]).toMatch(/cannot append to .*traces\.jsonl/);
});
