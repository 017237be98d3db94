import type { SpanRecord } from '@threadline/connectors';
import { createThreadline } from '@threadline/connectors';
import { clearMessageTrace, currentParent, MSG_PROPERTY, openSpans, popSpan, pushSpan, readCarrier, readMessageTrace, replaceSpan, writeBaggage, writeCarrier } from '../src/message-context';

const CALLER = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('message context (msg.threadline)', () => {
  const threadline = createThreadline({ env: {}, overrides: { exporter: { enabled: false } } });
  afterAll(() => threadline.shutdown());
  const open = (name: string, parent = CALLER): SpanRecord => threadline.pipeline.openRecord({ name, parent: { traceparent: parent } });

  it('writes and reads the carrier as plain strings', () => {
    const msg: Record<string, unknown> = {};
    writeCarrier(msg, { traceparent: CALLER, tracestate: 'a=1', baggage: 'k=v' });
    expect(msg[MSG_PROPERTY]).toEqual({ traceparent: CALLER, tracestate: 'a=1', baggage: 'k=v' });
    expect(JSON.parse(JSON.stringify(msg))).toEqual(msg);
    expect(readCarrier(msg)).toEqual({ traceparent: CALLER, tracestate: 'a=1', baggage: 'k=v' });
  });

  it('ignores a trace whose traceparent is invalid, and leaves out fields that are not strings', () => {
    expect(readMessageTrace({ threadline: { traceparent: '00-zz' } })).toBeUndefined();
    expect(readMessageTrace({ threadline: 'x' })).toBeUndefined();
    expect(readMessageTrace(null)).toBeUndefined();
    expect(readMessageTrace({ threadline: { traceparent: CALLER, tracestate: 7, spans: [{ bad: true }] } })).toEqual({ traceparent: CALLER });
  });

  it('nests span records and pops the innermost first, keeping the stack of earlier copies', () => {
    const msg: Record<string, unknown> = {};
    writeCarrier(msg, { traceparent: CALLER });
    const outer = open('outer');
    pushSpan(msg, outer);
    const inner = threadline.pipeline.openRecord({ name: 'inner', parent: currentParent(msg) });
    expect(inner.parentSpanId).toBe(outer.spanId);
    const before = msg[MSG_PROPERTY];
    pushSpan(msg, inner);
    expect((before as { spans: unknown[] }).spans).toHaveLength(1); // not mutated in place
    expect(openSpans(msg).map((record) => record.name)).toEqual(['outer', 'inner']);
    expect(currentParent(msg)?.traceparent).toBe(`00-${inner.traceId}-${inner.spanId}-0${inner.traceFlags.toString(16)}`);
    expect(popSpan(msg)).toEqual({ record: inner, inner: [] });
    expect(popSpan(msg)).toEqual({ record: outer, inner: [] });
    expect(popSpan(msg)).toEqual({ record: undefined, inner: [] });
    expect(currentParent(msg)).toEqual({ traceparent: CALLER });
  });

  it('pops a span by name together with the spans opened inside it', () => {
    const msg: Record<string, unknown> = {};
    writeCarrier(msg, { traceparent: CALLER });
    const [a, b, c] = [open('a'), open('b'), open('c')];
    [a, b, c].forEach((record) => pushSpan(msg, record));
    expect(popSpan(msg, 'nope')).toEqual({ record: undefined, inner: [] });
    expect(popSpan(msg, 'a')).toEqual({ record: a, inner: [c, b] });
    expect(openSpans(msg)).toEqual([]);
  });

  it('a record pushed onto a message without a trace becomes its trace', () => {
    const msg: Record<string, unknown> = {};
    const root = threadline.pipeline.openRecord({ name: 'root' });
    pushSpan(msg, root);
    expect(readCarrier(msg)?.traceparent).toContain(root.traceId);
    expect(openSpans(msg)).toEqual([root]);
  });

  it('carries baggage with the innermost span as parent, replaces a record and clears', () => {
    const msg: Record<string, unknown> = {};
    writeCarrier(msg, { traceparent: CALLER, baggage: 'k=v' });
    const record = open('s');
    pushSpan(msg, record);
    expect(currentParent(msg)?.baggage).toBe('k=v');
    expect(writeBaggage(msg, undefined)).toBe(true);
    expect(currentParent(msg)?.baggage).toBeUndefined();
    expect(replaceSpan(msg, { ...record, attributes: { x: 1 } })).toBe(true);
    expect(openSpans(msg)[0].attributes).toEqual({ x: 1 });
    expect(replaceSpan(msg, { ...record, spanId: '1111111111111111' })).toBe(false);
    clearMessageTrace(msg);
    expect(msg).toEqual({});
    expect(writeBaggage(msg, 'a=b')).toBe(false);
  });
});
