import { ROOT_CONTEXT, baggageEntryMetadataFromString, defaultTextMapGetter, defaultTextMapSetter, propagation } from '@opentelemetry/api';
import { W3CBaggagePropagator as CoreBaggagePropagator } from '@opentelemetry/core';
import {
  MAX_BAGGAGE_BYTES,
  W3CBaggage,
  W3CBaggagePropagator,
  baggagePropertiesMetadata,
  parseBaggage,
  parseBaggageHeader,
  parseBaggageProperties,
  percentDecode,
  percentEncode,
  serializeBaggage,
} from '../../src/propagation';
import { isEmittedBaggage } from './support/grammar';

function values(header: string | string[]): Record<string, string> {
  return Object.fromEntries((parseBaggage(header)?.getAllEntries() ?? []).map(([key, entry]) => [key, entry.value]));
}

describe('parseBaggageHeader', () => {
  test('a malformed member is dropped, the others are kept', () => {
    const result = parseBaggageHeader('a=1,bad key=2,c=3,d="q",e=x y,f=;,g=ok;;p,h=\\,i=1');
    expect(Object.keys(Object.fromEntries(result.baggage.getAllEntries()))).toEqual(['a', 'c', 'i']);
    expect(result.invalidMembers).toBe(6);
  });

  test('members without "=" or without a key are malformed', () => {
    expect(parseBaggageHeader('novalue,=v,;p').invalidMembers).toBe(3);
  });

  test('empty members (from combined fields) are ignored, empty values are kept', () => {
    const result = parseBaggageHeader([' , a=1,, ', '', 'b=']);
    expect(values([' , a=1,, ', '', 'b='])).toEqual({ a: '1', b: '' });
    expect(result.invalidMembers).toBe(0);
  });

  test('percent-decoding: UTF-8, either hex case, U+FFFD for invalid bytes, lone % literal', () => {
    expect(values('a=%E2%82%AC%e2%82%ac')).toEqual({ a: '€€' });
    expect(values('a=%FF,b=%C3,c=%E2%82')).toEqual({ a: '\ufffd', b: '\ufffd', c: '\ufffd' });
    expect(values('a=100%,b=%zz,c=%4')).toEqual({ a: '100%', b: '%zz', c: '%4' });
  });

  test('a later duplicate key is dropped and counted', () => {
    const result = parseBaggageHeader(['k=1,j=2', 'k=3']);
    expect(values(['k=1,j=2', 'k=3'])).toEqual({ k: '1', j: '2' });
    expect(result.duplicateMembers).toBe(1);
  });

  test('keeps header order, also for integer-like keys', () => {
    expect(parseBaggage('b=1,100=2,a=3,7=4')?.getAllEntries().map(([key]) => key)).toEqual(['b', '100', 'a', '7']);
  });

  test('at most 64 members across all fields; the rest are dropped whole', () => {
    const members = Array.from({ length: 70 }, (_, i) => `k${i}=v`);
    const result = parseBaggageHeader([members.slice(0, 40).join(','), members.slice(40).join(',')]);
    expect(result.baggage.size).toBe(64);
    expect(result.droppedMembers).toBe(6);
    expect(result.baggage.getEntry('k63')?.value).toBe('v');
    expect(result.baggage.getEntry('k64')).toBeUndefined();
  });

  test('at most 8192 bytes: a member that would cross the limit and all after it are dropped', () => {
    const big = 'x'.repeat(8000);
    const result = parseBaggageHeader(`a=${big},b=${'y'.repeat(200)},c=1`);
    expect(result.baggage.getAllEntries().map(([key]) => key)).toEqual(['a']);
    expect(result.droppedMembers).toBe(2);
    // exactly 8192 bytes including the separator fits
    const exact = parseBaggageHeader(`a=${big},b=${'y'.repeat(MAX_BAGGAGE_BYTES - 8002 - 3)}`);
    expect(exact.baggage.size).toBe(2);
    expect(serializeBaggage(exact.baggage)).toHaveLength(MAX_BAGGAGE_BYTES);
  });

  test('a long header of malformed members is parsed in linear time', () => {
    const header = `${'novalue,'.repeat(100_000)}k=v`;
    const started = process.hrtime.bigint();
    const result = parseBaggageHeader(header);
    const millis = Number(process.hrtime.bigint() - started) / 1e6;
    expect(result.invalidMembers).toBe(100_000);
    expect(result.baggage.getEntry('k')?.value).toBe('v');
    expect(millis).toBeLessThan(2000); // a quadratic scan would take minutes
  });

  test('junk input does not throw', () => {
    expect(parseBaggageHeader(undefined).baggage.size).toBe(0);
    expect(parseBaggageHeader([42 as never, 'a=1']).baggage.size).toBe(1);
    expect(parseBaggageHeader({} as never).baggage.size).toBe(0);
    expect(parseBaggage('')).toBeUndefined();
  });
});

