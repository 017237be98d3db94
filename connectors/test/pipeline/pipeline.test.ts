import { ROOT_CONTEXT, SpanStatusCode, trace, TraceFlags } from '@opentelemetry/api';
import type { IdGenerator } from '@opentelemetry/sdk-trace-base';
import { ABANDONED_STATUS_MESSAGE, createPipeline } from '../../src/pipeline';
import type { Pipeline, PipelineOptions } from '../../src/pipeline';
import type { PipelineConfigOverrides } from '../../../test/support/otlp-pipeline-config';
import { pipelineConfig } from '../../../test/support/otlp-pipeline-config';
import { ScriptedExporter } from './test-spans';

let pipeline: Pipeline | undefined;
let exporter: ScriptedExporter;

function make(overrides: PipelineConfigOverrides = {}, options: PipelineOptions = {}): Pipeline {
  exporter = new ScriptedExporter();
  pipeline = createPipeline(pipelineConfig(overrides), { exporter, ...options });
  return pipeline;
}

afterEach(async () => {
  await pipeline?.shutdown();
  pipeline = undefined;
});

describe('createPipeline', () => {
  test('tracer spans go sample → enrich → redact → batch → export', async () => {
    const p = make({ service: { name: 'orders', version: '3' } });
    const span = p.tracer.startSpan('GET /x', { attributes: { 'url.full': 'https://x.example/?sig=secret' } });
    span.end();
    await p.forceFlush();
    const [exported] = exporter.exported;
    expect(exported.spanContext().spanId).toBe(span.spanContext().spanId);
    expect(exported.attributes['url.full']).toBe('https://x.example/?sig=REDACTED');
    expect(exported.resource.attributes).toMatchObject({ 'service.name': 'orders', 'service.version': '3' });
    expect(exported.spanContext().traceState?.serialize()).toBe('ot=th:0');
    expect(p.stats()).toEqual({ queued: 0, exported: 1, dropped: 0, failed: 0, exportErrors: 0, redactionFailures: 0 });
  });

  test('getTracer names the instrumentation scope', async () => {
    const p = make();
    p.getTracer('my-lib', '1.0.0').startSpan('x').end();
    await p.forceFlush();
    expect(exporter.exported[0].instrumentationScope).toMatchObject({ name: 'my-lib', version: '1.0.0' });
  });

  test('the configured sampler decides: unsampled spans are never exported', async () => {
    const p = make({ sampling: { sampler: 'always_off' } });
    const span = p.tracer.startSpan('x');
    expect(span.isRecording()).toBe(false);
    span.end();
    await p.forceFlush();
    expect(exporter.calls).toHaveLength(0);
  });

  test('nothing is registered globally by default', () => {
    const p = make();
    expect(trace.getTracerProvider()).not.toBe(p.provider);
    expect(trace.getTracer('global').startSpan('x').isRecording()).toBe(false);
  });

  test('registerGlobal registers the provider until shutdown', async () => {
    const p = make({}, { registerGlobal: true });
    expect(trace.getTracer('global').startSpan('x').isRecording()).toBe(true);
    await p.shutdown();
    expect(trace.getTracer('global').startSpan('x').isRecording()).toBe(false);
  });

  test('an injected IdGenerator makes the ids', async () => {
    const ids: IdGenerator = { generateTraceId: () => 'abcdefabcdefabcdefabcdefabcdef01', generateSpanId: () => '1234123412341234' };
    const p = make({}, { idGenerator: ids });
    expect(p.tracer.startSpan('x').spanContext()).toMatchObject({ traceId: 'abcdefabcdefabcdefabcdefabcdef01', spanId: '1234123412341234' });
    expect(p.openRecord({ name: 'r' })).toMatchObject({ traceId: 'abcdefabcdefabcdefabcdefabcdef01', spanId: '1234123412341234' });
  });

  test('a full queue drops spans, counted exactly, never thrown', async () => {
    const p = make({ exporter: { queue: { maxSize: 10, maxBatchSize: 5 } } });
    exporter.script.push('hang', 'hang');
    expect(() => {
      for (let i = 0; i < 100; i++) p.tracer.startSpan(`s${i}`).end();
    }).not.toThrow();
    expect(p.stats()).toMatchObject({ queued: 10, dropped: 90 });
  });

  test('disabled exporter: ids and sampling still work, nothing is queued or counted', async () => {
    const p = make({ exporter: { enabled: false } });
    const span = p.tracer.startSpan('x');
    expect(trace.isSpanContextValid(span.spanContext())).toBe(true);
    expect(span.spanContext().traceFlags & TraceFlags.SAMPLED).toBe(TraceFlags.SAMPLED);
    span.end();
    const record = p.openRecord({ name: 'r' });
    expect(p.endRecord(record)).toEqual({ outcome: 'disabled' });
    await p.forceFlush();
    expect(exporter.calls).toHaveLength(0);
    expect(p.stats()).toEqual({ queued: 0, exported: 0, dropped: 0, failed: 0, exportErrors: 0, redactionFailures: 0 });
  });

  test('a configuration that cannot work is refused, naming the field', () => {
    expect(() => createPipeline(pipelineConfig({ exporter: { tracesEndpoint: 'nowhere' } }))).toThrow('exporter.tracesEndpoint');
    expect(() => createPipeline(pipelineConfig({ sampling: { ratio: 2 } }))).toThrow('sampling.ratio');
  });
});

