// Reads the sample span for `rules explain` with the engine's own span reader (JSON or YAML,
// problems with field paths and lines); only "file not found" is decided here.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ConfigError, parseSpanText, type ConfigIssue, type SpanInput } from '@threadline/connectors';
import type { CliIo } from '../io';

export type SpanReadResult = { ok: true; span: SpanInput } | { ok: false; issues: readonly ConfigIssue[] };

export function readSpanFile(file: string, io: CliIo): SpanReadResult {
  let text: string;
  try {
    text = readFileSync(path.resolve(io.cwd, file), 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : `cannot read the file (${(error as Error).message})`;
    return { ok: false, issues: [{ source: file, path: '', field: '', message: reason }] };
  }
  try {
    return { ok: true, span: parseSpanText(text, file) };
  } catch (error) {
    if (error instanceof ConfigError) return { ok: false, issues: error.issues };
    throw error;
  }
}
