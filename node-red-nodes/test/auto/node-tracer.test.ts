// The tracer's hook handlers driven with the events Node-RED would pass (fakes of the runtime),
// spans taken from an in-memory exporter behind the real pipeline.
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { createPipeline, createPropagator, loadConfig } from '@threadline/connectors';
import type { Pipeline } from '@threadline/connectors';
import { NodeTracer } from '../../src/auto/node-tracer';
import type { RuntimeNode } from '../../src/auto/red-api';

const CALLER = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

function setup(ignore: string[] = []): { tracer: NodeTracer; exporter: InMemorySpanExporter; pipeline: Pipeline; failures: unknown[] } {
  const config = loadConfig({ env: {}, overrides: { service: { name: 'unit' }, exporter: { queue: { scheduledDelayMillis: 1 } } } });
  const exporter = new InMemorySpanExporter();
  const pipeline = createPipeline(config, { exporter, rules: undefined });
  const failures: unknown[] = [];
  const tracer = new NodeTracer(pipeline, createPropagator(config.propagation), { deadlineMs: 60_000, ignoreTypes: new Set(ignore) }, (error) => failures.push(error));
  return { tracer, exporter, pipeline, failures };
}

function node(id: string, type: string, callsDone = true, extra: Record<string, unknown> = {}): RuntimeNode {
  return { id, type, z: 'flow', _expectedDoneCount: callsDone ? 1 : 0, ...extra } as RuntimeNode;
}

async function finished(pipeline: Pipeline, exporter: InMemorySpanExporter): Promise<ReadableSpan[]> {
  await pipeline.forceFlush();
  return exporter.getFinishedSpans();
}

const typeOf = (span: ReadableSpan): unknown => span.attributes['node_red.node.type'];

