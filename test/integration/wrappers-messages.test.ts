// Acceptance tests for the message wrappers: context travels producer → consumer through each
// header format over a real loopback TCP hop. The hop serialises the headers the way the brokers
// do: Kafka header values arrive as Buffers, AMQP headers and MQTT user properties as strings, the
// JSON envelope as JSON text.

import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { createInterface } from 'node:readline';
import { ROOT_CONTEXT, SpanKind, context, propagation, trace } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { MessageCarrier } from '../../connectors/src/wrappers';
import { extractMessageContext, startConsumerSpan, startProducerSpan } from '../../connectors/src/wrappers';
import type { TestTracing } from '../../connectors/test/wrappers/support';
import { createTestTracing, useTestContextManager } from '../../connectors/test/wrappers/support';

type Format = MessageCarrier['format'];

/** What goes over the wire: one JSON line per message, header bytes as base64. */
interface WireMessage {
  format: Format;
  destination: string;
  headers: Record<string, string[]>;
  body: string;
}

function toWire(carrier: MessageCarrier, destination: string, body: string): WireMessage {
  const headers: Record<string, string[]> = {};
  const addAll = (record: Record<string, unknown> | undefined): void => {
    for (const [key, value] of Object.entries(record ?? {})) {
      const values = Array.isArray(value) ? value : [value];
      headers[key] = values.map((item) => Buffer.from(item as string | Buffer).toString('base64'));
    }
  };
  if (carrier.format === 'amqp') addAll(carrier.properties.headers);
  if (carrier.format === 'kafka') addAll(carrier.message.headers);
  if (carrier.format === 'mqtt') addAll(carrier.properties.userProperties);
  const wireBody = carrier.format === 'json' ? JSON.stringify(carrier.payload) : body;
  return { format: carrier.format, destination, headers, body: wireBody };
}

/** The consumer-side view the client libraries hand over. */
function fromWire(message: WireMessage): MessageCarrier {
  const decode = (values: string[]): Buffer[] => values.map((value) => Buffer.from(value, 'base64'));
  const single = <T>(values: T[]): T | T[] => (values.length === 1 ? values[0]! : values);
  const asStrings = (): Record<string, string | string[]> =>
    Object.fromEntries(Object.entries(message.headers).map(([k, v]) => [k, single(decode(v).map((b) => b.toString('utf8')))]));
  switch (message.format) {
    case 'kafka':
      return { format: 'kafka', message: { headers: Object.fromEntries(Object.entries(message.headers).map(([k, v]) => [k, single(decode(v))])) } };
    case 'amqp':
      return { format: 'amqp', properties: { headers: asStrings() } };
    case 'mqtt':
      return { format: 'mqtt', properties: { userProperties: asStrings() } };
    case 'json':
      return { format: 'json', payload: JSON.parse(message.body) as Record<string, unknown> };
  }
}

/** A one-hop "broker": a TCP server whose connection handler is the consumer. */
class LoopbackConsumer {
  private readonly server = net.createServer((socket) => {
    const lines = createInterface({ input: socket });
    lines.on('line', (line) => {
      this.onMessage(JSON.parse(line) as WireMessage);
      socket.write('ack\n');
    });
  });

  constructor(private readonly onMessage: (message: WireMessage) => void) {}

