// The lean tracer must decide and record exactly as the pipeline's SDK tracer does: the same ids,
// flags, tracestate, sampling, parent, times, limits and span API rules, and its spans must take the
// same redact → batch → export path. Each case runs the SDK tracer and the lean tracer side by side.
import type { Span, Tracer } from '@opentelemetry/api';
import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, TraceFlags } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { suppressTracing } from '@opentelemetry/core';
import type { IdGenerator, ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { createPipeline } from '../../src/pipeline';
import type { Pipeline } from '../../src/pipeline';
import type { PipelineConfigOverrides } from '../../../test/support/otlp-pipeline-config';
import { pipelineConfig } from '../../../test/support/otlp-pipeline-config';
import { ScriptedExporter } from './test-spans';

/** The same ids in the same order for two tracers. */
function countingIds(): IdGenerator {
  let traces = 0;
  let spans = 0;
  return {
    generateTraceId: () => `4bf92f3577b34da6a3ce${(++traces).toString(16).padStart(12, '0')}`,
    generateSpanId: () => `00f067aa${(++spans).toString(16).padStart(8, '0')}`,
  };
}

interface Side {
  pipeline: Pipeline;
  exporter: ScriptedExporter;
  tracer: Tracer;
}

const opened: Pipeline[] = [];

function side(lean: boolean, overrides: PipelineConfigOverrides = {}): Side {
  const exporter = new ScriptedExporter();
  const pipeline = createPipeline(pipelineConfig(overrides), { exporter, idGenerator: countingIds() });
  opened.push(pipeline);
  return { pipeline, exporter, tracer: lean ? pipeline.getLeanTracer('scope', '1.0') : pipeline.getTracer('scope', '1.0') };
}

const afterCleanup: Array<() => void> = [];

afterEach(async () => {
  await Promise.all(opened.splice(0).map((pipeline) => pipeline.shutdown()));
  for (const cleanup of afterCleanup.splice(0)) cleanup();
});

/** What an exported span holds, for comparison (times left out: each side has its own clock reads). */
function facts(span: ReadableSpan): unknown {
  return {
    name: span.name,
    kind: span.kind,
    context: { ...span.spanContext(), traceState: span.spanContext().traceState?.serialize() },
    parent: span.parentSpanContext,
    attributes: span.attributes,
    events: span.events.map((event) => ({ name: event.name, attributes: event.attributes, dropped: event.droppedAttributesCount })),
    links: span.links,
    status: span.status,
    dropped: [span.droppedAttributesCount, span.droppedEventsCount, span.droppedLinksCount],
    resource: span.resource.attributes,
    scope: span.instrumentationScope,
  };
}

async function bothWays(script: (tracer: Tracer) => void, overrides: PipelineConfigOverrides = {}): Promise<[unknown[], unknown[]]> {
  const results: unknown[][] = [];
  for (const lean of [false, true]) {
    const { pipeline, exporter, tracer } = side(lean, overrides);
    script(tracer);
    await pipeline.forceFlush();
    results.push(exporter.exported.map(facts));
  }
  return [results[0]!, results[1]!];
}

const REMOTE_PARENT = trace.setSpanContext(ROOT_CONTEXT, {
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
  traceFlags: TraceFlags.SAMPLED | 0x02,
  isRemote: true,
});

describe('LeanTracer', () => {
  it('exports what the SDK tracer exports for a child of a remote parent, attributes, events, links and status included', async () => {
    // one error for both sides: its stack names where it was made
    const error = Object.assign(new Error('upstream said no'), { code: 'E_UPSTREAM' });
    const [sdk, lean] = await bothWays((tracer) => {
      const span = tracer.startSpan('GET /orders/{id}', { kind: SpanKind.SERVER, attributes: { 'http.route': '/orders/{id}', 'url.full': 'https://x.example/?sig=secret' }, links: [{ context: { traceId: '1'.repeat(32), spanId: '2'.repeat(16), traceFlags: 1 }, attributes: { reason: 'batch' } }] }, REMOTE_PARENT);
      span.setAttribute('http.response.status_code', 500);
      span.setAttributes({ 'error.type': '500', ignored: undefined });
      span.addEvent('retry', { attempt: 2 });
      span.recordException(error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: 'upstream said no' });
      span.updateName('GET');
      span.end();
    });
    expect(lean).toEqual(sdk);
    expect(lean).toHaveLength(1);
    // through the redact stage like every other span
    expect((lean[0] as { attributes: Record<string, unknown> }).attributes['url.full']).toBe('https://x.example/?sig=REDACTED');
  });

  it('starts a new trace with the random flag, and follows the parent’s flag for a child', async () => {
    const [sdk, lean] = await bothWays((tracer) => {
      const root = tracer.startSpan('root', {}, ROOT_CONTEXT);
      tracer.startSpan('child', {}, trace.setSpan(ROOT_CONTEXT, root)).end();
      tracer.startSpan('remote child', {}, REMOTE_PARENT).end();
      tracer.startSpan('forced root', { root: true }, REMOTE_PARENT).end();
      root.end();
    });
    expect(lean).toEqual(sdk);
    expect(lean.map((span) => (span as { context: { traceFlags: number } }).context.traceFlags)).toEqual([3, 3, 3, 3]);
  });

  it('returns a non-recording span carrying the decision when the sampler drops, and an invalid one when tracing is suppressed', () => {
    const { tracer } = side(true, { sampling: { sampler: 'always_off' } });
    const dropped = tracer.startSpan('x', {}, REMOTE_PARENT);
    expect(dropped.isRecording()).toBe(false);
    expect(dropped.spanContext()).toMatchObject({ traceId: '0af7651916cd43dd8448eb211c80319c', traceFlags: 0x02 });
    const suppressed = tracer.startSpan('x', {}, suppressTracing(REMOTE_PARENT));
    expect(suppressed.isRecording()).toBe(false);
    expect(trace.isSpanContextValid(suppressed.spanContext())).toBe(false);
  });

  it('follows the span API rules after the end and for status: nothing changes once ended, OK is final, a message goes with ERROR only', async () => {
    const [sdk, lean] = await bothWays((tracer) => {
      const ok = tracer.startSpan('ok');
      ok.setStatus({ code: SpanStatusCode.OK, message: 'dropped' });
      ok.setStatus({ code: SpanStatusCode.ERROR, message: 'too late' });
      ok.end();
      ok.setAttribute('after', true);
      ok.addEvent('after');
      ok.end();
    });
    expect(lean).toEqual(sdk);
    expect((lean[0] as { status: unknown }).status).toEqual({ code: SpanStatusCode.OK });
  });

  it('applies the OTEL_* span limits as the SDK does', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, { OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: '3', OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT: '5', OTEL_SPAN_EVENT_COUNT_LIMIT: '2', OTEL_SPAN_ATTRIBUTE_PER_EVENT_COUNT_LIMIT: '1' });
    try {
      const [sdk, lean] = await bothWays((tracer) => {
        const span: Span = tracer.startSpan('limits', { attributes: { a: 'abcdefgh', b: ['long value', 'ok'] } });
        span.setAttributes({ c: 1, d: 2, a: 'replaced value' });
        for (const name of ['one', 'two', 'three']) span.addEvent(name, { x: 1, y: 2 });
        span.end();
      });
      expect(lean).toEqual(sdk);
      expect(lean[0]).toMatchObject({ attributes: { a: 'repla', b: ['long ', 'ok'], c: 1 }, dropped: [1, 1, 0] });
      // the specification's name for the same limit, which the SDK does not read
      process.env.OTEL_SPAN_ATTRIBUTE_PER_EVENT_COUNT_LIMIT = '5';
      process.env.OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT = '1';
      const { pipeline, exporter, tracer } = side(true);
      const span = tracer.startSpan('spec names');
      span.addEvent('one', { x: 1, y: 2 });
      span.end();
      await pipeline.forceFlush();
      expect(exporter.exported[0]!.events[0]).toMatchObject({ attributes: { x: 1 }, droppedAttributesCount: 1 });
    } finally {
      process.env = saved;
    }
  });

  it('keeps the start and end times it is given, and never ends before it starts', async () => {
    const { pipeline, exporter, tracer } = side(true);
    tracer.startSpan('timed', { startTime: [1_763_792_123, 5] }).end([1_763_792_124, 7]);
    tracer.startSpan('backwards', { startTime: [1_763_792_123, 5] }).end([1_763_792_100, 0]);
    await pipeline.forceFlush();
    expect(exporter.exported.map((span) => [span.startTime, span.endTime, span.duration])).toEqual([
      [[1_763_792_123, 5], [1_763_792_124, 7], [1, 2]],
      [[1_763_792_123, 5], [1_763_792_123, 5], [0, 0]],
    ]);
  });

  it('makes the span active in startActiveSpan', () => {
    const manager = new AsyncLocalStorageContextManager().enable();
    context.setGlobalContextManager(manager);
    afterCleanup.push(() => {
      manager.disable();
      context.disable();
    });
    const { tracer } = side(true);
    const result = tracer.startActiveSpan('active', (span) => {
      const active = trace.getSpan(context.active());
      span.end();
      return active === span;
    });
    expect(result).toBe(true);
  });
});
