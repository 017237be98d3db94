import inject, { targetOfNodeType } from '../src/nodes/inject';
import spanStart from '../src/nodes/span-start';
import { guardHttpResponses, INJECTED_HEADERS, stripInjectedHeaders } from '../src/nodes/injected-headers';
import { hostOfFormUrl } from '../src/nodes/http-request-destination';
import { openSpans } from '../src/message-context';
import type { NodeRedApi } from '../src/nodes/node-red';
import type { TestThreadline } from './support/flow-harness';
import { CONFIG_ID, helper, nextError, nextMessage, nextStatus, registerTestThreadline, stubNodeTypes } from './support/flow-harness';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const hashSum = require('hash-sum') as (value: unknown) => string; // what `http request` marks response headers with

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER = `00-${TRACE_ID}-00f067aa0ba902b7-01`;
const RULES = 'baggage:\n  internalHosts: ["*.internal"]\n  forward:\n    - keys: ["tenant"]\n      to: internal\n';
const outbound = stubNodeTypes('http request', 'mqtt out', 'http response');

// node-red-node-test-helper leaves `hooks` out of the RED object it gives nodes; a real runtime
// passes its message hooks there (the same object the flows route through), so the test does too.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const runtimeHooks = (require('@node-red/util') as { hooks: NonNullable<NodeRedApi['hooks']> }).hooks;
const injectWithHooks = (RED: NodeRedApi): void => inject({ ...RED, hooks: runtimeHooks });

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

