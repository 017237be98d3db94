// One OTLP/HTTP trace export request, from raw body to spans: content type and encoding checked,
// gzip undone, decoded, and every span checked so a malformed one is dropped and reported rather
// than stored. Failures carry the HTTP status and a message that names what is wrong.
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { DecodeError, decodeJsonRequest, decodeProtobufRequest, type ReceivedSpan } from './decode';
import { spanProblem } from './span-check';

const gunzipAsync = promisify(gunzip);
export const MAX_EXPORT_BYTES = 32 * 1024 * 1024;

export type ExportEncoding = 'json' | 'protobuf';

export class ExportRequestError extends Error {
  constructor(
    readonly status: 400 | 413 | 415,
    message: string,
    /** The request's encoding, when its content type was understood. */
    readonly encoding?: ExportEncoding,
  ) {
    super(message);
  }
}

export interface ReadExport {
  encoding: ExportEncoding;
  spans: ReceivedSpan[];
  /** Spans dropped as malformed, with the first reason. */
  rejected: number;
  rejectReason?: string;
}

/** The encoding a Content-Type header names; throws 415 for anything else. */
export function exportEncoding(contentType: string | undefined): ExportEncoding {
  const media = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (media === 'application/json') return 'json';
  if (media === 'application/x-protobuf' || media === 'application/protobuf') return 'protobuf';
  throw new ExportRequestError(415, `unsupported content type "${media}": OTLP/HTTP takes application/json or application/x-protobuf`);
}

export async function readExport(body: Buffer, contentType: string | undefined, contentEncoding: string | undefined): Promise<ReadExport> {
  const encoding = exportEncoding(contentType);
  const compression = (contentEncoding ?? 'identity').trim().toLowerCase() || 'identity';
  if (compression !== 'identity' && compression !== 'gzip') throw new ExportRequestError(415, `unsupported content encoding "${compression}": use gzip or none`, encoding);
  let plain: Buffer;
  try {
    plain = compression === 'gzip' ? await gunzipAsync(body, { maxOutputLength: MAX_EXPORT_BYTES }) : body;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_BUFFER_TOO_LARGE') throw new ExportRequestError(413, `body larger than ${MAX_EXPORT_BYTES} bytes once gunzipped`, encoding);
    throw new ExportRequestError(400, `body is not valid gzip: ${(error as Error).message}`, encoding);
  }
  let decoded: ReceivedSpan[];
  try {
    decoded = encoding === 'json' ? decodeJsonRequest(plain.toString('utf8')) : decodeProtobufRequest(plain);
  } catch (error) {
    const reason = error instanceof DecodeError ? error.message : (error as Error).message;
    throw new ExportRequestError(400, `cannot decode the ${encoding === 'json' ? 'OTLP/JSON' : 'OTLP protobuf'} body: ${reason}`, encoding);
  }
  const spans: ReceivedSpan[] = [];
  let rejected = 0;
  let rejectReason: string | undefined;
  for (const span of decoded) {
    if (span.parentSpanId !== undefined && /^0+$/.test(span.parentSpanId)) delete span.parentSpanId; // an all-zero parent means none
    const problem = spanProblem(span);
    if (problem === undefined) spans.push(span);
    else {
      rejected++;
      rejectReason ??= problem;
    }
  }
  const result: ReadExport = { encoding, spans, rejected };
  if (rejectReason !== undefined) result.rejectReason = rejectReason;
  return result;
}
