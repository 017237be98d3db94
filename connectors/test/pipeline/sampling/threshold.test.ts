import {
  decodeThreshold,
  encodeThreshold,
  isKept,
  probabilityToThreshold,
  randomnessOf,
  thresholdToProbability,
} from '../../../src/pipeline/sampling/threshold';

describe('probabilityToThreshold', () => {
  test.each([
    [1, '0'],
    [0.5, '8'],
    [0.25, 'c'],
    [0.125, 'e'],
    [0.0625, 'f'],
    [0.75, '4'],
    // Non-powers of two, with the specification's default precision of 4 hex digits (more for
    // small probabilities).
    [1 / 3, 'aaab'],
    [0.2, 'cccd'],
    [0.1, 'e666'],
    [0.01, 'fd70a'],
    [0.001, 'ffbe77'],
    [0.0001, 'fff9724'],
  ])('p=%p gives th:%s', (probability, th) => {
    const threshold = probabilityToThreshold(probability);
    expect(threshold).toHaveLength(14);
    expect(encodeThreshold(threshold as string)).toBe(th);
  });

  test('precision is configurable', () => {
    expect(encodeThreshold(probabilityToThreshold(1 / 3, 3) as string)).toBe('aab');
    expect(encodeThreshold(probabilityToThreshold(1 / 3, 5) as string)).toBe('aaaab');
  });

  test('never is not a probability: no threshold for 0, negative or NaN', () => {
    expect(probabilityToThreshold(0)).toBeUndefined();
    expect(probabilityToThreshold(-0.5)).toBeUndefined();
    expect(probabilityToThreshold(Number.NaN)).toBeUndefined();
  });

  test('probabilities above 1 mean always', () => {
    expect(probabilityToThreshold(7)).toBe('00000000000000');
  });

  test('the smallest probabilities still give a valid 14-digit threshold below 2^56', () => {
    const threshold = probabilityToThreshold(2 ** -60) as string;
    expect(threshold).toMatch(/^f{12}[0-9a-f]{2}$/);
  });

  test('the probability a threshold stands for is close to the one asked for', () => {
    for (const p of [0.9, 0.5, 0.3, 0.1, 0.01, 0.001]) {
      const back = thresholdToProbability(probabilityToThreshold(p) as string);
      expect(Math.abs(back - p) / p).toBeLessThan(1e-3);
    }
  });
});

describe('threshold encoding', () => {
  test('th values decode to 14 digits, trailing zeros restored', () => {
    expect(decodeThreshold('8')).toBe('80000000000000');
    expect(decodeThreshold('0')).toBe('00000000000000');
    expect(decodeThreshold('fd70a4')).toBe('fd70a400000000');
  });

  test.each(['', 'G', '8F', '123456789abcdef', ' 8', undefined])('invalid th %p decodes to undefined', (th) => {
    expect(decodeThreshold(th)).toBeUndefined();
  });
});

describe('randomness and the decision', () => {
  const traceId = '0123456789abcdef' + '00aabbccddeeff11';

  test('R is the right-most 56 bits of the trace id', () => {
    expect(randomnessOf(traceId, undefined)).toBe('aabbccddeeff11');
  });

  test('a valid rv overrides the trace id; an invalid one is ignored', () => {
    expect(randomnessOf(traceId, 'ffffffffffffff')).toBe('ffffffffffffff');
    expect(randomnessOf(traceId, 'fff')).toBe('aabbccddeeff11');
    expect(randomnessOf(traceId, 'FFFFFFFFFFFFFF')).toBe('aabbccddeeff11');
  });

  test('kept iff R >= T, compared as 56-bit numbers', () => {
    const half = decodeThreshold('8') as string;
    expect(isKept('80000000000000', half)).toBe(true);
    expect(isKept('7fffffffffffff', half)).toBe(false);
    expect(isKept('00000000000000', '00000000000000')).toBe(true);
    expect(isKept('ffffffffffffff', decodeThreshold('ffffffffffffff') as string)).toBe(true);
  });
});