/** The headers as the http request node sends them (string keys; the inject mark is a symbol). */
const sent = (msg: Record<string, unknown>): Record<string, unknown> => ({ ...Object.fromEntries(Object.entries(msg.headers as object)) });

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
    expect(sent(msg)).toEqual({
      'X-Keep': 'yes',
      traceparent: `00-${TRACE_ID}-${record.spanId}-01`,
      baggage: 'tenant=acme',
    });
    expect((await status).text).toMatch(/^4bf92f35 · /);
  });

  it('sends no baggage to an external or unknown host, not even one already in msg.headers', async () => {
    const msg = await run({}, { ...traced('tenant=acme'), url: 'https://api.example.com/x', headers: { baggage: 'secret=1' } });
    expect(sent(msg)).toEqual({ traceparent: CALLER });
  });

  it('takes the destination host from the form over msg.url (an http request URL in its form wins there)', async () => {
    const msg = await run({ destination: 'stock.internal' }, { ...traced('tenant=acme'), url: 'https://api.example.com/x' });
    expect(sent(msg)).toEqual({ traceparent: CALLER, baggage: 'tenant=acme' });
  });

  it("drops a previous response's headers as http request would, instead of forwarding them", async () => {
    const response: Record<string, unknown> = { 'content-type': 'application/json', 'set-cookie': ['a=1'] };
    response['x-node-red-request-node'] = hashSum(response);
    const msg = await run({ target: 'http' }, { ...traced(), headers: response });
    expect(sent(msg)).toEqual({ traceparent: CALLER });
  });

  it('keeps response headers the user changed (the hash no longer matches), without the mark', async () => {
    const response: Record<string, unknown> = { 'content-type': 'application/json' };
    response['x-node-red-request-node'] = hashSum(response);
    response['x-api-key'] = 'k';
    const msg = await run({ target: 'http' }, { ...traced(), headers: response });
    expect(sent(msg)).toEqual({ 'content-type': 'application/json', 'x-api-key': 'k', traceparent: CALLER });
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

  it("judges the baggage rules against the URL in the wired http request node's own form, over msg.url", async () => {
    await helper.load([inject, outbound], [
      { id: 'inj', type: 'threadline-inject', config: CONFIG_ID, wires: [['call']] },
      { id: 'call', type: 'http request', url: 'https://stock.internal:8443/api/{{sku}}', wires: [['out']] },
      { id: 'out', type: 'helper' },
    ]);
    const received = nextMessage('out');
    helper.getNode('inj').receive({ ...traced('tenant=acme'), url: 'https://api.example.com/x' });
    expect(sent(await received)).toEqual({ traceparent: CALLER, baggage: 'tenant=acme' });
  });

  it('sends no baggage when the form URL of the wired http request node points outside, whatever msg.url says', async () => {
    await helper.load([inject, outbound], [
      { id: 'inj', type: 'threadline-inject', config: CONFIG_ID, wires: [['call']] },
      { id: 'call', type: 'http request', url: 'api.example.com/orders', wires: [['out']] },
      { id: 'out', type: 'helper' },
    ]);
    const received = nextMessage('out');
    helper.getNode('inj').receive({ ...traced('tenant=acme'), url: 'http://orders.internal/api' });
    expect(sent(await received)).toEqual({ traceparent: CALLER });
  });

  it('reads the host of a form URL as http request calls it', () => {
    expect(hostOfFormUrl('https://stock.internal:8443/api/{{sku}}')).toEqual({ kind: 'host', host: 'stock.internal:8443' });
    expect(hostOfFormUrl('stock.internal/api')).toEqual({ kind: 'host', host: 'stock.internal' });
    expect(hostOfFormUrl('http://{{host}}/api')).toMatchObject({ kind: 'unknown' });
    expect(hostOfFormUrl('http://stock.{{zone}}.internal/api')).toMatchObject({ kind: 'unknown' });
  });

  it('marks what it wrote, and an http response never gets it: the headers a failed http request left are stripped on delivery', async () => {
    await helper.load([injectWithHooks, outbound], [
      { id: 'inj', type: 'threadline-inject', config: CONFIG_ID, target: 'http', wires: [['call']] },
      // the stand-in passes msg.headers on untouched, as http request does when the call fails
      { id: 'call', type: 'http request', url: 'http://orders.internal/api', wires: [['respond', 'copy']] },
      { id: 'respond', type: 'http response', wires: [['out']] },
      { id: 'copy', type: 'helper' },
      { id: 'out', type: 'helper' },
    ]);
    const received = nextMessage('out');
    const copy = nextMessage('copy');
    helper.getNode('inj').receive({ ...traced('tenant=acme'), headers: { 'x-keep': 'yes' } });
    const [toResponse, toOther] = await Promise.all([received, copy]);
    expect(toResponse.headers).toEqual({ 'x-keep': 'yes' });
    // another destination keeps them (on its own clone), still marked
    expect(sent(toOther)).toEqual({ 'x-keep': 'yes', traceparent: CALLER, baggage: 'tenant=acme' });
    expect((toOther.headers as Record<symbol, unknown>)[INJECTED_HEADERS]).toEqual({ traceparent: CALLER, baggage: 'tenant=acme' });
  });

  it('leaves a trace field the flow set itself after inject', () => {
    const msg: Record<string, unknown> = { headers: { traceparent: 'mine', baggage: 'a=1', [INJECTED_HEADERS]: { traceparent: 'written', baggage: 'a=1' } } };
    expect(stripInjectedHeaders(msg)).toBe(true);
    expect(msg.headers).toEqual({ traceparent: 'mine' });
    expect(stripInjectedHeaders({ headers: { traceparent: 'x' } })).toBe(false);
  });

  it('keeps the http response hook while any inject node is deployed, and removes it with the last one', () => {
    const added: string[] = [];
    const hooks = { add: (label: string) => void added.push(label), remove: (label: string) => void added.splice(added.indexOf(label), 1) };
    const RED = { hooks } as unknown as NodeRedApi;
    const first = guardHttpResponses(RED)!;
    const second = guardHttpResponses(RED)!;
    expect(added).toEqual(['preDeliver.threadline-inject-headers']);
    first();
    first(); // a second close of the same node changes nothing
    expect(added).toHaveLength(1);
    second();
    expect(added).toEqual([]);
    expect(guardHttpResponses({ nodes: RED.nodes } as NodeRedApi)).toBeUndefined();
  });
});
