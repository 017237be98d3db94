// Opt-in body capture (routes[].captureBody): the first bytes of a body, kept beside the stream
// that carries it (nothing is held back or buffered for the upstream or the client). A body over
// the cap is not captured at all: a cut JSON body could not be read by the rules, which then keep
// only the fields they allow (the body attribute itself never leaves).
import { Transform } from 'node:stream';
import type { TransformCallback } from 'node:stream';

export class BodyCapture {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  private overflow = false;

  constructor(private readonly maxBytes: number) {}

  add(chunk: Buffer): void {
    if (this.overflow) return;
    this.size += chunk.length;
    if (this.size > this.maxBytes) {
      this.overflow = true;
      this.chunks.length = 0;
      return;
    }
    this.chunks.push(chunk);
  }

  /** The body as text, or undefined when it was larger than the cap or empty. */
  text(): string | undefined {
    if (this.overflow || this.size === 0) return undefined;
    return Buffer.concat(this.chunks, this.size).toString('utf8');
  }

  /** A pass-through stream that copies what flows through it into this capture. */
  tap(): Transform {
    return new Transform({
      transform: (chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void => {
        this.add(chunk);
        callback(null, chunk);
      },
    });
  }
}