describe('serializeBaggage', () => {
  test('encodes only what must be encoded', () => {
    const baggage = W3CBaggage.fromEntries([
      ['userId', { value: 'Amélie' }],
      ['serverNode', { value: 'DF 28' }],
      ['isProduction', { value: 'false' }],
      ['odd', { value: '50%,"x";\\' }],
    ]);
    expect(serializeBaggage(baggage)).toBe('userId=Am%C3%A9lie,serverNode=DF%2028,isProduction=false,odd=50%25%2C%22x%22%3B%5C');
  });

  test('re-serializes a parsed header canonically', () => {
    expect(serializeBaggage(parseBaggage(' a = %41%2c ; p ; q = %7e , b=1'))).toBe('a=A%2C;p;q=~,b=1');
  });

  test('skips entries whose key is not a token or whose value is not a string', () => {
    const baggage = W3CBaggage.fromEntries([
      ['bad key', { value: '1' }],
      ['ok', { value: '2' }],
      ['n', { value: 3 as never }],
    ]);
    expect(serializeBaggage(baggage)).toBe('ok=2');
  });

  test('metadata set by code is normalised: invalid properties dropped, values encoded', () => {
    const baggage = propagation.createBaggage({
      k: { value: 'v', metadata: baggageEntryMetadataFromString(' p1 ; bad key ; n = a b,c ;; q') },
    });
    const header = serializeBaggage(baggage);
    expect(header).toBe('k=v;p1;n=a%20b%2Cc;q');
    expect(isEmittedBaggage(header)).toBe(true);
  });

  test('drops whole members from the end until 64 members and 8192 bytes fit', () => {
    const many = W3CBaggage.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, { value: 'v' }] as const));
    expect(serializeBaggage(many).split(',')).toHaveLength(64);
    const large = W3CBaggage.fromEntries([
      ['a', { value: 'x'.repeat(5000) }],
      ['b', { value: 'é'.repeat(600) }], // 3600 bytes encoded: does not fit any more
      ['c', { value: 'small' }],
    ]);
    expect(serializeBaggage(large)).toBe(`a=${'x'.repeat(5000)}`);
  });

  test('properties helpers round-trip', () => {
    const metadata = baggagePropertiesMetadata([{ key: 'flag' }, { key: 'note', value: 'a;b é' }, { key: 'bad key', value: 'x' }]);
    expect(metadata.toString()).toBe('flag;note=a%3Bb%20%C3%A9');
    expect(parseBaggageProperties(metadata)).toEqual([{ key: 'flag' }, { key: 'note', value: 'a;b é' }]);
    expect(parseBaggageProperties(undefined)).toEqual([]);
  });

  test('a throwing foreign baggage serializes to nothing instead of throwing', () => {
    const broken = {
      getAllEntries(): never {
        throw new Error('boom');
      },
    };
    expect(serializeBaggage(broken as never)).toBe('');
  });
});

describe('W3CBaggage', () => {
  test('is immutable: set/remove return new instances and keep order', () => {
    const first = parseBaggage('a=1,b=2,c=3') as W3CBaggage;
    const updated = first.setEntry('b', { value: 'x' }).setEntry('d', { value: '4' });
    expect(updated.getAllEntries().map(([k, e]) => `${k}=${e.value}`)).toEqual(['a=1', 'b=x', 'c=3', 'd=4']);
    expect(serializeBaggage(updated)).toBe('a=1,b=x,c=3,d=4');
    expect(serializeBaggage(first)).toBe('a=1,b=2,c=3');
    expect(first.removeEntries('a', 'c').getAllEntries().map(([k]) => k)).toEqual(['b']);
    expect(first.removeEntry('zz')).toBe(first);
    expect(first.clear().getAllEntries()).toEqual([]);
  });

  test('entries cannot be mutated through the returned objects', () => {
    const baggage = parseBaggage('a=1') as W3CBaggage;
    const entry = baggage.getEntry('a') as { value: string };
    expect(() => {
      entry.value = 'changed';
    }).toThrow(TypeError);
    expect(serializeBaggage(baggage)).toBe('a=1');
  });
});

describe('percent-encoding helpers', () => {
  test('encode then decode is the identity for any string', () => {
    for (const text of ['', 'plain', '100%', ' ,;"\\', 'é€😀', '\u0000\u007f', 'a%25b']) {
      expect(percentDecode(percentEncode(text))).toBe(text);
    }
    // a lone surrogate cannot be UTF-8: it becomes U+FFFD
    expect(percentDecode(percentEncode('\ud800'))).toBe('\ufffd');
  });
});

describe('interoperability with @opentelemetry/core', () => {
  test('core reads what we emit and we read what core emits', () => {
    const ours = new W3CBaggagePropagator();
    const core = new CoreBaggagePropagator();
    const ctx = propagation.setBaggage(
      ROOT_CONTEXT,
      W3CBaggage.fromEntries([
        ['user', { value: 'Amélie Dupont' }],
        ['tier', { value: 'gold', metadata: baggagePropertiesMetadata([{ key: 'ttl', value: '60' }]) }],
      ]),
    );
    const headers: Record<string, string> = {};
    ours.inject(ctx, headers, defaultTextMapSetter);
    const coreRead = propagation.getBaggage(core.extract(ROOT_CONTEXT, headers, defaultTextMapGetter));
    expect(coreRead?.getEntry('user')?.value).toBe('Amélie Dupont');
    expect(coreRead?.getEntry('tier')?.metadata?.toString()).toBe('ttl=60');

    const coreHeaders: Record<string, string> = {};
    core.inject(propagation.setBaggage(ROOT_CONTEXT, coreRead as never), coreHeaders, defaultTextMapSetter);
    const back = propagation.getBaggage(ours.extract(ROOT_CONTEXT, coreHeaders, defaultTextMapGetter));
    expect(back?.getEntry('user')?.value).toBe('Amélie Dupont');
    expect(parseBaggageProperties(back?.getEntry('tier')?.metadata)).toEqual([{ key: 'ttl', value: '60' }]);
  });
});