describe('span records through the pipeline', () => {
  test('endRecord exports one span with the record ids, redacted like every other span', async () => {
    const p = make();
    const record = p.openRecord({ name: 'call', kind: 'client', attributes: { 'url.full': 'https://u:p@x.example/' } });
    expect(p.endRecord(record, { status: { code: SpanStatusCode.OK } })).toEqual({ outcome: 'queued' });
    await p.forceFlush();
    const [span] = exporter.exported;
    expect(span.spanContext()).toMatchObject({ traceId: record.traceId, spanId: record.spanId });
    expect(span.attributes['url.full']).toBe('https://REDACTED:REDACTED@x.example/');
    expect(span.status.code).toBe(SpanStatusCode.OK);
    expect(span.instrumentationScope.name).toBe('@threadline/connectors');
  });

  test('a span record can parent tracer spans and the other way round', async () => {
    const p = make();
    const server = p.tracer.startSpan('server');
    const record = p.openRecord({ name: 'step', parent: server.spanContext() });
    const carrier = p.recordToCarrier(record);
    expect(carrier?.traceparent).toBe(`00-${record.traceId}-${record.spanId}-03`); // the server span started a random trace
    const child = p.tracer.startSpan('child', {}, trace.setSpanContext(ROOT_CONTEXT, { traceId: record.traceId, spanId: record.spanId, traceFlags: record.traceFlags }));
    expect(record.parentSpanId).toBe(server.spanContext().spanId);
    expect(child.spanContext().traceId).toBe(server.spanContext().traceId);
  });

  test('outcomes: not-sampled, invalid with problems, dropped after shutdown', async () => {
    const p = make({ sampling: { sampler: 'always_off' } });
    expect(p.endRecord(p.openRecord({ name: 'x' }))).toEqual({ outcome: 'not-sampled' });
    expect(p.endRecord({ name: 'x' } as never)).toMatchObject({ outcome: 'invalid', problems: expect.arrayContaining([expect.stringContaining('record.traceId')]) });
    expect(p.endRecord(undefined as never)).toEqual({ outcome: 'invalid', problems: ['record: expected an object'] });
    const q = make();
    const record = q.openRecord({ name: 'late' });
    await q.shutdown();
    expect(q.endRecord(record)).toEqual({ outcome: 'dropped' });
    expect(q.stats().dropped).toBe(1);
  });

  test('a tracked record left open is ended by the sweeper as incomplete and abandoned', async () => {
    const p = make({}, { sweepIntervalMillis: 5 });
    const record = p.openRecord({ name: 'forgotten' });
    expect(p.trackRecord(record, 10)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 60));
    await p.forceFlush();
    const [span] = exporter.exported;
    expect(span.spanContext().spanId).toBe(record.spanId);
    expect(span.attributes['threadline.span.incomplete']).toBe(true);
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: ABANDONED_STATUS_MESSAGE });
    // The owner ending it late does not export it twice.
    expect(p.endRecord(record)).toEqual({ outcome: 'already-ended' });
  });

  test('a record this pipeline opened is trusted only while it holds what was opened; copies are validated', async () => {
    const p = make({ service: { name: 'trust' } });
    const opened = p.openRecord({ name: 'kept', startTime: 1_700_000_000_123 });
    // a copy (as from a message through JSON) is checked in full, and exports the same span
    const copy = JSON.parse(JSON.stringify(opened)) as typeof opened;
    expect(p.trackRecord(copy, 60_000)).toBe(true);
    expect(p.endRecord(copy)).toEqual({ outcome: 'queued' });
    // the very object, changed after opening: validated again, and refused
    const changed = p.openRecord({ name: 'changed' });
    changed.traceId = 'not a trace id';
    expect(p.trackRecord(changed, 60_000)).toBe(false);
    expect(p.endRecord(changed)).toMatchObject({ outcome: 'invalid', problems: [expect.stringContaining('record.traceId')] });
    // changed but still valid: exported as it now reads (the start time parsed from the record)
    const moved = p.openRecord({ name: 'moved' });
    moved.startTimeUnixNano = '1700000000456000000';
    moved.events = [{ name: 'e', timeUnixNano: '1700000000457000000' }];
    expect(p.endRecord(moved, { endTime: 1_700_000_001_000 })).toEqual({ outcome: 'queued' });
    await p.forceFlush();
    const [fromCopy, fromMoved] = exporter.exported;
    expect(fromCopy.spanContext().spanId).toBe(opened.spanId);
    expect(fromCopy.startTime).toEqual([1_700_000_000, 123_000_000]);
    expect(fromMoved.startTime).toEqual([1_700_000_000, 456_000_000]);
    expect(fromMoved.events.map((e) => e.time)).toEqual([[1_700_000_000, 457_000_000]]);
  });

  test('an open record is a parent: as opened here, as a copy, and an invalid one starts a new trace', () => {
    const p = make();
    const parent = p.openRecord({ name: 'parent', parent: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', tracestate: 'vendor=a' } });
    for (const given of [parent, JSON.parse(JSON.stringify(parent)) as typeof parent]) {
      const child = p.openRecord({ name: 'child', parent: given });
      expect(child).toMatchObject({ traceId: parent.traceId, parentSpanId: parent.spanId, traceFlags: parent.traceFlags, tracestate: parent.tracestate });
    }
    expect(parent.tracestate).toContain('vendor=a');
    const orphan = p.openRecord({ name: 'orphan', parent: { ...parent, spanId: 'nope' } });
    expect(orphan.traceId).not.toBe(parent.traceId);
    expect(orphan.parentSpanId).toBeUndefined();
  });

  test('a tracked record ended in time is exported once, as complete', async () => {
    const p = make({}, { sweepIntervalMillis: 5 });
    const record = p.openRecord({ name: 'finished' });
    p.trackRecord(record, 20);
    expect(p.endRecord(record)).toEqual({ outcome: 'queued' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await p.forceFlush();
    expect(exporter.exported).toHaveLength(1);
    expect(exporter.exported[0].attributes).not.toHaveProperty('threadline.span.incomplete');
  });

  test('shutdown ends tracked records, exports them, and is idempotent', async () => {
    const p = make();
    const record = p.openRecord({ name: 'open at shutdown' });
    p.trackRecord(record, 60_000);
    expect(p.trackRecord({ v: 1 } as never, 10)).toBe(false);
    const first = p.shutdown();
    expect(p.shutdown()).toBe(first);
    await first;
    expect(exporter.exported.map((span) => span.name)).toEqual(['open at shutdown']);
    expect(exporter.exported[0].attributes['threadline.span.incomplete']).toBe(true);
    expect(exporter.shutdowns).toBe(1);
  });
});
