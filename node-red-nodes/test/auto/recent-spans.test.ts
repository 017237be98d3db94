import { RecentSpans } from '../../src/auto/recent-spans';

interface Span {
  msgid: unknown;
  openedAt: number;
  ended: boolean;
}

const span = (msgid: string, openedAt: number): Span => ({ msgid, openedAt, ended: false });

describe('RecentSpans', () => {
  test('finds the newest open span of an execution', () => {
    const list = new RecentSpans<Span>(1000, 100);
    const first = span('a', 0);
    const second = span('a', 10);
    list.add(first, 0);
    list.add(span('b', 5), 5);
    list.add(second, 10);
    expect(list.find('a', 20)).toBe(second);
    second.ended = true;
    list.remove(second);
    expect(list.find('a', 20)).toBe(first);
    expect(list.find('c', 20)).toBeUndefined();
    expect(list.find(undefined, 20)).toBeUndefined();
  });

  test('ended spans leave from either end; one in the middle goes once it reaches an end', () => {
    const list = new RecentSpans<Span>(1000, 100);
    const spans = ['a', 'b', 'c'].map((id, i) => span(id, i));
    spans.forEach((s, i) => list.add(s, i));
    spans[1]!.ended = true;
    list.remove(spans[1]!);
    expect(list.size).toBe(3);
    spans[2]!.ended = true;
    list.remove(spans[2]!);
    expect(list.size).toBe(1);
    spans[0]!.ended = true;
    list.remove(spans[0]!);
    expect(list.size).toBe(0);
  });

  test('spans older than the deadline are not found and are dropped as new ones come', () => {
    const list = new RecentSpans<Span>(100, 1000);
    for (let i = 0; i < 500; i++) list.add(span(`m${i}`, i), i);
    expect(list.find('m0', 150)).toBeUndefined();
    expect(list.find('m499', 150)).toBeDefined();
    list.add(span('late', 10_000), 10_000);
    expect(list.size).toBe(1);
  });

  test('never holds more than its bound', () => {
    const list = new RecentSpans<Span>(1_000_000, 50);
    for (let i = 0; i < 10_000; i++) list.add(span(`m${i}`, i), i);
    expect(list.size).toBe(50);
    expect(list.find('m0', 10_000)).toBeUndefined();
    expect(list.find('m9999', 10_000)).toBeDefined();
  });
});
