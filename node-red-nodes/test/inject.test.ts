import inject, { targetOfNodeType } from '../src/nodes/inject';
import spanStart from '../src/nodes/span-start';
import { openSpans } from '../src/message-context';
import type { TestThreadline } from './support/flow-harness';
import { CONFIG_ID, helper, nextError, nextMessage, nextStatus, registerTestThreadline, stubNodeTypes } from './support/flow-harness';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const hashSum = require('hash-sum') as (value: unknown) => string; // what `http request` marks response headers with

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER = `00-${TRACE_ID}-00f067aa0ba902b7-01`;
const RULES = 'baggage:\n  internalHosts: ["*.internal"]\n  forward:\n    - keys: ["tenant"]\n      to: internal\n';
const outbound = stubNodeTypes('http request', 'mqtt out', 'http response');

async function run(settings: Record<string, unknown>, msg: Record<string, unknown>, next = 'http request'): Promise<Record<string, unknown>> {
  await helper.load([inject, outbound], [
    { id: 'inj', type: 'threadline-inject', config: CONFIG_ID, wires: [['next']], ...settings },
    { id: 'next', type: next, wires: [['out']] },
    { id: 'out', type: 'helper' },
  ]);
  const received = nextMessage('out');
  helper.getNode('inj').receive(msg);
  return received;
}

const traced = (baggage?: string): Record<string, unknown> => ({ threadline: { traceparent: CALLER, ...(baggage ? { baggage } : {}) } });

describe('inject node', () => {
  let tl: TestThreadline;
  beforeEach(() => {
    tl = registerTestThreadline({ rules: RULES });
  });
  afterEach(async () => {
    await helper.unload();
    await tl.close();
  });

  it('finds the outbound node by the type wired after it', () => {
    expect(targetOfNodeType('http request')).toBe('http');
    expect(targetOfNodeType('mqtt out')).toBe('mqtt');
    expect(targetOfNodeType('amqp-out')).toBe('amqp');
    expect(targetOfNodeType('function')).toBeUndefined();
  });

  it('writes the innermost open span into msg.headers for the next http request, with baggage only for internal hosts', async () => {
    await helper.load([inject, spanStart, outbound], [
      { id: 'start', type: 'threadline-span-start', config: CONFIG_ID, spanName: 'call', wires: [['inj']] },
      { id: 'inj', type: 'threadline-inject', config: CONFIG_ID, wires: [['next']] },
      { id: 'next', type: 'http request', wires: [['out']] },
      { id: 'out', type: 'helper' },
    ]);
    const received = nextMessage('out');
    const status = nextStatus('inj');
    helper.getNode('start').receive({ ...traced('tenant=acme,secret=1'), url: 'http://orders.internal/api', headers: { 'X-Keep': 'yes', TraceParent: 'stale' } });
    const msg = await received;
    const [record] = openSpans(msg);
    expect(msg.headers).toEqual({
      'X-Keep': 'yes',
      traceparent: `00-${TRACE_ID}-${record.spanId}-01`,
      baggage: 'tenant=acme',
    });
    expect((await status).text).toMatch(/^4bf92f35 · /);
  });

  it('sends no baggage to an external or unknown host, not even one already in msg.headers', async () => {
    const msg = await run({}, { ...traced('tenant=acme'), url: 'https://api.example.com/x', headers: { baggage: 'secret=1' } });
    expect(msg.headers).toEqual({ traceparent: CALLER });
  });

  it('takes the destination host from the form over msg.url (an http request URL in its form wins there)', async () => {
    const msg = await run({ destination: 'stock.internal' }, { ...traced('tenant=acme'), url: 'https://api.example.com/x' });
    expect(msg.headers).toEqual({ traceparent: CALLER, baggage: 'tenant=acme' });
  });

  it("drops a previous response's headers as http request would, instead of forwarding them", async () => {
    const response: Record<string, unknown> = { 'content-type': 'application/json', 'set-cookie': ['a=1'] };
    response['x-node-red-request-node'] = hashSum(response);
    const msg = await run({ target: 'http' }, { ...traced(), headers: response });
    expect(msg.headers).toEqual({ traceparent: CALLER });
  });

  it('keeps response headers the user changed (the hash no longer matches), without the mark', async () => {
    const response: Record<string, unknown> = { 'content-type': 'application/json' };
    response['x-node-red-request-node'] = hashSum(response);
    response['x-api-key'] = 'k';
    const msg = await run({ target: 'http' }, { ...traced(), headers: response });
    expect(msg.headers).toEqual({ 'content-type': 'application/json', 'x-api-key': 'k', traceparent: CALLER });
  });

  it('writes MQTT v5 user properties, AMQP headers and a named property', async () => {
    expect((await run({}, { ...traced(), userProperties: { a: 'b' } }, 'mqtt out')).userProperties).toEqual({ a: 'b', traceparent: CALLER });
    await helper.unload();
    expect((await run({ target: 'amqp' }, { ...traced(), properties: { contentType: 'x' } })).properties).toEqual({ contentType: 'x', headers: { traceparent: CALLER } });
    await helper.unload();
    expect((await run({ target: 'property', property: 'payload.meta' }, { ...traced(), payload: {} })).payload).toEqual({ meta: { traceparent: CALLER } });
  });

  it.each([
    [{}, traced(), 'http response', /"auto" found no http request, mqtt out or AMQP node wired after it \(wired: http response\)/],
    [{}, {}, 'http request', /carries no trace/],
  ])("reports %j, given %j before a %s, with a clear error", async (settings, msg, next, pattern) => {
    await helper.load([inject, outbound], [
      { id: 'inj', type: 'threadline-inject', config: CONFIG_ID, wires: [['next']], ...settings },
      { id: 'next', type: next as string, wires: [['out']] },
      { id: 'out', type: 'helper' },
    ]);
    const error = nextError('inj');
    helper.getNode('inj').receive(msg);
    expect(await error).toMatch(pattern);
  });
});
