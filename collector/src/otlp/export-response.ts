// ExportTraceServiceResponse in the encoding of the request: `{}` or an empty protobuf message when
// every span was accepted, with `partialSuccess` (rejected span count and why) when some were not.
//   ExportTraceServiceResponse { ExportTracePartialSuccess partial_success = 1; }
//   ExportTracePartialSuccess  { int64 rejected_spans = 1; string error_message = 2; }

export interface PartialSuccess {
  rejectedSpans: number;
  errorMessage: string;
}

export function jsonExportResponse(partial?: PartialSuccess): string {
  // OTLP/JSON writes int64 as a decimal string.
  return partial === undefined ? '{}' : JSON.stringify({ partialSuccess: { rejectedSpans: String(partial.rejectedSpans), errorMessage: partial.errorMessage } });
}

function varint(value: number): number[] {
  const bytes: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    bytes.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  bytes.push(rest);
  return bytes;
}

function lengthDelimited(field: number, payload: Buffer): Buffer {
  return Buffer.concat([Buffer.from([(field << 3) | 2, ...varint(payload.length)]), payload]);
}

export function protobufExportResponse(partial?: PartialSuccess): Buffer {
  if (partial === undefined) return Buffer.alloc(0);
  const inner = Buffer.concat([Buffer.from([(1 << 3) | 0, ...varint(partial.rejectedSpans)]), lengthDelimited(2, Buffer.from(partial.errorMessage, 'utf8'))]);
  return lengthDelimited(1, inner);
}

/**
 * The body of a 4xx answer: a google.rpc.Status { int32 code = 1; string message = 2; } in the
 * request's encoding when it is known, else as JSON. Code 3 is INVALID_ARGUMENT.
 */
export function errorStatusBody(encoding: 'json' | 'protobuf' | undefined, message: string): { body: string | Buffer; contentType: string } {
  const code = 3;
  if (encoding === 'protobuf') {
    return { body: Buffer.concat([Buffer.from([(1 << 3) | 0, code]), lengthDelimited(2, Buffer.from(message, 'utf8'))]), contentType: 'application/x-protobuf' };
  }
  return { body: JSON.stringify({ code, message }), contentType: 'application/json; charset=utf-8' };
}
