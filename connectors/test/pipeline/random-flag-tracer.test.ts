import { INVALID_SPAN_CONTEXT, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { createPipeline } from '../../src/pipeline';
import type { Pipeline, PipelineOptions } from '../../src/pipeline';
import { headerMapGetter, headerMapSetter, TraceContextPropagator } from '../../src/propagation';
import type { PipelineConfigOverrides } from '../../../test/support/otlp-pipeline-config';
import { pipelineConfig } from '../../../test/support/otlp-pipeline-config';
import { ScriptedExporter } from './test-spans';

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const SPAN_ID = 'b7ad6b7169203331';
const propagator = new TraceContextPropagator();
let pipeline: Pipeline | undefined;
let exporter: ScriptedExporter;

function make(overrides: PipelineConfigOverrides = {}, options: PipelineOptions = {}): Pipeline {
  exporter = new ScriptedExporter();
  pipeline = createPipeline(pipelineConfig(overrides), { exporter, ...options });
  return pipeline;
}

function incoming(flags: string) {
  return propagator.extract(ROOT_CONTEXT, { traceparent: `00-${TRACE_ID}-${SPAN_ID}-${flags}` }, headerMapGetter);
}

function outgoingFlags(ctx: ReturnType<typeof incoming>, p: Pipeline): string {
  const span = p.tracer.startSpan('step', {}, ctx);
  const headers: Record<string, string> = {};
  propagator.inject(trace.setSpan(ctx, span), headers, headerMapSetter);
  span.end();
  return headers.traceparent.slice(-2);
}

afterEach(async () => {
  await pipeline?.shutdown();
  pipeline = undefined;
});

describe('the pipeline tracer keeps the W3C random flag (the SDK drops it)', () => {
  test('a child of an incoming random trace sends 03, of a non-random one 01', () => {
    const p = make();
    expect(outgoingFlags(incoming('03'), p)).toBe('03');
    expect(outgoingFlags(incoming('01'), p)).toBe('01');
    expect(outgoingFlags(incoming('02'), p)).toBe('02');
  });

  test('a new trace is random when the id generator is, and not otherwise', () => {
    expect(outgoingFlags(ROOT_CONTEXT, make())).toBe('03');
    const notSampled = make({ sampling: { sampler: 'always_off' } });
    expect(outgoingFlags(ROOT_CONTEXT, notSampled)).toBe('02');
  });

  test('randomTraceIds: false leaves new traces without the flag', async () => {
    const p = make({}, { randomTraceIds: false });
    expect(outgoingFlags(ROOT_CONTEXT, p)).toBe('01');
  });

  test('a child of a local random span keeps the flag, and the exported span carries it', async () => {
    const p = make();
    const root = p.tracer.startSpan('root');
    const child = p.tracer.startSpan('child', {}, trace.setSpan(ROOT_CONTEXT, root));
    expect(child.spanContext().traceFlags).toBe(0x03);
    child.end();
    root.end();
    await p.forceFlush();
    expect(exporter.exported.map((s) => s.spanContext().traceFlags)).toEqual([0x03, 0x03]);
  });

  test('startActiveSpan passes the flagged span and returns what the callback returns', () => {
    const p = make();
    const result = p.tracer.startActiveSpan('active', { attributes: { a: 1 } }, incoming('03'), (span) => {
      span.end();
      return span.spanContext().traceFlags;
    });
    expect(result).toBe(0x03);
    expect(p.tracer.startActiveSpan('short', (span) => (span.end(), span.spanContext().traceId === TRACE_ID))).toBe(false);
  });

  test('suppressed tracing never touches the shared invalid span context', () => {
    const p = make();
    const span = p.tracer.startSpan('x', {}, suppressTracing(ROOT_CONTEXT));
    expect(span.spanContext()).toBe(INVALID_SPAN_CONTEXT);
    expect(INVALID_SPAN_CONTEXT.traceFlags).toBe(0);
  });
});
