import { InFlightList } from '../../src/proxy/in-flight-list';

describe('InFlightList', () => {
  it('holds what was added until it is removed, in any order', () => {
    const list = new InFlightList<string>();
    const a = list.add('a');
    const b = list.add('b');
    const c = list.add('c');
    expect(list.size).toBe(3);
    list.remove(b);
    expect(list.values().sort()).toEqual(['a', 'c']);
    list.remove(c);
    list.remove(a);
    expect(list.size).toBe(0);
    expect(list.values()).toEqual([]);
    list.add('d');
    expect(list.values()).toEqual(['d']);
  });

  it('ignores a second removal of the same link', () => {
    const list = new InFlightList<number>();
    const one = list.add(1);
    list.add(2);
    list.remove(one);
    list.remove(one);
    expect(list.size).toBe(1);
    expect(list.values()).toEqual([2]);
  });

  it('clears a removed link, so a finished entry keeps no other entry reachable', () => {
    const list = new InFlightList<object>();
    const first = list.add({});
    const middle = list.add({});
    list.add({});
    list.remove(middle);
    expect(middle).toEqual({ value: undefined, previous: undefined, next: undefined });
    list.remove(first);
    expect(first).toEqual({ value: undefined, previous: undefined, next: undefined });
  });

  it('lets the caller remove entries while going through a copy of them', () => {
    const list = new InFlightList<number>();
    const links = [1, 2, 3].map((value) => list.add(value));
    for (const value of list.values()) list.remove(links[value - 1]!);
    expect(list.size).toBe(0);
  });
});
