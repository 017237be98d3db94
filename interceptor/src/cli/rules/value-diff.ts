// Where an actual value falls short of an expected one, as a list of paths, for `rules test`.
// Follows the test format's reading: keys the expectation does not list are not checked, and
// null expects the value to be gone.

export interface ValueDifference {
  path: (string | number)[];
  expected: unknown;
  actual: unknown;
}

/** Every leaf of `expected` that `actual` does not match; objects by the expected keys, arrays item by item. */
export function valueDifferences(expected: unknown, actual: unknown, at: (string | number)[] = []): ValueDifference[] {
  if (Array.isArray(expected) && Array.isArray(actual)) {
    const length = Math.max(expected.length, actual.length);
    return Array.from({ length }, (_, index) => valueDifferences(expected[index], actual[index], [...at, index])).flat();
  }
  if (isPlainObject(expected) && isPlainObject(actual)) {
    return Object.keys(expected).flatMap((key) => valueDifferences(expected[key], actual[key], [...at, key]));
  }
  return sameValue(expected, actual) ? [] : [{ path: at, expected, actual }];
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function sameValue(a: unknown, b: unknown): boolean {
  if ((a === null || a === undefined) && (b === null || b === undefined)) return true;
  return Object.is(a, b) || JSON.stringify(a) === JSON.stringify(b);
}
