// Random W3C ids from a buffered crypto pool: one randomFillSync call serves 256 trace ids, and
// Buffer#toString('hex') formats without per-byte work in JavaScript. Every byte is random, so
// the right-most 7 bytes of a trace id are random and new traces may set the random flag (0x02).
import { randomFillSync } from 'node:crypto';
import type { IdGenerator } from '@opentelemetry/sdk-trace-base';

const POOL_BYTES = 4096;
const pool = Buffer.allocUnsafe(POOL_BYTES);
let offset = POOL_BYTES;

const ZERO_TRACE_ID = '0'.repeat(32);
const ZERO_SPAN_ID = '0'.repeat(16);

function randomHex(bytes: number): string {
  if (offset + bytes > POOL_BYTES) {
    randomFillSync(pool);
    offset = 0;
  }
  const hex = pool.toString('hex', offset, offset + bytes);
  offset += bytes;
  return hex;
}

/** A new random trace id: 32 lowercase hex chars, never all zeros. */
export function newTraceId(): string {
  let id = randomHex(16);
  while (id === ZERO_TRACE_ID) id = randomHex(16);
  return id;
}

/** A new random span id: 16 lowercase hex chars, never all zeros. */
export function newSpanId(): string {
  let id = randomHex(8);
  while (id === ZERO_SPAN_ID) id = randomHex(8);
  return id;
}

/** OpenTelemetry IdGenerator on the same pool; plug it into the tracer provider. */
export class BufferedIdGenerator implements IdGenerator {
  generateTraceId(): string {
    return newTraceId();
  }

  generateSpanId(): string {
    return newSpanId();
  }
}
