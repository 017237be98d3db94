// ACCEPTANCE: every test vector of the W3C Baggage suite (w3c/baggage test/test_baggage.py),
// rewritten as our own tests that go through W3CBaggagePropagator and a header-map carrier.
// Vectors with several members also run split over two `baggage` fields.
import type { Baggage } from '@opentelemetry/api';
import { ROOT_CONTEXT, propagation } from '@opentelemetry/api';
import type { BaggageProperty, HeaderMap } from '../../src/propagation';
import { W3CBaggage, W3CBaggagePropagator, headerMapGetter, headerMapSetter, parseBaggageProperties } from '../../src/propagation';
import { isEmittedBaggage } from './support/grammar';

const propagator = new W3CBaggagePropagator();

function extract(fields: string | string[]): Baggage {
  const baggage = propagation.getBaggage(propagator.extract(ROOT_CONTEXT, { baggage: fields }, headerMapGetter));
  if (baggage === undefined) throw new Error('no baggage extracted');
  return baggage;
}

function inject(baggage: Baggage): string | undefined {
  const headers: HeaderMap = {};
  propagator.inject(propagation.setBaggage(ROOT_CONTEXT, baggage), headers, headerMapSetter);
  const value = headers.baggage as string | undefined;
  if (value !== undefined) expect(isEmittedBaggage(value)).toBe(true);
  return value;
}

function entry(baggage: Baggage, key: string): { value: string; properties: BaggageProperty[] } {
  const found = baggage.getEntry(key);
  if (found === undefined) throw new Error(`no entry ${key}`);
  return { value: found.value, properties: parseBaggageProperties(found.metadata) };
}

/** Both members of a two-member vector, once in one field and once in two fields. */
function bothWays(first: string, second: string, separator = ','): Baggage[] {
  return [extract(`${first}${separator}${second}`), extract([first, second])];
}

// The suite's value with every awkward char, and Python's urllib.parse.quote of it.
const AWKWARD = '\t "\';=asdf!@#$%^&*()';
const AWKWARD_QUOTED = '%09%20%22%27%3B%3Dasdf%21%40%23%24%25%5E%26%2A%28%29';

/**
 * The canonical form of a serialized member: encodings of chars that need none are undone.
 * The spec lets a sender encode any char (MAY); the suite's expected strings come from
 * Python's quote(), which encodes more than required. We encode exactly what is required.
 */
function withoutOptionalEncoding(serialized: string): string {
  return serialized.replace(/%([0-9A-Fa-f]{2})/g, (escape, hex: string) => {
    const byte = parseInt(hex, 16);
    const required = byte < 0x21 || byte > 0x7e || [0x22, 0x25, 0x2c, 0x3b, 0x5c].includes(byte);
    return required ? escape.toUpperCase() : String.fromCharCode(byte);
  });
}

describe('W3C baggage suite: BaggageTest', () => {
  test('test_ctor_default: an empty baggage has no entries and sends no header', () => {
    expect(W3CBaggage.empty().getAllEntries()).toEqual([]);
    expect(inject(W3CBaggage.empty())).toBeUndefined();
  });

  test('test_parse_simple', () => {
    const baggage = extract('SomeKey=SomeValue');
    expect(baggage.getAllEntries()).toHaveLength(1);
    expect(entry(baggage, 'SomeKey')).toEqual({ value: 'SomeValue', properties: [] });
  });

  test('test_parse_multiple: members with a key property and a key=value property', () => {
    for (const baggage of bothWays('SomeKey=SomeValue;SomeProp', 'SomeKey2=SomeValue2;ValueProp=PropVal')) {
      expect(baggage.getAllEntries().map(([key]) => key)).toEqual(['SomeKey', 'SomeKey2']);
      expect(entry(baggage, 'SomeKey')).toEqual({ value: 'SomeValue', properties: [{ key: 'SomeProp' }] });
      expect(entry(baggage, 'SomeKey2')).toEqual({ value: 'SomeValue2', properties: [{ key: 'ValueProp', value: 'PropVal' }] });
    }
  });

  test('test_parse_multiple_ows: spaces and tabs around every separator', () => {
    for (const baggage of bothWays(
      'SomeKey \t = \t SomeValue \t ; \t SomeProp \t ',
      ' \t SomeKey2 \t = \t SomeValue2 \t ; \t ValueProp \t = \t PropVal',
    )) {
      expect(baggage.getAllEntries()).toHaveLength(2);
      expect(entry(baggage, 'SomeKey')).toEqual({ value: 'SomeValue', properties: [{ key: 'SomeProp' }] });
      expect(entry(baggage, 'SomeKey2')).toEqual({ value: 'SomeValue2', properties: [{ key: 'ValueProp', value: 'PropVal' }] });
    }
  });

  test('test_parse_multiple_kv_property', () => {
    for (const baggage of bothWays('SomeKey=SomeValue;SomePropKey=SomePropValue', 'SomeKey2=SomeValue2;SomePropKey2=SomePropValue2')) {
      expect(entry(baggage, 'SomeKey')).toEqual({ value: 'SomeValue', properties: [{ key: 'SomePropKey', value: 'SomePropValue' }] });
      expect(entry(baggage, 'SomeKey2')).toEqual({
        value: 'SomeValue2',
        properties: [{ key: 'SomePropKey2', value: 'SomePropValue2' }],
      });
    }
  });

  test('test_parse_multiple_kv_property_ows', () => {
    for (const baggage of bothWays(
      'SomeKey \t = \t SomeValue \t ; \t SomePropKey=SomePropValue \t ',
      ' \t SomeKey2 \t = \t SomeValue2 \t ; \t SomePropKey2 \t = \t SomePropValue2',
    )) {
      expect(entry(baggage, 'SomeKey')).toEqual({ value: 'SomeValue', properties: [{ key: 'SomePropKey', value: 'SomePropValue' }] });
      expect(entry(baggage, 'SomeKey2')).toEqual({
        value: 'SomeValue2',
        properties: [{ key: 'SomePropKey2', value: 'SomePropValue2' }],
      });
    }
  });
});

