import { createRequire } from 'node:module';
import { ThreadlinePropagator, W3C_PROPAGATION } from '@threadline/connectors';
import { injectTraceHeaders, REQUEST_NODE_MARK } from '../../src/auto/http-request-headers';

// the same hash the http request node uses to mark response headers
const hashSum = createRequire(require.resolve('node-red/package.json'))('hash-sum') as (value: unknown) => string;
const propagator = new ThreadlinePropagator(W3C_PROPAGATION);
const carrier = { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' };

describe('injectTraceHeaders', () => {
  test('writes the trace headers into a copy of msg.headers', () => {
    const shared = { 'x-api-key': 'k' };
    const msg: Record<string, unknown> = { headers: shared };
    injectTraceHeaders(msg, carrier, propagator);
    expect(msg.headers).toEqual({ 'x-api-key': 'k', traceparent: carrier.traceparent });
    expect(shared).toEqual({ 'x-api-key': 'k' });
  });

  test('creates msg.headers when there are none', () => {
    const msg: Record<string, unknown> = {};
    injectTraceHeaders(msg, carrier, propagator);
    expect(msg.headers).toEqual({ traceparent: carrier.traceparent });
  });

  test('response headers a previous http request left (mark matches) are not sent on', () => {
    const response: Record<string, string> = { 'content-type': 'application/json', 'set-cookie': 'secret' };
    response[REQUEST_NODE_MARK] = hashSum({ ...response });
    const msg: Record<string, unknown> = { headers: response };
    injectTraceHeaders(msg, carrier, propagator);
    expect(msg.headers).toEqual({ traceparent: carrier.traceparent });
  });

  test('marked headers the user changed are kept, without the mark', () => {
    const response: Record<string, string> = { 'content-type': 'application/json' };
    response[REQUEST_NODE_MARK] = hashSum({ ...response });
    response['x-tenant'] = 'acme';
    const msg: Record<string, unknown> = { headers: response };
    injectTraceHeaders(msg, carrier, propagator);
    expect(msg.headers).toEqual({ 'content-type': 'application/json', 'x-tenant': 'acme', traceparent: carrier.traceparent });
  });
});
