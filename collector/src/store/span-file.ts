// Persistence of the store as an append-only JSON-lines file: one stored span per line,
// `{"receivedMs":…,"span":{…}}`. Appends are buffered and written in order by one writer; on start
// the file is read back through the store's retention, and a line that does not parse (a write cut
// off by a crash) is skipped and counted. The file is rewritten compactly (to a temporary file, then
// renamed) after loading and whenever it holds twice as many lines as the store keeps spans.
import { createReadStream } from 'node:fs';
import { appendFile, mkdir, open, rename } from 'node:fs/promises';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import type { ReceivedSpan } from '../otlp/decode';
import { spanProblem } from '../otlp/span-check';
import type { StoredSpan, TraceStore } from './trace-store';

export interface SpanFileStats {
  file: string;
  writtenSpans: number;
  errors: number;
  loadedSpans: number;
  skippedLines: number;
}

interface Line {
  receivedMs: number;
  span: ReceivedSpan;
}

function parseLine(text: string): Line | undefined {
  try {
    const value = JSON.parse(text) as Partial<Line>;
    if (typeof value !== 'object' || value === null || typeof value.receivedMs !== 'number') return undefined;
    const span = value.span;
    if (typeof span !== 'object' || span === null || typeof span.traceId !== 'string' || typeof span.spanId !== 'string') return undefined;
    if (spanProblem(span) !== undefined || typeof span.startTimeUnixNano !== 'string' || typeof span.attributes !== 'object') return undefined;
    return { receivedMs: value.receivedMs, span };
  } catch {
    return undefined;
  }
}

function lineOf(span: StoredSpan): string {
  const { receivedMs, ...rest } = span;
  return `${JSON.stringify({ receivedMs, span: rest })}\n`;
}

export class SpanFile {
  readonly stats: SpanFileStats;
  private pending: string[] = [];
  private writing: Promise<void> = Promise.resolve();
  private linesInFile = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly file: string,
    private readonly store: TraceStore,
    private readonly onError: (message: string) => void,
    /** How long appends are gathered before one write. */
    private readonly flushDelayMs = 200,
  ) {
    this.stats = { file, writtenSpans: 0, errors: 0, loadedSpans: 0, skippedLines: 0 };
  }

  /** Reads the file (if any) into the store, then rewrites it with what the store kept. */
  async load(): Promise<void> {
    await mkdir(path.dirname(this.file), { recursive: true });
    let exists = true;
    try {
      const handle = await open(this.file, 'r');
      await handle.close();
    } catch {
      exists = false;
    }
    if (exists) {
      const lines = createInterface({ input: createReadStream(this.file, 'utf8'), crlfDelay: Infinity });
      for await (const text of lines) {
        if (text.trim() === '') continue;
        const line = parseLine(text);
        if (line === undefined) {
          this.stats.skippedLines++;
          continue;
        }
        if (this.store.add(line.span, line.receivedMs) === 'stored') this.stats.loadedSpans++;
      }
      this.store.evictExpired();
    }
    await this.compact();
  }

  /** Queues a newly stored span for the file. */
  append(span: StoredSpan): void {
    this.pending.push(lineOf(span));
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.flushDelayMs);
  }

  /** Writes what is queued; resolves once it is on disk (or the write failed and was counted). */
  flush(): Promise<void> {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const batch = this.pending;
    this.pending = [];
    if (batch.length > 0) {
      this.writing = this.writing.then(async () => {
        try {
          await appendFile(this.file, batch.join(''), 'utf8');
          this.stats.writtenSpans += batch.length;
          this.linesInFile += batch.length;
        } catch (error) {
          this.stats.errors++;
          this.onError(`cannot append to ${this.file}: ${(error as Error).message}`);
        }
        if (this.linesInFile > 2 * this.store.maxSpans) await this.compactNow();
      });
    }
    return this.writing;
  }

  /** Rewrites the file with exactly the spans the store holds. */
  compact(): Promise<void> {
    this.writing = this.writing.then(() => this.compactNow());
    return this.writing;
  }

  private async compactNow(): Promise<void> {
    const temporary = `${this.file}.${process.pid}.tmp`;
    try {
      const handle = await open(temporary, 'w');
      let count = 0;
      try {
        let chunk: string[] = [];
        for (const span of this.store.allSpans()) {
          chunk.push(lineOf(span));
          count++;
          if (chunk.length >= 1000) {
            await handle.write(chunk.join(''));
            chunk = [];
          }
        }
        if (chunk.length > 0) await handle.write(chunk.join(''));
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temporary, this.file);
      this.linesInFile = count;
    } catch (error) {
      this.stats.errors++;
      this.onError(`cannot rewrite ${this.file}: ${(error as Error).message}`);
    }
  }
}