describe('W3C baggage suite: BaggageEntryTest', () => {
  test('test_ctor_default: an entry set by code serializes as key=value without properties', () => {
    for (const baggage of [
      W3CBaggage.fromEntries([['SomeKey', { value: 'SomeValue' }]]),
      propagation.createBaggage({ SomeKey: { value: 'SomeValue' } }),
    ]) {
      expect(inject(baggage)).toBe('SomeKey=SomeValue');
      expect(entry(extract(inject(baggage) as string), 'SomeKey')).toEqual({ value: 'SomeValue', properties: [] });
    }
  });

  test('test_parse_simple', () => {
    expect(entry(extract('SomeKey=SomeValue'), 'SomeKey')).toEqual({ value: 'SomeValue', properties: [] });
  });

  test('test_parse_multiple_equals: the value may contain =', () => {
    expect(entry(extract('SomeKey=SomeValue=equals'), 'SomeKey')).toEqual({ value: 'SomeValue=equals', properties: [] });
    expect(inject(extract('SomeKey=SomeValue=equals'))).toBe('SomeKey=SomeValue=equals');
  });

  test('test_parse_percent_encoded: decoded on extract, encoded again on inject', () => {
    const baggage = extract(`SomeKey=${AWKWARD_QUOTED}`);
    expect(entry(baggage, 'SomeKey')).toEqual({ value: AWKWARD, properties: [] });
    const sent = inject(baggage) as string;
    expect(sent).toBe(withoutOptionalEncoding(`SomeKey=${AWKWARD_QUOTED}`));
    expect(entry(extract(sent), 'SomeKey').value).toBe(AWKWARD);
    // Set by code, the same value serializes the same way.
    expect(inject(W3CBaggage.fromEntries([['SomeKey', { value: AWKWARD }]]))).toBe(sent);
  });

  test('test_parse_property', () => {
    expect(entry(extract('SomeKey=SomeValue;SomeProp'), 'SomeKey')).toEqual({ value: 'SomeValue', properties: [{ key: 'SomeProp' }] });
  });

  test('test_parse_multi_property', () => {
    expect(entry(extract('SomeKey=SomeValue;SomeProp;SecondProp=PropValue'), 'SomeKey')).toEqual({
      value: 'SomeValue',
      properties: [{ key: 'SomeProp' }, { key: 'SecondProp', value: 'PropValue' }],
    });
  });

  test('test_parse_multiple_properties_same_name: all three properties are kept in order', () => {
    const baggage = extract('SomeKey=SomeValue;SomeProp;SomeProp=PropValue;SomeProp=AnotherPropValue');
    expect(entry(baggage, 'SomeKey')).toEqual({
      value: 'SomeValue',
      properties: [{ key: 'SomeProp' }, { key: 'SomeProp', value: 'PropValue' }, { key: 'SomeProp', value: 'AnotherPropValue' }],
    });
    expect(inject(baggage)).toBe('SomeKey=SomeValue;SomeProp;SomeProp=PropValue;SomeProp=AnotherPropValue');
  });

  test('test_parse_kv_property', () => {
    expect(entry(extract('SomeKey=SomeValue;SomePropKey=SomePropValue'), 'SomeKey')).toEqual({
      value: 'SomeValue',
      properties: [{ key: 'SomePropKey', value: 'SomePropValue' }],
    });
  });

  test('test_parse_simple_ows', () => {
    expect(entry(extract('SomeKey \t = \t SomeValue \t '), 'SomeKey')).toEqual({ value: 'SomeValue', properties: [] });
  });

  test('test_parse_percent_encoded_ows', () => {
    expect(entry(extract(`SomeKey \t = \t ${AWKWARD_QUOTED} \t `), 'SomeKey')).toEqual({ value: AWKWARD, properties: [] });
  });

  test('test_parse_property_ows', () => {
    expect(entry(extract('SomeKey \t = \t SomeValue \t ; \t SomeProp'), 'SomeKey')).toEqual({
      value: 'SomeValue',
      properties: [{ key: 'SomeProp' }],
    });
  });

  test('test_parse_multi_property_ows', () => {
    expect(entry(extract('SomeKey \t = \t SomeValue \t ; \t SomeProp \t ; \t SecondProp \t = \t PropValue'), 'SomeKey')).toEqual({
      value: 'SomeValue',
      properties: [{ key: 'SomeProp' }, { key: 'SecondProp', value: 'PropValue' }],
    });
  });

  test('test_parse_kv_property_ows', () => {
    const baggage = extract('SomeKey \t = \t SomeValue \t ; \t SomePropKey \t = \t SomePropValue');
    expect(entry(baggage, 'SomeKey')).toEqual({ value: 'SomeValue', properties: [{ key: 'SomePropKey', value: 'SomePropValue' }] });
    expect(inject(baggage)).toBe('SomeKey=SomeValue;SomePropKey=SomePropValue');
  });

  test('test_parse_percent_encoded_property: property values are decoded, and encoded on inject', () => {
    const baggage = extract(`SomeKey=SomeValue;SomePropKey=${AWKWARD_QUOTED}`);
    expect(entry(baggage, 'SomeKey')).toEqual({ value: 'SomeValue', properties: [{ key: 'SomePropKey', value: AWKWARD }] });
    const sent = inject(baggage) as string;
    expect(sent).toBe(withoutOptionalEncoding(`SomeKey=SomeValue;SomePropKey=${AWKWARD_QUOTED}`));
    expect(entry(extract(sent), 'SomeKey').properties).toEqual([{ key: 'SomePropKey', value: AWKWARD }]);
  });

  test('test_parse_property_without_value_no_percent_decoding: an encoded "=" stays part of the key', () => {
    const baggage = extract('SomeKey=SomeValue;ValueProp%20%09%20%3D%20%09%20PropVal');
    expect(entry(baggage, 'SomeKey')).toEqual({
      value: 'SomeValue',
      properties: [{ key: 'ValueProp%20%09%20%3D%20%09%20PropVal' }],
    });
    expect(inject(baggage)).toBe('SomeKey=SomeValue;ValueProp%20%09%20%3D%20%09%20PropVal');
  });
});

