import { ROOT_CONTEXT, SpanKind, context, propagation, trace } from '@opentelemetry/api';
import { headerMapGetter } from '../../src/propagation';
import type { MessageCarrier } from '../../src/wrappers';
import { extractMessageContext, injectMessageContext, startConsumerSpan, startProducerSpan } from '../../src/wrappers';
import type { TestTracing } from './support';
import { REMOTE_PARENT_ID, REMOTE_TRACEPARENT, REMOTE_TRACE_ID, createTestTracing, useTestContextManager } from './support';

let tracing: TestTracing;

beforeEach(() => {
  tracing = createTestTracing();
});

afterEach(async () => {
  await tracing.shutdown();
});

function remoteContext(): ReturnType<typeof propagation.setBaggage> {
  const withSpan = tracing.propagator.extract(ROOT_CONTEXT, { traceparent: REMOTE_TRACEPARENT }, headerMapGetter);
  return propagation.setBaggage(withSpan, propagation.createBaggage({ tenant: { value: 'acme' } }));
}

describe('injectMessageContext / extractMessageContext', () => {
  it('writes Kafka headers as strings and reads them back from Buffers', () => {
    const message: { headers?: Record<string, string | Buffer | (string | Buffer)[] | undefined> } = { headers: { key: 'k' } };
    injectMessageContext(tracing.propagator, remoteContext(), { format: 'kafka', message });
    expect(message.headers).toEqual({ key: 'k', traceparent: REMOTE_TRACEPARENT, baggage: 'tenant=acme' });

    const delivered = { headers: { traceparent: Buffer.from(REMOTE_TRACEPARENT), baggage: Buffer.from('tenant=acme') } };
    const extracted = extractMessageContext(tracing.propagator, { format: 'kafka', message: delivered });
    expect(trace.getSpanContext(extracted)?.traceId).toBe(REMOTE_TRACE_ID);
    expect(propagation.getBaggage(extracted)?.getEntry('tenant')?.value).toBe('acme');
  });

  it('creates the missing container for every format', () => {
    const carriers: MessageCarrier[] = [
      { format: 'amqp', properties: {} },
      { format: 'kafka', message: {} },
      { format: 'mqtt', properties: {} },
      { format: 'json', payload: { id: 1 } },
    ];
    for (const carrier of carriers) {
      injectMessageContext(tracing.propagator, remoteContext(), carrier);
      const extracted = extractMessageContext(tracing.propagator, carrier);
      expect(trace.getSpanContext(extracted)?.spanId).toBe(REMOTE_PARENT_ID);
    }
    expect(carriers[3]).toEqual({
      format: 'json',
      payload: { id: 1, _trace: { traceparent: REMOTE_TRACEPARENT, baggage: 'tenant=acme' } },
    });
  });

  it('replaces stale trace fields of a forwarded message instead of mixing them in', () => {
    const properties = { headers: { TraceParent: '00-11111111111111111111111111111111-2222222222222222-01', tracestate: 'old=1', Baggage: 'x=1', app: 'keep' } as Record<string, unknown> };
    const fresh = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: REMOTE_TRACE_ID,
      spanId: REMOTE_PARENT_ID,
      traceFlags: 1,
    });
    injectMessageContext(tracing.propagator, fresh, { format: 'amqp', properties });
    expect(properties.headers).toEqual({ app: 'keep', traceparent: REMOTE_TRACEPARENT });

    const payload: Record<string, unknown> = { _trace: { traceparent: 'stale', baggage: 'x=1' } };
    injectMessageContext(tracing.propagator, fresh, { format: 'json', payload });
    expect(payload._trace).toEqual({ traceparent: REMOTE_TRACEPARENT });
  });

  it('treats a Kafka traceparent header repeated on one record as invalid', () => {
    const headers = { traceparent: [Buffer.from(REMOTE_TRACEPARENT), Buffer.from(REMOTE_TRACEPARENT)] };
    const extracted = extractMessageContext(tracing.propagator, { format: 'kafka', message: { headers } });
    expect(trace.getSpanContext(extracted)).toBeUndefined();
  });

  it('reads MQTT user properties and tolerates junk without throwing', () => {
    const ok = extractMessageContext(tracing.propagator, {
      format: 'mqtt',
      properties: { userProperties: { traceparent: REMOTE_TRACEPARENT } },
    });
    expect(trace.getSpanContext(ok)?.traceId).toBe(REMOTE_TRACE_ID);
    const junk: MessageCarrier[] = [
      { format: 'amqp', properties: { headers: { traceparent: 42 } } },
      { format: 'json', payload: { _trace: ['nope'] } },
      { format: 'json', payload: { _trace: null } },
      { format: 'mqtt', properties: {} },
    ];
    for (const carrier of junk) expect(extractMessageContext(tracing.propagator, carrier)).toBe(ROOT_CONTEXT);
  });
});

describe('startProducerSpan', () => {
  it('injects into every carrier of a batch and counts them', () => {
    const carriers: MessageCarrier[] = [
      { format: 'kafka', message: {} },
      { format: 'kafka', message: {} },
    ];
    const producer = startProducerSpan(tracing, {
      system: 'kafka',
      destination: 'orders',
      operation: 'create',
      operationName: 'produce',
      carrier: carriers,
      parent: { traceparent: REMOTE_TRACEPARENT },
      attributes: { 'app.batch': 'b1' },
    });
    producer.span.end();
    const span = tracing.spanNamed('produce orders');
    expect(span.kind).toBe(SpanKind.PRODUCER);
    expect(span.parentSpanContext?.spanId).toBe(REMOTE_PARENT_ID);
    expect(span.attributes).toMatchObject({
      'messaging.operation.type': 'create',
      'messaging.operation.name': 'produce',
      'messaging.batch.message_count': 2,
      'app.batch': 'b1',
    });
    for (const carrier of carriers) {
      expect(trace.getSpanContext(extractMessageContext(tracing.propagator, carrier))?.spanId).toBe(span.spanContext().spanId);
    }
  });
});

describe('startConsumerSpan', () => {
  it('parents a message without context on the active context, with no link', () => {
    const uninstall = useTestContextManager();
    try {
      const loop = tracing.tracer.startSpan('loop');
      const consumer = context.with(trace.setSpan(ROOT_CONTEXT, loop), () =>
        startConsumerSpan(tracing, { system: 'rabbitmq', destination: 'jobs', carrier: { format: 'amqp', properties: {} } }),
      );
      consumer.span.end();
      loop.end();
      const span = tracing.spanNamed('process jobs');
      expect(span.parentSpanContext?.spanId).toBe(loop.spanContext().spanId);
      expect(span.links).toEqual([]);
    } finally {
      uninstall();
    }
  });

  it('returns a context that carries the message baggage for the handler', () => {
    const carrier: MessageCarrier = { format: 'json', payload: {} };
    injectMessageContext(tracing.propagator, remoteContext(), carrier);
    const consumer = startConsumerSpan(tracing, { system: 'custom', destination: 'q', carrier, messageId: 'id-9' });
    consumer.span.end();
    expect(propagation.getBaggage(consumer.context)?.getEntry('tenant')?.value).toBe('acme');
    expect(trace.getSpan(consumer.context)).toBe(consumer.span);
    expect(tracing.spanNamed('process q').attributes['messaging.message.id']).toBe('id-9');
  });
});
