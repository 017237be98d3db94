// Formatting of the proxy benchmark's tables and goal lines.

export function fmtInt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export function fmtMs(n: number): string {
  return n.toFixed(2);
}

export function fmtMiB(bytes: number | undefined): string {
  return bytes === undefined ? '—' : (bytes / 2 ** 20).toFixed(0);
}

/** A fixed-width table: the first column left-aligned, the others right-aligned. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]): string => `  ${cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ')}`;
  return [line(header), ...rows.map(line)].join('\n');
}

export function goalLine(label: string, value: string, goal: string, met: boolean): string {
  const verdict = met ? 'met' : 'MISSED';
  return `  ${label.padEnd(56)} ${value.padStart(9)}   goal ${goal.padEnd(8)} ${verdict}`;
}

/** The median of a non-empty list (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