describe('W3C baggage suite: LimitsTest', () => {
  test('test_serialize_at_least_64: 64 members are all sent', () => {
    const baggage = W3CBaggage.fromEntries(Array.from({ length: 64 }, (_, i) => [`key${i}`, { value: 'value' }] as const));
    expect((inject(baggage) as string).split(',')).toHaveLength(64);
  });

  test('test_serialize_long_entry: one member of exactly 8192 bytes is sent', () => {
    const baggage = W3CBaggage.fromEntries([['a', { value: '0123456789'.repeat(819) }]]);
    expect(inject(baggage)).toHaveLength(8192);
    // and received whole
    expect(entry(extract(`a=${'0123456789'.repeat(819)}`), 'a').value).toHaveLength(8190);
  });

  test('test_serialize_many_entries: past the limits only whole members are sent', () => {
    const baggage = W3CBaggage.fromEntries(
      Array.from({ length: 512 }, (_, i) => [String(i).padStart(3, '0'), { value: '0123456789a' }] as const),
    );
    const members = (inject(baggage) as string).split(',');
    expect(members).toHaveLength(64);
    expect(members[0]).toBe('000=0123456789a');
    expect(members[63]).toBe('063=0123456789a');
    expect(members.every((member) => /^\d{3}=0123456789a$/.test(member))).toBe(true);
  });
});