  async start(): Promise<number> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Sends messages and resolves once the consumer acknowledged each one. */
async function send(port: number, messages: WireMessage[]): Promise<void> {
  const socket = net.connect(port, '127.0.0.1');
  await once(socket, 'connect');
  const acks = createInterface({ input: socket });
  let acked = 0;
  const allAcked = new Promise<void>((resolve) =>
    acks.on('line', () => {
      acked += 1;
      if (acked === messages.length) resolve();
    }),
  );
  for (const message of messages) socket.write(`${JSON.stringify(message)}\n`);
  await allAcked;
  socket.end();
  await once(socket, 'close');
}

function newCarrier(format: Format): MessageCarrier {
  switch (format) {
    case 'kafka':
      return { format, message: {} };
    case 'amqp':
      return { format, properties: {} };
    case 'mqtt':
      return { format, properties: {} };
    case 'json':
      return { format, payload: { order: 42 } };
  }
}

const SYSTEM_OF: Record<Format, string> = { kafka: 'kafka', amqp: 'rabbitmq', mqtt: 'mqtt', json: 'custom' };

let tracing: TestTracing;
let consumer: LoopbackConsumer;
let port: number;
let received: { message: WireMessage; carrier: MessageCarrier }[];
let consumerMode: 'single' | 'batch-after' = 'single';

beforeAll(async () => {
  consumer = new LoopbackConsumer((message) => {
    const carrier = fromWire(message);
    received.push({ message, carrier });
    if (consumerMode !== 'single') return;
    const { span, context: consumerContext } = startConsumerSpan(tracing, {
      system: SYSTEM_OF[message.format],
      destination: message.destination,
      carrier,
    });
    // The handler runs in the consumer context; here it just proves baggage arrived.
    const tenant = propagation.getBaggage(consumerContext)?.getEntry('tenant')?.value;
    if (tenant) span.setAttribute('test.tenant', tenant);
    span.end();
  });
  port = await consumer.start();
});

afterAll(async () => {
  await consumer.stop();
});

beforeEach(() => {
  tracing = createTestTracing();
  received = [];
  consumerMode = 'single';
});

afterEach(async () => {
  await tracing.shutdown();
});

function byKind(kind: SpanKind): ReadableSpan[] {
  return tracing.spans().filter((span) => span.kind === kind);
}

describe.each<Format>(['kafka', 'amqp', 'mqtt', 'json'])('%s headers over a loopback hop', (format) => {
  it('keeps the chain job → PRODUCER → CONSUMER, with the creation context as parent and link', async () => {
    const job = tracing.tracer.startSpan('job');
    const jobContext = propagation.setBaggage(
      trace.setSpan(ROOT_CONTEXT, job),
      propagation.createBaggage({ tenant: { value: 'acme' } }),
    );
    const carrier = newCarrier(format);
    const producer = startProducerSpan(tracing, {
      system: SYSTEM_OF[format],
      destination: 'orders',
      messageId: 'm-1',
      carrier,
      parent: jobContext,
    });
    await send(port, [toWire(carrier, 'orders', 'order 42')]);
    producer.span.end();
    job.end();

    const [producerSpan] = byKind(SpanKind.PRODUCER);
    const [consumerSpan] = byKind(SpanKind.CONSUMER);
    expect(producerSpan!.name).toBe('send orders');
    expect(producerSpan!.attributes).toMatchObject({
      'messaging.system': SYSTEM_OF[format],
      'messaging.destination.name': 'orders',
      'messaging.operation.type': 'send',
      'messaging.message.id': 'm-1',
    });
    expect(producerSpan!.parentSpanContext?.spanId).toBe(job.spanContext().spanId);

    expect(consumerSpan!.name).toBe('process orders');
    expect(consumerSpan!.attributes['messaging.operation.type']).toBe('process');
    expect(consumerSpan!.spanContext().traceId).toBe(job.spanContext().traceId);
    expect(consumerSpan!.parentSpanContext?.spanId).toBe(producerSpan!.spanContext().spanId);
    expect(consumerSpan!.links.map((link) => link.context.spanId)).toEqual([producerSpan!.spanContext().spanId]);
    expect(consumerSpan!.attributes['test.tenant']).toBe('acme');
  });
});

describe('consumer relations', () => {
  it('links every message of a batch and parents the batch span on the active context', async () => {
    consumerMode = 'batch-after';
    const carriers = [newCarrier('kafka'), newCarrier('kafka'), newCarrier('kafka')];
    const producers = carriers.map((carrier) => startProducerSpan(tracing, { system: 'kafka', destination: 'orders', carrier }));
    await send(port, carriers.map((carrier) => toWire(carrier, 'orders', 'x')));
    for (const producer of producers) producer.span.end();

    const poll = tracing.tracer.startSpan('poll');
    const uninstall = useTestContextManager();
    try {
      const batch = context.with(trace.setSpan(ROOT_CONTEXT, poll), () =>
        startConsumerSpan(tracing, {
          system: 'kafka',
          destination: 'orders',
          operation: 'receive',
          carrier: received.map((entry) => entry.carrier),
        }),
      );
      batch.span.end();
    } finally {
      uninstall();
    }
    poll.end();

    const batchSpan = byKind(SpanKind.CONSUMER)[0]!;
    expect(batchSpan.name).toBe('receive orders');
    expect(batchSpan.attributes['messaging.batch.message_count']).toBe(3);
    expect(batchSpan.links.map((link) => link.context.spanId).sort()).toEqual(
      producers.map((producer) => producer.span.spanContext().spanId).sort(),
    );
    expect(batchSpan.parentSpanContext?.spanId).toBe(poll.spanContext().spanId);
  });

  it('uses an explicit parent and keeps the message as a link only', async () => {
    consumerMode = 'batch-after';
    const carrier = newCarrier('mqtt');
    const producer = startProducerSpan(tracing, { system: 'mqtt', destination: 'sensors/1', carrier });
    await send(port, [toWire(carrier, 'sensors/1', '21.5')]);
    producer.span.end();

    const loop = tracing.tracer.startSpan('subscription loop');
    const processing = startConsumerSpan(tracing, {
      system: 'mqtt',
      destination: 'sensors/1',
      carrier: received[0]!.carrier,
      parent: trace.setSpan(ROOT_CONTEXT, loop),
    });
    processing.span.end();
    loop.end();

    const consumerSpan = byKind(SpanKind.CONSUMER)[0]!;
    expect(consumerSpan.parentSpanContext?.spanId).toBe(loop.spanContext().spanId);
    expect(consumerSpan.links.map((link) => link.context.spanId)).toEqual([producer.span.spanContext().spanId]);
  });

  it('starts a new trace for a message without context, and for a broken envelope', async () => {
    await send(port, [
      { format: 'kafka', destination: 'orders', headers: { other: [Buffer.from('x').toString('base64')] }, body: '' },
      { format: 'json', destination: 'orders', headers: {}, body: JSON.stringify({ _trace: 'not-a-carrier' }) },
      { format: 'json', destination: 'orders', headers: {}, body: JSON.stringify({ _trace: { traceparent: 7 } }) },
    ]);
    const consumerSpans = byKind(SpanKind.CONSUMER);
    expect(consumerSpans).toHaveLength(3);
    for (const span of consumerSpans) {
      expect(span.parentSpanContext).toBeUndefined();
      expect(span.links).toEqual([]);
    }
    expect(trace.getSpanContext(extractMessageContext(tracing.propagator, received[1]!.carrier))).toBeUndefined();
  });
});
