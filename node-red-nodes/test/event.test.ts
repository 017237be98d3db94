import event from '../src/nodes/event';
import spanEnd from '../src/nodes/span-end';
import spanStart from '../src/nodes/span-start';
import type { TestThreadline } from './support/flow-harness';
import { CONFIG_ID, helper, hex, nextError, nextMessage, nextStatus, registerTestThreadline } from './support/flow-harness';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER = `00-${TRACE_ID}-00f067aa0ba902b7-01`;

describe('event node', () => {
  let tl: TestThreadline;
  beforeEach(() => {
    tl = registerTestThreadline();
  });
  afterEach(async () => {
    await helper.unload();
    await tl.close();
  });

  it('adds an event and attributes to the open span, sent when it ends', async () => {
    await helper.load([event, spanStart, spanEnd], [
      { id: 'start', type: 'threadline-span-start', config: CONFIG_ID, spanName: 'order', wires: [['ev']] },
      { id: 'ev', type: 'threadline-event', config: CONFIG_ID, eventName: 'order.validated', attributes: '{"items":3}', property: 'payload', wires: [['attrs']] },
      { id: 'attrs', type: 'threadline-event', config: CONFIG_ID, mode: 'attributes', attributes: '{"order.total":9.5}', wires: [['end']] },
      { id: 'end', type: 'threadline-span-end', config: CONFIG_ID, wires: [['out']] },
      { id: 'out', type: 'helper' },
    ]);
    const received = nextMessage('out');
    const status = nextStatus('ev');
    helper.getNode('start').receive({ threadline: { traceparent: CALLER }, payload: { customer: 'c1' } });
    await received;
    const [span] = await tl.spans();
    expect(span.name).toBe('order');
    expect(span.events.map((e) => [e.name, e.attributes])).toEqual([['order.validated', { items: 3, customer: 'c1' }]]);
    expect(span.attributes['order.total']).toBe(9.5);
    expect((await status).text).toMatch(/^4bf92f35 · /);
  });

  it('with no open span records the event as a short span of its own', async () => {
    await helper.load([event], [
      { id: 'ev', type: 'threadline-event', config: CONFIG_ID, eventName: 'retry', wires: [['out']] },
      { id: 'out', type: 'helper' },
    ]);
    const received = nextMessage('out');
    helper.getNode('ev').receive({ threadline: { traceparent: CALLER } });
    await received;
    const [span] = await tl.spans();
    expect(span.name).toBe('retry');
    expect(hex(span)).toMatchObject({ traceId: TRACE_ID, parentSpanId: '00f067aa0ba902b7' });
    expect(span.events.map((e) => e.name)).toEqual(['retry']);
  });

  it('names the key whose value no attribute can hold', async () => {
    await helper.load([event], [
      { id: 'ev', type: 'threadline-event', config: CONFIG_ID, property: 'payload', wires: [['out']] },
      { id: 'out', type: 'helper' },
    ]);
    const error = nextError('ev');
    helper.getNode('ev').receive({ threadline: { traceparent: CALLER }, payload: { when: { at: 1 } } });
    expect(await error).toMatch(/msg.payload: "when" must be a string/);
  });
});
