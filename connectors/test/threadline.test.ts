import { context, propagation, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { ConfigError, createThreadline, ThreadlinePropagator } from '../src';
import { ScriptedExporter } from './pipeline/test-spans';

describe('createThreadline', () => {
  test('reads the OTEL_* environment and wires config, propagator and pipeline together', async () => {
    const exporter = new ScriptedExporter();
    const tl = createThreadline({ env: { OTEL_SERVICE_NAME: 'billing', OTEL_PROPAGATORS: 'tracecontext,baggage,b3' }, exporter });
    expect(tl.config.service.name).toBe('billing');
    expect(tl.propagator).toBeInstanceOf(ThreadlinePropagator);
    expect(tl.propagator.fields()).toEqual(expect.arrayContaining(['traceparent', 'tracestate', 'baggage', 'b3']));
    tl.tracer.startSpan('work').end();
    await tl.forceFlush();
    expect(exporter.exported[0].resource.attributes['service.name']).toBe('billing');
    expect(tl.stats().exported).toBe(1);
    await tl.shutdown();
    await tl.shutdown(); // idempotent
  });

  test('touches no global unless asked', async () => {
    const tl = createThreadline({ env: {}, exporter: new ScriptedExporter() });
    expect(propagation.fields()).toEqual([]);
    const span = tl.tracer.startSpan('outer');
    context.with(trace.setSpan(ROOT_CONTEXT, span), () => expect(trace.getActiveSpan()).toBeUndefined());
    span.end();
    await tl.shutdown();
  });

  test('registerGlobal: the active span follows async calls, and shutdown undoes the registration', async () => {
    const tl = createThreadline({ env: {}, exporter: new ScriptedExporter(), registerGlobal: true });
    expect(propagation.fields()).toContain('traceparent');
    const traceId = await tl.tracer.startActiveSpan('outer', async (span) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      const inner = trace.getActiveSpan()?.spanContext().traceId;
      span.end();
      return inner;
    });
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    await tl.shutdown();
    expect(propagation.fields()).toEqual([]);
  });

  test('a bad configuration throws a ConfigError naming the field', () => {
    expect(() => createThreadline({ env: {}, overrides: { sampling: { ratio: 7 } } })).toThrow(ConfigError);
    expect(() => createThreadline({ env: {}, overrides: { sampling: { ratio: 7 } } })).toThrow(/sampling\.ratio/);
  });
});
