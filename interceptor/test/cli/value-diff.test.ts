import { valueDifferences } from '../../src/cli/rules/value-diff';
import { pathText, valueText, MAX_SHOWN_CHARACTERS } from '../../src/cli/rules/value-text';

describe('valueDifferences (what rules test prints for a failing case)', () => {
  test('equal values have no differences; null and absent both mean gone', () => {
    expect(valueDifferences({ a: 1, b: [1, 'x'] }, { a: 1, b: [1, 'x'] })).toEqual([]);
    expect(valueDifferences({ attributes: { gone: null } }, { attributes: {} })).toEqual([]);
  });

  test('keys the expectation does not list are not checked', () => {
    expect(valueDifferences({ attributes: { a: 'x' } }, { attributes: { a: 'x', extra: 'y' } })).toEqual([]);
  });

  test('each differing leaf is named by its path', () => {
    const differences = valueDifferences(
      { attributes: { 'user.email': null, 'url.path': '/a/{id}' }, events: [{ name: 'exception' }] },
      { attributes: { 'user.email': 'REDACTED', 'url.path': '/a/{id}' }, events: [{ name: 'REDACTED' }] },
    );
    expect(differences.map((difference) => [pathText(difference.path), difference.expected, difference.actual])).toEqual([
      ['attributes["user.email"]', null, 'REDACTED'],
      ['events[0].name', 'exception', 'REDACTED'],
    ]);
  });

  test('arrays of different lengths show the missing items', () => {
    expect(valueDifferences({ list: [1, 2] }, { list: [1] })).toEqual([{ path: ['list', 1], expected: 2, actual: undefined }]);
  });
});

describe('valueText', () => {
  test('JSON literals, absent values named, long values cut with their length', () => {
    expect(valueText('a"b')).toBe('"a\\"b"');
    expect(valueText(undefined)).toBe('(absent)');
    expect(valueText(null)).toBe('null');
    const long = 'x'.repeat(500);
    expect(valueText(long)).toBe(`"${'x'.repeat(MAX_SHOWN_CHARACTERS - 1)}… (502 characters)`);
  });

  test('multi-line values stay on one line', () => {
    expect(valueText('Error: boom\n    at x')).toBe('"Error: boom\\n    at x"');
  });
});