describe('NodeTracer', () => {
  test('http in continues the caller; each node is a child of the one the message came from', async () => {
    const { tracer, exporter, pipeline, failures } = setup();
    const httpIn = node('in', 'http in', true, { method: 'get', url: '/orders' });
    const change = node('c', 'change');
    const response = node('out', 'http response');
    const res = {};
    const msg: Record<string, unknown> = { _msgid: 'm1', req: { headers: { traceparent: CALLER } }, res };

    tracer.preDeliver({ msg, source: { id: 'in', node: httpIn }, destination: { id: 'c' } });
    tracer.onReceive({ msg, destination: { id: 'c', node: change } });
    tracer.onComplete({ msg, node: { id: 'c', node: change } });
    tracer.onReceive({ msg, destination: { id: 'out', node: response } });
    tracer.onComplete({ msg, node: { id: 'out', node: response } });

    const spans = await finished(pipeline, exporter);
    expect(spans.map(typeOf).sort()).toEqual(['change', 'http in', 'http response']);
    const [server] = spans.filter((s) => typeOf(s) === 'http in');
    expect(server!.name).toBe('GET /orders');
    expect(server!.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(server!.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
    const changeSpan = spans.find((s) => typeOf(s) === 'change')!;
    expect(changeSpan.parentSpanContext?.spanId).toBe(server!.spanContext().spanId);
    expect(spans.find((s) => typeOf(s) === 'http response')!.parentSpanContext?.spanId).toBe(changeSpan.spanContext().spanId);
    expect(failures).toEqual([]);
  });

  test('a Function node returning a new object keeps the execution by _msgid', async () => {
    const { tracer, exporter, pipeline } = setup();
    const inject = node('i', 'inject');
    const fn = node('f', 'function');
    const next = node('n', 'change');
    const msg: Record<string, unknown> = { _msgid: 'm2' };
    tracer.preDeliver({ msg, source: { id: 'i', node: inject }, destination: { id: 'f' } });
    tracer.onReceive({ msg, destination: { id: 'f', node: fn } });
    const fresh: Record<string, unknown> = { _msgid: 'm2', payload: 1 }; // no threadline
    tracer.preDeliver({ msg: fresh, source: { id: 'f', node: fn }, destination: { id: 'n' } });
    tracer.onComplete({ msg, node: { id: 'f', node: fn } });
    tracer.onReceive({ msg: fresh, destination: { id: 'n', node: next } });
    tracer.onComplete({ msg: fresh, node: { id: 'n', node: next } });
    const spans = await finished(pipeline, exporter);
    const fnSpan = spans.find((s) => typeOf(s) === 'function')!;
    const nextSpan = spans.find((s) => typeOf(s) === 'change')!;
    expect(nextSpan.parentSpanContext?.spanId).toBe(fnSpan.spanContext().spanId);
    expect(new Set(spans.map((s) => s.spanContext().traceId)).size).toBe(1);
  });

  test('nodes that never call done end when their handler returns; ignored types get no span', async () => {
    const { tracer, exporter, pipeline } = setup(['debug']);
    const sw = node('s', 'switch', false);
    const debug = node('d', 'debug');
    const msg: Record<string, unknown> = { _msgid: 'm3' };
    tracer.onReceive({ msg, destination: { id: 's', node: sw } });
    await Promise.resolve(); // the input handler, run right after the hook, has returned by now
    tracer.onReceive({ msg, destination: { id: 'd', node: debug } });
    tracer.onComplete({ msg, node: { id: 'd', node: debug } });
    const spans = await finished(pipeline, exporter);
    expect(spans.map(typeOf)).toEqual(['switch']);
  });

  test('an error passed to done() marks the span', async () => {
    const { tracer, exporter, pipeline } = setup();
    const fn = node('f', 'function');
    const msg: Record<string, unknown> = { _msgid: 'm4' };
    tracer.onReceive({ msg, destination: { id: 'f', node: fn } });
    tracer.onComplete({ msg, node: { id: 'f', node: fn }, error: new Error('boom') });
    const [span] = await finished(pipeline, exporter);
    expect(span!.status.code).toBe(2);
    expect(span!.events.map((event) => event.name)).toEqual(['exception']);
  });

  test('http request gets its CLIENT span at delivery, with the trace headers on a copy of msg.headers', async () => {
    const { tracer, exporter, pipeline } = setup();
    const request = node('r', 'http request');
    const headers = { accept: 'application/json' };
    const msg: Record<string, unknown> = { _msgid: 'm5', headers };
    tracer.preDeliver({ msg, source: { id: 'x' }, destination: { id: 'r', node: request } });
    tracer.onReceive({ msg, destination: { id: 'r', node: request } });
    const sent = msg.headers as Record<string, string>;
    expect(headers).toEqual({ accept: 'application/json' });
    msg.statusCode = 503;
    tracer.onComplete({ msg, node: { id: 'r', node: request } });
    const spans = await finished(pipeline, exporter);
    expect(spans).toHaveLength(1);
    expect(sent.traceparent).toBe(`00-${spans[0]!.spanContext().traceId}-${spans[0]!.spanContext().spanId}-03`); // sampled, random ids
    expect(spans[0]!.kind).toBe(2); // CLIENT in @opentelemetry/api
    expect(spans[0]!.attributes['http.response.status_code']).toBe(503);
    expect(spans[0]!.status.code).toBe(2);
  });

  test('handlers never throw, whatever the events hold', () => {
    const { tracer, failures } = setup();
    const garbage = [undefined, null, {}, { msg: null }, { destination: {} }, { node: {} }, [null]] as never[];
    for (const event of garbage) {
      expect(() => tracer.preDeliver(event)).not.toThrow();
      expect(() => tracer.onReceive(event)).not.toThrow();
      expect(() => tracer.onComplete(event)).not.toThrow();
      expect(tracer.onReceive(event)).toBeUndefined(); // returning false would halt the message
    }
    expect(failures.length).toBeGreaterThan(0);
  });
  test('spans carry node_red.flow.* from the flow lookup, read again after a deploy', async () => {
    const config = loadConfig({ env: {}, overrides: { service: { name: 'unit' }, exporter: { queue: { scheduledDelayMillis: 1 } } } });
    const exporter = new InMemorySpanExporter();
    const pipeline = createPipeline(config, { exporter, rules: undefined });
    let label = 'Orders';
    const tracer = new NodeTracer(pipeline, createPropagator(config.propagation), {
      deadlineMs: 60_000,
      ignoreTypes: new Set(),
      flowAttributes: (n) => ({ 'node_red.flow.id': `tab-of-${String(n.z)}`, 'node_red.flow.name': label }),
    });
    const inject = node('i', 'inject', true, { name: 'every minute' });
    const run = (id: string): void => {
      const msg: Record<string, unknown> = { _msgid: id };
      tracer.preDeliver({ msg, source: { id: 'i', node: inject }, destination: { id: 'x' } });
    };
    run('m1');
    label = 'Orders (renamed)';
    run('m2'); // same deploy: the name read once per node stays
    tracer.flowsChanged();
    run('m3');
    const spans = await finished(pipeline, exporter);
    expect(spans.map((s) => s.attributes['node_red.flow.name'])).toEqual(['Orders', 'Orders', 'Orders (renamed)']);
    expect(spans[0]!.attributes).toMatchObject({ 'node_red.flow.id': 'tab-of-flow', 'node_red.node.id': 'i', 'node_red.node.type': 'inject', 'node_red.node.name': 'every minute' });
    tracer.stop();
    await pipeline.shutdown();
  });
});
