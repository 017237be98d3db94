// One export request from bytes to spans: encodings, gzip, errors that name the problem, and the
// malformed spans reported as partial success.
import { gzipSync } from 'node:zlib';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { toExportableSpans } from '../src/forward/exportable-span';
import { errorStatusBody, jsonExportResponse, protobufExportResponse } from '../src/otlp/export-response';
import { ExportRequestError, readExport } from '../src/otlp/read-export';
import type { ReceivedSpan } from '../src/otlp/decode';
import { decodeProtobufRequest } from '../src/otlp/decode';
import { nodeRed, span, spanId, traceId } from './spans';

function sample(): ReceivedSpan[] {
  const id = traceId();
  // Flags as OpenTelemetry exporters send them: sampled, and "is-remote known" (0x100).
  const root = span({ traceId: id, name: 'GET /orders', kind: 2, service: 'orders', attributes: { 'http.response.status_code': 200, ...nodeRed('Orders', 'in') } });
  const child = span({ traceId: id, parentSpanId: root.spanId, name: 'child', service: 'orders', error: true, attributes: { ratio: 0.5, ok: true, tags: ['a', 'b'] } });
  return [root, child].map((item) => ({ ...item, flags: 0x101 }));
}

function withoutScopeDetails(spans: ReceivedSpan[]): ReceivedSpan[] {
  return spans.map((item) => ({ ...item, scope: { name: item.scope.name } }));
}

test('protobuf and JSON exports made by the OpenTelemetry serializer decode to the spans sent (forwarding round trip)', async () => {
  const spans = sample();
  const protobuf = Buffer.from(ProtobufTraceSerializer.serializeRequest(toExportableSpans(spans))!);
  const json = Buffer.from(JsonTraceSerializer.serializeRequest(toExportableSpans(spans))!);
  for (const [body, type] of [[protobuf, 'application/x-protobuf'], [json, 'application/json']] as const) {
    const read = await readExport(body, type, undefined);
    expect(read.rejected).toBe(0);
    expect(withoutScopeDetails(read.spans)).toEqual(withoutScopeDetails(spans));
  }
});

test('gzip bodies are accepted; a content type with parameters too', async () => {
  const body = gzipSync(Buffer.from(ProtobufTraceSerializer.serializeRequest(toExportableSpans(sample()))!));
  const read = await readExport(body, 'application/x-protobuf; charset=binary', 'gzip');
  expect(read.spans).toHaveLength(2);
});

test('malformed spans are dropped and counted with the first reason', async () => {
  const good = span({ traceId: traceId() });
  const body = JSON.stringify({
    resourceSpans: [{ scopeSpans: [{ spans: [
      { traceId: good.traceId, spanId: good.spanId, name: 'good', startTimeUnixNano: '1', endTimeUnixNano: '2' },
      { traceId: '00000000000000000000000000000000', spanId: spanId(), name: 'zero trace' },
      { traceId: good.traceId, spanId: 'xyz', name: 'bad span id' },
    ] }] }],
  });
  const read = await readExport(Buffer.from(body), 'application/json', 'identity');
  expect(read.spans.map((item) => item.name)).toEqual(['good']);
  expect(read.rejected).toBe(2);
  expect(read.rejectReason).toMatch(/span "zero trace": traceId/);
});

test('an all-zero parent span id means no parent', async () => {
  const root = span({ traceId: traceId() });
  const body = JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: root.traceId, spanId: root.spanId, parentSpanId: '0000000000000000', name: 'root' }] }] }] });
  const read = await readExport(Buffer.from(body), 'application/json', undefined);
  expect(read.spans[0]!.parentSpanId).toBeUndefined();
});

test.each([
  ['text/plain', undefined, 415, /unsupported content type "text\/plain"/],
  ['application/json', 'br', 415, /unsupported content encoding "br"/],
  ['application/json', 'gzip', 400, /not valid gzip/],
  ['application/x-protobuf', undefined, 400, /cannot decode the OTLP protobuf body: truncated/],
])('content type %s, encoding %s: %d with a message naming the problem', async (type, encoding, status, message) => {
  const body = type === 'application/x-protobuf' ? Buffer.from([0x0a, 0x05, 0x01]) : Buffer.from('{}');
  const failure = await readExport(body, type, encoding).catch((error: unknown) => error);
  expect(failure).toBeInstanceOf(ExportRequestError);
  expect(failure).toMatchObject({ status, message: expect.stringMatching(message) });
});

test('export responses: empty on full success, partial success otherwise, in both encodings', () => {
  expect(jsonExportResponse()).toBe('{}');
  expect(JSON.parse(jsonExportResponse({ rejectedSpans: 2, errorMessage: 'bad ids' }))).toEqual({ partialSuccess: { rejectedSpans: '2', errorMessage: 'bad ids' } });
  expect(protobufExportResponse()).toHaveLength(0);
  // ExportTraceServiceResponse { partial_success (1) { rejected_spans (1) = 2, error_message (2) = "bad ids" } }
  expect([...protobufExportResponse({ rejectedSpans: 2, errorMessage: 'bad ids' })]).toEqual([0x0a, 0x0b, 0x08, 0x02, 0x12, 0x07, ...Buffer.from('bad ids')]);
  expect(errorStatusBody('protobuf', 'x').body).toEqual(Buffer.from([0x08, 0x03, 0x12, 0x01, 0x78]));
  expect(JSON.parse(String(errorStatusBody(undefined, 'x').body))).toEqual({ code: 3, message: 'x' });
});

test('the decoder keeps span kinds through the forwarding conversion', () => {
  const spans = [2, 3, 4, 5, 1].map((kind) => span({ traceId: traceId(), kind }));
  const decoded = decodeProtobufRequest(Buffer.from(ProtobufTraceSerializer.serializeRequest(toExportableSpans(spans))!));
  expect(decoded.map((item) => item.kind)).toEqual([2, 3, 4, 5, 1]);
});
