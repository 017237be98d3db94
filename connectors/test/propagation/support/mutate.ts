// Hand-made mutations of valid headers for the fuzz tests: a seeded PRNG (so a failure can be
// replayed) and edits that aim at the places parsers get wrong: separators, hex case, lengths,
// whitespace, percent escapes, non-ASCII and control chars.

export type Random = () => number;

/** mulberry32: small, fast, good enough to drive mutations. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const INTERESTING = [
  ...'0123456789abcdefABCDEF',
  '-', ',', '=', ';', '%', '@', '*', '/', '_', '.', ':', '"', '\\',
  ' ', '\t', '\r', '\n', '\u0000', '\u007f', '\u00a0', 'é', '€', '\ud83d\ude00', '\ud800',
  '%2', '%zz', '%FF', '%C3%A9', '%E2%82', '00', 'ff', '--', ',,', '==', ';;',
];

/** Longest mutated value: past the codecs' limits, short enough to keep the run fast. */
const MAX_LENGTH = 20_000;

export function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)];
}

function randomPosition(random: Random, text: string): number {
  return Math.floor(random() * (text.length + 1));
}

const MUTATIONS: Array<(random: Random, text: string, others: readonly string[]) => string> = [
  // insert
  (r, t) => {
    const at = randomPosition(r, t);
    return t.slice(0, at) + pick(r, INTERESTING) + t.slice(at);
  },
  // delete a run
  (r, t) => {
    const at = randomPosition(r, t);
    return t.slice(0, at) + t.slice(at + 1 + Math.floor(r() * 4));
  },
  // replace one char
  (r, t) => {
    const at = Math.floor(r() * t.length);
    return t.slice(0, at) + pick(r, INTERESTING) + t.slice(at + 1);
  },
  // duplicate a slice
  (r, t) => {
    const a = randomPosition(r, t);
    const b = randomPosition(r, t);
    const [from, to] = a < b ? [a, b] : [b, a];
    return t.slice(0, to) + t.slice(from, to) + t.slice(to);
  },
  // truncate
  (r, t) => t.slice(0, randomPosition(r, t)),
  // flip case of a char
  (r, t) => {
    const at = Math.floor(r() * t.length);
    const ch = t.charAt(at);
    return t.slice(0, at) + (ch === ch.toUpperCase() ? ch.toLowerCase() : ch.toUpperCase()) + t.slice(at + 1);
  },
  // OWS around the whole value or a separator
  (r, t) => (r() < 0.5 ? `${pick(r, [' ', '\t', ' \t'])}${t}${pick(r, ['', ' ', '\t'])}` : t.replace(/[,;=-]/, (m) => ` ${m}\t`)),
  // splice with another seed
  (r, t, others) => {
    const other = pick(r, others);
    return t.slice(0, randomPosition(r, t)) + other.slice(randomPosition(r, other));
  },
  // repeat the whole value (long input, bounded so one value stays cheap)
  (r, t) => t.repeat(Math.max(1, Math.min(2 + Math.floor(r() * 40), Math.floor(MAX_LENGTH / Math.max(1, t.length))))),
];

/** One to three random edits of `text`. */
export function mutate(random: Random, text: string, others: readonly string[]): string {
  let out = text;
  const edits = 1 + Math.floor(random() * 3);
  for (let i = 0; i < edits; i++) out = pick(random, MUTATIONS)(random, out, others).slice(0, MAX_LENGTH);
  return out;
}
