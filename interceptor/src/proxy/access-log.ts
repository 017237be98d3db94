// The access log: one JSON object per line and request, with the trace and span ids so a log line
// leads to its trace. Lines are batched and written every few milliseconds (at once past a size),
// so a proxy under moderate load makes one write per batch rather than one per request; when the
// destination cannot keep up, lines past a bound are dropped and counted, never buffered without
// limit and never allowed to slow requests down.
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import type { AccessLogConfig } from '../config/types';

/** Where lines go: a stream, or anything with write(text) (e.g. a command line's stdout). */
export interface LineSink {
  write(text: string): unknown;
  /** Bytes the sink still holds, when it is a stream. */
  readonly writableLength?: number;
  readonly destroyed?: boolean;
}

export interface AccessLogEntry {
  time: string;
  /** Route name; null when no route matched. */
  route: string | null;
  direction: string;
  method: string;
  /** Path (or absolute URL) without the query, which may hold secrets. */
  path: string;
  status: number;
  durationMs: number;
  client?: string;
  upstream?: string;
  traceId?: string;
  spanId?: string;
  /** Why the exchange failed (error code), when it did. */
  error?: string;
}

/** Bytes waiting for the destination before new lines are dropped. */
const MAX_PENDING_BYTES = 1 << 20;
/** Longest a line waits in the batch. */
const FLUSH_INTERVAL_MILLIS = 20;
/** A batch this large is written at once. */
const FLUSH_BATCH_CHARS = 64 * 1024;

export class AccessLog {
  private pending: string[] = [];
  private pendingChars = 0;
  private timer: NodeJS.Timeout | undefined;
  private droppedLines = 0;
  private readonly flushNow = (): void => this.flush();

  /** `file` is a stream this log opened and closes. */
  constructor(
    private readonly destination: LineSink,
    private readonly file?: Writable,
  ) {
    // A broken file (full disk, removed folder) must not take the proxy down.
    file?.on('error', () => undefined);
  }

  /** Lines dropped because the destination was too slow. */
  get dropped(): number {
    return this.droppedLines;
  }

  write(entry: AccessLogEntry): void {
    if ((this.destination.writableLength ?? 0) > MAX_PENDING_BYTES || this.destination.destroyed === true) {
      this.droppedLines++;
      return;
    }
    const line = JSON.stringify(entry) + '\n';
    this.pending.push(line);
    this.pendingChars += line.length;
    if (this.pendingChars >= FLUSH_BATCH_CHARS) {
      this.flush();
    } else if (this.timer === undefined) {
      this.timer = setTimeout(this.flushNow, FLUSH_INTERVAL_MILLIS);
      // Pending lines never keep a stopping process alive; close() writes them.
      this.timer.unref();
    }
  }

  flush(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.pending.length === 0) return;
    const text = this.pending.join('');
    this.pending = [];
    this.pendingChars = 0;
    if (this.destination.destroyed !== true) this.destination.write(text);
  }

  /** Writes what is pending and, for a file, closes it. */
  async close(): Promise<void> {
    this.flush();
    const file = this.file;
    if (file !== undefined) await new Promise<void>((resolve) => file.end(resolve));
  }
}

/** The access log a config describes: stdout, stderr or a file (appended to); undefined when disabled. */
export function openAccessLog(config: AccessLogConfig, stdout: LineSink = process.stdout, stderr: LineSink = process.stderr): AccessLog | undefined {
  if (!config.enabled) return undefined;
  if (config.destination === 'stdout') return new AccessLog(stdout);
  if (config.destination === 'stderr') return new AccessLog(stderr);
  const file = createWriteStream(config.destination, { flags: 'a' });
  return new AccessLog(file, file);
}
