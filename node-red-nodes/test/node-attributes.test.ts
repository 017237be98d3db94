import event from '../src/nodes/event';
import spanEnd from '../src/nodes/span-end';
import spanStart from '../src/nodes/span-start';
import traceIn from '../src/nodes/trace-in';
import { ATTR_FLOW_ID, ATTR_FLOW_NAME, ATTR_NODE_ID, ATTR_NODE_NAME, ATTR_NODE_TYPE, flowAttributes, nodeAttributesOf } from '../src/node-attributes';
import type { FlowLookupApi } from '../src/node-attributes';
import type { TestThreadline } from './support/flow-harness';
import { CONFIG_ID, helper, nextMessage, registerTestThreadline } from './support/flow-harness';

describe('node_red.* attributes on the spans of the manual nodes', () => {
  let tl: TestThreadline;
  afterEach(async () => {
    await helper.unload();
    await tl.close();
  });

  it('place trace in, span start/end and event spans in their flow (tab label) and node', async () => {
    tl = registerTestThreadline();
    await helper.load(
      [traceIn, spanStart, spanEnd, event],
      [
        { id: 'orders-tab', type: 'tab', label: 'Orders' },
        { id: 'in', type: 'threadline-trace-in', z: 'orders-tab', config: CONFIG_ID, name: 'from caller', wires: [['note']] },
        { id: 'note', type: 'threadline-event', z: 'orders-tab', config: CONFIG_ID, eventName: 'received', wires: [['start']] },
        { id: 'start', type: 'threadline-span-start', z: 'orders-tab', config: CONFIG_ID, spanName: 'reserve stock', attributes: '{"node_red.node.id":"spoofed"}', wires: [['end']] },
        { id: 'end', type: 'threadline-span-end', z: 'orders-tab', config: CONFIG_ID, wires: [['out']] },
        { id: 'out', type: 'helper', z: 'orders-tab' },
      ],
    );
    const received = nextMessage('out');
    helper.getNode('in').receive({ payload: 1 });
    await received;
    const byName = Object.fromEntries((await tl.spans()).map((span) => [span.name, span.attributes]));
    expect(byName['from caller']).toMatchObject({
      [ATTR_FLOW_ID]: 'orders-tab',
      [ATTR_FLOW_NAME]: 'Orders',
      [ATTR_NODE_ID]: 'in',
      [ATTR_NODE_NAME]: 'from caller',
      [ATTR_NODE_TYPE]: 'threadline-trace-in',
    });
    expect(byName.received).toMatchObject({ [ATTR_FLOW_NAME]: 'Orders', [ATTR_NODE_ID]: 'note', [ATTR_NODE_TYPE]: 'threadline-event' });
    // the form's attributes cannot move a span out of its place; a node without a name has none
    expect(byName['reserve stock']).toMatchObject({ [ATTR_FLOW_ID]: 'orders-tab', [ATTR_NODE_ID]: 'start', [ATTR_NODE_TYPE]: 'threadline-span-start' });
    expect(byName['reserve stock'][ATTR_NODE_NAME]).toBeUndefined();
  });
});

describe('flow lookup', () => {
  const node = { id: 'n1', type: 'change', name: 'tidy', z: 'tab-1' };

  it('asks the runtime once per flow and again after a deploy', () => {
    const listeners: Record<string, () => void> = {};
    let label = 'Orders';
    const getSetting = jest.fn((_node: unknown, name: string) => (name === 'NR_FLOW_NAME' ? label : 'tab-1'));
    const RED: FlowLookupApi = { util: { getSetting }, events: { on: (name, listener) => (listeners[name] = listener as () => void) } };
    const attributesOf = nodeAttributesOf(RED, node);
    expect(attributesOf()).toEqual({ [ATTR_FLOW_ID]: 'tab-1', [ATTR_FLOW_NAME]: 'Orders', [ATTR_NODE_ID]: 'n1', [ATTR_NODE_NAME]: 'tidy', [ATTR_NODE_TYPE]: 'change' });
    attributesOf();
    expect(getSetting).toHaveBeenCalledTimes(2); // id and name, once
    label = 'Orders v2';
    listeners['flows:started']();
    expect(flowAttributes(RED, node)[ATTR_FLOW_NAME]).toBe('Orders v2');
  });

  it("falls back to the node's z when the runtime cannot say", () => {
    expect(flowAttributes({}, node)).toEqual({ [ATTR_FLOW_ID]: 'tab-1' });
    const throwing: FlowLookupApi = { util: { getSetting: () => { throw new Error('no flow'); } } };
    expect(flowAttributes(throwing, node)).toEqual({ [ATTR_FLOW_ID]: 'tab-1' });
  });
});
