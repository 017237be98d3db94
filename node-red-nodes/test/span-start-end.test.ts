import spanEnd from '../src/nodes/span-end';
import spanStart from '../src/nodes/span-start';
import { MSG_PROPERTY } from '../src/message-context';
import type { TestThreadline } from './support/flow-harness';
import { CONFIG_ID, helper, hex, nextError, nextMessage, nextStatus, registerTestThreadline } from './support/flow-harness';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER = `00-${TRACE_ID}-00f067aa0ba902b7-01`;

describe('span start and span end nodes', () => {
  let tl: TestThreadline;
  afterEach(async () => {
    await helper.unload();
    await tl.close();
  });

  it('nest as the flow nests and end with the right parents, status and outcome', async () => {
    tl = registerTestThreadline({ rules: 'baggage:\n  copyToSpans: ["tenant"]\n' });
    await helper.load(
      [spanStart, spanEnd],
      [
        { id: 'outer', type: 'threadline-span-start', config: CONFIG_ID, spanName: 'order', kind: 'server', attributes: '{"order.channel":"web"}', wires: [['inner']] },
        { id: 'inner', type: 'threadline-span-start', config: CONFIG_ID, name: 'charge', wires: [['endInner']] },
        { id: 'endInner', type: 'threadline-span-end', config: CONFIG_ID, wires: [['endOuter']] },
        { id: 'endOuter', type: 'threadline-span-end', config: CONFIG_ID, wires: [['out']] },
        { id: 'out', type: 'helper' },
      ],
    );
    const received = nextMessage('out');
    const startStatus = nextStatus('outer');
    const endStatus = nextStatus('endOuter');
    helper.getNode('outer').receive({ threadline: { traceparent: CALLER, baggage: 'tenant=acme' }, statusCode: 503 });
    const msg = await received;
    expect(msg[MSG_PROPERTY]).toEqual({ traceparent: CALLER, baggage: 'tenant=acme' });
    const spans = await tl.spans();
    const byName = Object.fromEntries(spans.map((span) => [span.name, span]));
    expect(Object.keys(byName).sort()).toEqual(['charge', 'order']);
    expect(hex(byName.order)).toMatchObject({ traceId: TRACE_ID, parentSpanId: '00f067aa0ba902b7' });
    expect(hex(byName.charge).parentSpanId).toBe(hex(byName.order).spanId);
    expect(byName.order.attributes).toMatchObject({ 'order.channel': 'web', 'baggage.tenant': 'acme', 'http.response.status_code': 503 });
    expect(byName.order.kind).toBe(1); // SERVER
    expect((await startStatus).text).toBe('4bf92f35 · started');
    expect((await endStatus).text).toMatch(/^4bf92f35 · [\d.]+ m?s$/);
  });

  it('span end by name closes that span and ends the ones left open inside it as incomplete', async () => {
    tl = registerTestThreadline();
    await helper.load(
      [spanStart, spanEnd],
      [
        { id: 'startA', type: 'threadline-span-start', config: CONFIG_ID, spanName: 'a', wires: [['startB']] },
        { id: 'startB', type: 'threadline-span-start', config: CONFIG_ID, spanName: 'b', wires: [['endA']] },
        { id: 'endA', type: 'threadline-span-end', config: CONFIG_ID, spanName: 'a', wires: [['out']] },
        { id: 'out', type: 'helper' },
      ],
    );
    const received = nextMessage('out');
    helper.getNode('startA').receive({ error: { message: 'boom', source: { type: 'function' } } });
    const msg = await received;
    expect((msg[MSG_PROPERTY] as { spans?: unknown }).spans).toBeUndefined();
    const spans = await tl.spans();
    const byName = Object.fromEntries(spans.map((span) => [span.name, span]));
    expect(byName.b.attributes['threadline.span.incomplete']).toBe(true);
    expect(byName.a.attributes['threadline.span.incomplete']).toBeUndefined();
    expect(byName.a.status.code).toBe(2); // ERROR, from msg.error
    expect(byName.a.events.map((event) => event.name)).toContain('exception');
    // a span start with no trace on the message started a new one
    expect(hex(byName.a).parentSpanId).toBeUndefined();
  });

  it('a message copied to two span ends exports the span once', async () => {
    tl = registerTestThreadline();
    await helper.load([spanStart, spanEnd], [
      { id: 'start', type: 'threadline-span-start', config: CONFIG_ID, spanName: 'fan', wires: [['end1', 'end2']] },
      { id: 'end1', type: 'threadline-span-end', config: CONFIG_ID, wires: [['out']] },
      { id: 'end2', type: 'threadline-span-end', config: CONFIG_ID, wires: [['out']] },
      { id: 'out', type: 'helper' },
    ]);
    const statuses = [nextStatus('end1'), nextStatus('end2')];
    helper.getNode('start').receive({ threadline: { traceparent: CALLER } });
    const texts = (await Promise.all(statuses)).map((status) => status.text ?? '').sort();
    expect(texts).toEqual([expect.stringMatching(/^4bf92f35 · [\d.]+ m?s$/), '4bf92f35 · already ended']);
    expect((await tl.spans()).map((span) => span.name)).toEqual(['fan']);
  });

  it('a span the flow never ends is ended as incomplete at the deadline', async () => {
    tl = registerTestThreadline({ spanDeadlineMs: 50, sweepIntervalMillis: 20 });
    await helper.load([spanStart], [{ id: 's', type: 'threadline-span-start', config: CONFIG_ID, spanName: 'lost', wires: [[]] }]);
    helper.getNode('s').receive({ threadline: { traceparent: CALLER } });
    let spans = await tl.spans();
    for (let i = 0; spans.length === 0 && i < 200; i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      spans = await tl.spans();
    }
    expect(spans.map((span) => [span.name, span.attributes['threadline.span.incomplete']])).toEqual([['lost', true]]);
  });

  it('span end removes trace headers a failed http request left in msg.headers, and leaves response headers alone', async () => {
    tl = registerTestThreadline();
    await helper.load([spanStart, spanEnd], [
      { id: 'start', type: 'threadline-span-start', config: CONFIG_ID, wires: [['end']] },
      { id: 'end', type: 'threadline-span-end', config: CONFIG_ID, wires: [['out']] },
      { id: 'out', type: 'helper' },
    ]);
    let received = nextMessage('out');
    helper.getNode('start').receive({ threadline: { traceparent: CALLER }, headers: { traceparent: CALLER, Baggage: 'a=1', 'x-api-key': 'k' } });
    expect((await received).headers).toEqual({ 'x-api-key': 'k' });
    const response = { traceparent: CALLER, 'content-type': 'text/plain', 'x-node-red-request-node': 'abc' };
    received = nextMessage('out');
    helper.getNode('start').receive({ threadline: { traceparent: CALLER }, headers: response });
    expect((await received).headers).toEqual(response);
  });

  it('span end with no open span reports an error and passes the message on', async () => {
    tl = registerTestThreadline();
    await helper.load([spanEnd], [
      { id: 'e', type: 'threadline-span-end', config: CONFIG_ID, spanName: 'order', wires: [['out']] },
      { id: 'out', type: 'helper' },
    ]);
    const error = nextError('e');
    const received = nextMessage('out');
    helper.getNode('e').receive({ threadline: { traceparent: CALLER }, payload: 'kept' });
    expect((await received).payload).toBe('kept');
    expect(await error).toMatch(/no open span named "order"/);
  });

  it('span start reports invalid attributes in its form', async () => {
    tl = registerTestThreadline();
    await helper.load([spanStart], [
      { id: 's', type: 'threadline-span-start', config: CONFIG_ID, attributes: '{"nested":{"x":1}}', wires: [['out']] },
      { id: 'out', type: 'helper' },
    ]);
    const error = nextError('s');
    helper.getNode('s').receive({});
    expect(await error).toMatch(/attributes: "nested" must be a string, number, boolean/);
  });
});
