// Colours for human output, used only when the writer is a terminal and NO_COLOR is not set
// (https://no-color.org), so logs and pipes get plain text.
import type { CliIo, CliWriter } from './io';

export interface Style {
  ok(text: string): string;
  bad(text: string): string;
  changed(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

const plain = (text: string): string => text;
const PLAIN: Style = { ok: plain, bad: plain, changed: plain, dim: plain, bold: plain };

const sgr = (open: number, close: number) => (text: string): string => `\u001b[${open}m${text}\u001b[${close}m`;
const COLOURED: Style = { ok: sgr(32, 39), bad: sgr(31, 39), changed: sgr(33, 39), dim: sgr(2, 22), bold: sgr(1, 22) };

export function styleFor(writer: CliWriter, env: CliIo['env']): Style {
  const noColour = env.NO_COLOR !== undefined && env.NO_COLOR !== '';
  return writer.isTTY === true && !noColour ? COLOURED : PLAIN;
}
