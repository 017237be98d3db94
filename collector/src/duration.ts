// Durations on the command line: "250ms", "30s", "15m", "2h", "1d", or plain milliseconds.

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds of a duration text; throws naming the text when it is not one. */
export function parseDuration(text: string, what: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(text);
  if (match === null) throw new Error(`${what}: "${text}" is not a duration (e.g. 500ms, 30s, 15m, 2h, or milliseconds)`);
  const value = Number(match[1]) * UNITS[match[2] ?? 'ms']!;
  if (!(value > 0)) throw new Error(`${what}: "${text}" must be more than zero`);
  return value;
}
