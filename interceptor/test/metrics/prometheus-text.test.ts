// The test reader must refuse malformed text (and untyped samples, which prom-client never writes), or "parsable" would prove nothing.
import { parsePrometheusText } from './prometheus-text';

const typed = (body: string) => `# TYPE a counter\n${body}\n`;

describe('parsePrometheusText', () => {
  it('reads names, labels with escapes, values and timestamps', () => {
    const families = parsePrometheusText(typed('a{x="q\\"uote",y="line\\nbreak\\\\"} 3 1700000000000\na 1.5e3'));
    expect(families.get('a')?.samples).toEqual([
      { name: 'a', labels: { x: 'q"uote', y: 'line\nbreak\\' }, value: 3 },
      { name: 'a', labels: {}, value: 1500 },
    ]);
  });

  it.each([
    ['a sample without # TYPE', 'b 1\n'],
    ['a bad metric name', typed('1a 1')],
    ['an unquoted label value', typed('a{x=1} 1')],
    ['an unterminated label value', typed('a{x="1} 1')],
    ['a bad escape', typed('a{x="\\t"} 1')],
    ['a repeated label', typed('a{x="1",x="2"} 1')],
    ['a missing value', typed('a{x="1"}')],
    ['a bad value', typed('a 1,0')],
    ['an unknown type', '# TYPE a countr\na 1\n'],
    ['TYPE after samples', 'a 1\n# TYPE a counter\n'],
    ['no final line feed', '# TYPE a counter\na 1'],
    ['non-cumulative buckets', '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n'],
    ['+Inf bucket not equal to count', '# TYPE h histogram\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 1\n'],
  ])('refuses %s', (_case, text) => {
    expect(() => parsePrometheusText(text)).toThrow();
  });
});
