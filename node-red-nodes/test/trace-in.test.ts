import traceIn from '../src/nodes/trace-in';
import { MSG_PROPERTY } from '../src/message-context';
import type { TestThreadline } from './support/flow-harness';
import { CONFIG_ID, helper, hex, nextError, nextMessage, nextStatus, registerTestThreadline } from './support/flow-harness';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER = `00-${TRACE_ID}-00f067aa0ba902b7-01`;
const RULES = 'baggage:\n  accept: ["tenant"]\n  copyToSpans: ["tenant"]\n';

const flow = (extra: Record<string, unknown> = {}): Record<string, unknown>[] => [
  { id: 'in', type: 'threadline-trace-in', config: CONFIG_ID, wires: [['out']], ...extra },
  { id: 'out', type: 'helper' },
];

/** What `http in` puts on msg.req, as far as trace in reads it. */
const httpRequest = (headers: Record<string, string>): Record<string, unknown> => ({
  method: 'POST',
  url: '/orders?id=1',
  originalUrl: '/orders?id=1',
  route: { path: '/orders' },
  headers,
  headersDistinct: Object.fromEntries(Object.entries(headers).map(([key, value]) => [key, [value]])),
});

describe('trace in node', () => {
  let tl: TestThreadline;
  beforeEach(() => {
    tl = registerTestThreadline({ rules: RULES });
  });
  afterEach(async () => {
    await helper.unload();
    await tl.close();
  });

  it('continues the caller of an http in request, keeping only accepted baggage', async () => {
    await helper.load([traceIn], flow());
    const received = nextMessage('out');
    const status = nextStatus('in');
    helper.getNode('in').receive({ req: httpRequest({ traceparent: CALLER, tracestate: 'v=1', baggage: 'tenant=acme,secret=x' }) });
    const msg = await received;
    const carrier = msg[MSG_PROPERTY] as Record<string, string>;
    const [span] = await tl.spans();
    expect(hex(span)).toEqual({ traceId: TRACE_ID, spanId: expect.any(String), parentSpanId: '00f067aa0ba902b7' });
    expect(span.name).toBe('POST /orders');
    expect(span.attributes).toMatchObject({ 'http.request.method': 'POST', 'url.path': '/orders', 'threadline.context.source': 'http', 'baggage.tenant': 'acme' });
    expect(carrier).toEqual({ traceparent: `00-${TRACE_ID}-${hex(span).spanId}-01`, tracestate: 'v=1', baggage: 'tenant=acme' });
    expect((await status).text).toMatch(/^4bf92f35 · [\d.]+ ms$/);
  });

  it('reads msg.headers, MQTT v5 user properties, AMQP headers and a named property', async () => {
    const cases: [Record<string, unknown>, Record<string, unknown>][] = [
      [{ source: 'headers' }, { headers: { TraceParent: CALLER } }],
      [{ source: 'mqtt' }, { userProperties: { traceparent: CALLER } }],
      [{ source: 'amqp' }, { properties: { headers: { traceparent: Buffer.from(CALLER) } } }],
      [{ source: 'property', property: 'payload.trace' }, { payload: { trace: { traceparent: CALLER } } }],
      [{ source: 'property', property: 'meta' }, { meta: CALLER }],
      [{ source: 'auto' }, { userProperties: { traceparent: CALLER } }],
    ];
    for (const [settings, msg] of cases) {
      await helper.load([traceIn], flow(settings));
      const received = nextMessage('out');
      helper.getNode('in').receive(msg);
      const carrier = (await received)[MSG_PROPERTY] as { traceparent: string };
      expect({ settings, traceparent: carrier.traceparent }).toEqual({ settings, traceparent: expect.stringContaining(TRACE_ID) });
      await helper.unload();
    }
  });

  it('starts a new trace for an invalid traceparent and drops its tracestate', async () => {
    await helper.load([traceIn], flow({ source: 'headers', spanName: 'entry' }));
    const received = nextMessage('out');
    helper.getNode('in').receive({ headers: { traceparent: `00-${TRACE_ID}-0000000000000000-01`, tracestate: 'v=1' } });
    const carrier = (await received)[MSG_PROPERTY] as Record<string, string>;
    const [span] = await tl.spans();
    expect(span.name).toBe('entry');
    expect(hex(span).traceId).not.toBe(TRACE_ID);
    expect(hex(span).parentSpanId).toBeUndefined();
    expect(span.attributes['threadline.context.continued']).toBe(false);
    expect(carrier.tracestate ?? '').not.toContain('v=1');
  });

  it('a new entry replaces the open spans of a message that came round again', async () => {
    await helper.load([traceIn], flow({ source: 'headers' }));
    const received = nextMessage('out');
    helper.getNode('in').receive({ headers: { traceparent: CALLER }, threadline: { traceparent: CALLER, spans: [] } });
    expect(((await received)[MSG_PROPERTY] as Record<string, unknown>).spans).toBeUndefined();
  });

  it('reports a missing config node with done(err) and still passes the message on', async () => {
    await helper.load([traceIn], [
      { id: 'in', type: 'threadline-trace-in', z: 'f1', config: 'missing', wires: [['out']] },
      { id: 'out', type: 'helper', z: 'f1' },
      { id: 'catch', type: 'catch', z: 'f1', x: 100, y: 200, scope: null, wires: [['caught']] },
      { id: 'caught', type: 'helper', z: 'f1' },
      { id: 'f1', type: 'tab' },
    ]);
    // shown at deploy already (the helper spies on every node's status calls)
    const statusCalls = (helper.getNode('in') as unknown as { status: { args: { text?: string }[][] } }).status.args;
    expect(statusCalls.map(([status]) => status.text)).toContainEqual(expect.stringMatching(/^the Threadline config node missing is not deployed/));
    const error = nextError('in');
    const received = nextMessage('out');
    const caught = nextMessage('caught');
    helper.getNode('in').receive({ payload: 1 });
    expect((await received).payload).toBe(1);
    expect(await error).toMatch(/config node missing is not deployed/);
    expect(((await caught).error as { message: string }).message).toMatch(/threadline-trace-in/);
  });
});
