import { ROOT_CONTEXT, context, createContextKey, trace } from '@opentelemetry/api';
import { resolveParentContext } from '../../src/wrappers';
import { REMOTE_PARENT_ID, REMOTE_TRACEPARENT, REMOTE_TRACE_ID, createTestTracing } from './support';

describe('resolveParentContext', () => {
  const { propagator } = createTestTracing();

  it('uses the active context when no parent is given', () => {
    expect(resolveParentContext(propagator, undefined)).toBe(context.active());
  });

  it('uses a Context as it is', () => {
    const given = ROOT_CONTEXT.setValue(createContextKey('k'), 1);
    expect(resolveParentContext(propagator, given)).toBe(given);
  });

  it('extracts a TraceCarrier, baggage included', () => {
    const resolved = resolveParentContext(propagator, { traceparent: REMOTE_TRACEPARENT, baggage: 'k=v' });
    expect(trace.getSpanContext(resolved)).toMatchObject({ traceId: REMOTE_TRACE_ID, spanId: REMOTE_PARENT_ID, isRemote: true });
  });

  it('turns an invalid TraceCarrier into no parent (a new trace)', () => {
    const resolved = resolveParentContext(propagator, { traceparent: 'garbage' });
    expect(trace.getSpanContext(resolved)).toBeUndefined();
  });
});
