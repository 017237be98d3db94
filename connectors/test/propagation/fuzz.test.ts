// ACCEPTANCE: fuzzing. Each codec gets at least 100,000 header values: fast-check generated ones
// plus hand-made mutations of valid headers (support/mutate.ts). Nothing may throw, and every
// header a codec emits must match the grammar, checked with independent regexes
// (support/grammar.ts). Where an independent oracle is simple (traceparent, tracestate) the
// accept/reject decision itself is compared with it. Seeds are fixed so a failure replays.
import type { Context } from '@opentelemetry/api';
import { ROOT_CONTEXT, propagation, trace } from '@opentelemetry/api';
import fc from 'fast-check';
import type { HeaderMap } from '../../src/propagation';
import {
  StrictTraceState,
  W3CBaggage,
  createPropagator,
  formatTraceparent,
  headerMapGetter,
  headerMapSetter,
  parseBaggageHeader,
  parseTraceparent,
  serializeBaggage,
} from '../../src/propagation';
import { EMITTED_TRACEPARENT, TRACESTATE_MEMBER, isEmittedBaggage, isEmittedTracestate } from './support/grammar';
import type { Random } from './support/mutate';
import { mutate, pick, seededRandom } from './support/mutate';

const GENERATED = 25_000;
const MUTATED = 75_000;
const SEED = 20_240_601;

/** Collects the first few failures so one run reports several, without noisy output. */
class Failures {
  readonly samples: string[] = [];
  count = 0;
  add(codec: string, input: unknown, reason: string): void {
    this.count++;
    if (this.samples.length < 5) this.samples.push(`${codec}: ${reason} for input ${JSON.stringify(input)}`);
  }
}

function guard(failures: Failures, codec: string, input: unknown, run: () => void): void {
  try {
    run();
  } catch (error) {
    failures.add(codec, input, `threw ${String(error)}`);
  }
}

function trimOws(text: string): string {
  return text.replace(/^[ \t]+|[ \t]+$/g, '');
}

// ---- seeds: valid headers the mutations start from ----
const TRACE_IDS = ['4bf92f3577b34da6a3ce929d0e0e4736', '00000000000000000000000000000001', 'ffffffffffffffffffffffffffffffff'];
const SPAN_IDS = ['00f067aa0ba902b7', '0000000000000001', 'ffffffffffffffff'];
const TRACEPARENT_SEEDS = [
  `00-${TRACE_IDS[0]}-${SPAN_IDS[0]}-01`,
  `00-${TRACE_IDS[1]}-${SPAN_IDS[1]}-00`,
  `00-${TRACE_IDS[2]}-${SPAN_IDS[2]}-03`,
  `cc-${TRACE_IDS[0]}-${SPAN_IDS[0]}-01-what-the-future-will-be-like`,
  `01-${TRACE_IDS[0]}-${SPAN_IDS[0]}-02`,
];
const TRACESTATE_SEEDS = [
  'congo=t61rcWkgMzE,rojo=00f067aa0ba902b7',
  'foo=1 \t , \t bar=2, \t baz=3',
  'tenant@system=value,ot=th:8;rv:0123456789abcd',
  `${'k'.repeat(256)}=${'v'.repeat(256)}`,
  Array.from({ length: 32 }, (_, i) => `m${i}=${i}`).join(','),
  ' , a= leading,,',
];
const BAGGAGE_SEEDS = [
  'userId=alice,serverNode=DF%2028,isProduction=false',
  'SomeKey \t = \t SomeValue \t ; \t SomeProp \t , \t SomeKey2 \t = \t SomeValue2 \t ; \t ValueProp \t = \t PropVal',
  'k=%09%20%22%27%3B%3Dasdf%21%40%23%24%25%5E%26%2A%28%29;p=%E2%82%AC',
  'a=b=c;d;e=f=g',
  Array.from({ length: 64 }, (_, i) => `key${i}=value${i}`).join(','),
  `big=${'x'.repeat(8000)},small=1`,
];
const B3_SEEDS = [`${TRACE_IDS[0]}-${SPAN_IDS[0]}-1`, `a3ce929d0e0e4736-${SPAN_IDS[0]}-d`, `${TRACE_IDS[0]}-${SPAN_IDS[0]}`, '0'];
const JAEGER_SEEDS = [`${TRACE_IDS[0]}:${SPAN_IDS[0]}:0:1`, 'abcdef:12:0:3', `${TRACE_IDS[0]}%3A${SPAN_IDS[0]}%3A0%3A0`];

/** Several fields now and then, as a carrier with repeated headers would deliver them. */
function maybeFields(random: Random, make: () => string): string | string[] {
  if (random() < 0.8) return make();
  return Array.from({ length: 1 + Math.floor(random() * 3) }, make);
}

// ---- independent oracles ----
function oracleTraceparent(value: string | string[]): { traceId: string; parentId: string } | undefined {
  if (Array.isArray(value) && value.length !== 1) return undefined;
  const text = trimOws(Array.isArray(value) ? value[0] : value);
  const match = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-[\s\S]*)?$/.exec(text);
  if (!match || match[1] === 'ff' || (match[1] === '00' && match[5] !== undefined)) return undefined;
  if (/^0+$/.test(match[2]) || /^0+$/.test(match[3])) return undefined;
  return { traceId: match[2], parentId: match[3] };
}

function oracleTracestate(value: string | string[]): string | undefined {
  const members = (Array.isArray(value) ? value : [value]).join(',').split(',').map(trimOws).filter((m) => m !== '');
  if (members.length > 32) return undefined;
  const kept = new Map<string, string>();
  for (const member of members) {
    const match = TRACESTATE_MEMBER.exec(member);
    if (!match) return undefined;
    if (!kept.has(match[1])) kept.set(match[1], match[2]);
  }
  return [...kept].map(([key, val]) => `${key}=${val}`).join(',');
}

// ---- one check per codec ----
function checkTraceparent(failures: Failures, value: string | string[]): void {
  guard(failures, 'traceparent', value, () => {
    const parsed = parseTraceparent(value);
    const expected = oracleTraceparent(value);
    if ((parsed === undefined) !== (expected === undefined)) {
      failures.add('traceparent', value, `parser ${parsed ? 'accepted' : 'rejected'}, oracle disagrees`);
      return;
    }
    if (parsed === undefined || expected === undefined) return;
    if (parsed.traceId !== expected.traceId || parsed.parentId !== expected.parentId) failures.add('traceparent', value, 'wrong ids');
    const emitted = formatTraceparent(parsed);
    if (emitted === undefined || !EMITTED_TRACEPARENT.test(emitted)) failures.add('traceparent', value, `emitted ${emitted}`);
  });
}

function checkTracestate(failures: Failures, value: string | string[], setKey: string, setValue: string): void {
  guard(failures, 'tracestate', value, () => {
    const parsed = StrictTraceState.parse(value);
    const expected = oracleTracestate(value);
    if ((parsed === undefined) !== (expected === undefined)) {
      failures.add('tracestate', value, `parser ${parsed ? 'accepted' : 'rejected'}, oracle disagrees`);
      return;
    }
    if (parsed === undefined) return;
    const emitted = parsed.serialize();
    if (emitted !== expected) failures.add('tracestate', value, `serialized ${JSON.stringify(emitted)}`);
    for (const state of [parsed, parsed.set(setKey, setValue), parsed.unset(setKey)]) {
      const out = state.serialize();
      if (out !== '' && !isEmittedTracestate(out)) failures.add('tracestate', value, `emitted ${JSON.stringify(out)}`);
    }
  });
}

function checkBaggage(failures: Failures, value: string | string[]): void {
  guard(failures, 'baggage', value, () => {
    const { baggage } = parseBaggageHeader(value);
    if (baggage.size > 64) failures.add('baggage', value, 'more than 64 members');
    const emitted = serializeBaggage(baggage);
    if (emitted === '') return;
    if (!isEmittedBaggage(emitted)) {
      failures.add('baggage', value, `emitted ${JSON.stringify(emitted.slice(0, 200))}`);
      return;
    }
    // Re-reading what we sent gives the same entries and the same header.
    const again = parseBaggageHeader(emitted);
    if (again.invalidMembers + again.droppedMembers + again.duplicateMembers > 0 || serializeBaggage(again.baggage) !== emitted) {
      failures.add('baggage', value, 'emitted header does not read back unchanged');
    }
  });
}

const composite = createPropagator({
  inbound: ['tracecontext', 'baggage', 'b3', 'jaeger'],
  outbound: ['tracecontext', 'baggage', 'b3', 'b3multi', 'jaeger'],
});

const EMITTED_LEGACY: Record<string, RegExp> = {
  b3: /^[0-9a-f]{32}-[0-9a-f]{16}-[01]$/,
  'x-b3-traceid': /^[0-9a-f]{32}$/,
  'x-b3-spanid': /^[0-9a-f]{16}$/,
  'x-b3-sampled': /^[01]$/,
  'uber-trace-id': /^[0-9a-f]{32}:[0-9a-f]{16}:0:0[01]$/,
};

function checkComposite(failures: Failures, headers: HeaderMap): void {
  guard(failures, 'composite', headers, () => {
    const context: Context = composite.extract(ROOT_CONTEXT, headers, headerMapGetter);
    const w3c = headers.traceparent === undefined ? undefined : oracleTraceparent(headers.traceparent);
    const spanContext = trace.getSpanContext(context);
    if (w3c !== undefined && spanContext?.traceId !== w3c.traceId) failures.add('composite', headers, 'valid traceparent not used');
    if (headers.traceparent !== undefined && w3c === undefined && spanContext !== undefined) {
      failures.add('composite', headers, 'fell back to a legacy format despite a traceparent');
    }
    const out: HeaderMap = {};
    composite.inject(context, out, headerMapSetter);
    for (const [name, value] of Object.entries(out)) {
      if (typeof value !== 'string') {
        failures.add('composite', headers, `emitted non-string ${name}`);
        continue;
      }
      const ok =
        name === 'traceparent'
          ? EMITTED_TRACEPARENT.test(value)
          : name === 'tracestate'
            ? isEmittedTracestate(value)
            : name === 'baggage'
              ? isEmittedBaggage(value)
              : EMITTED_LEGACY[name]?.test(value) === true;
      if (!ok) failures.add('composite', headers, `emitted ${name}: ${JSON.stringify(value.slice(0, 200))}`);
    }
    if (spanContext === undefined && out.traceparent !== undefined) failures.add('composite', headers, 'traceparent out of nothing');
    if (out.baggage !== undefined && propagation.getBaggage(context) === undefined) failures.add('composite', headers, 'baggage out of nothing');
  });
}

// ---- arbitraries ----
const hexUnit = fc.constantFrom(...'0123456789abcdef');
const hexLike = (min: number, max: number) =>
  fc.string({ unit: fc.oneof({ weight: 20, arbitrary: hexUnit }, fc.constantFrom('A', 'F', '-', ' ', 'g', '0')), minLength: min, maxLength: max });
const ows = fc.constantFrom('', '', '', ' ', '\t', ' \t ');

const traceparentArb = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(ows, hexLike(1, 3), hexLike(30, 34), hexLike(14, 18), hexLike(1, 3), fc.option(fc.string({ maxLength: 12 })), ows)
    .map(([a, v, t, s, f, rest, b]) => `${a}${v}-${t}-${s}-${f}${rest === null ? '' : `-${rest}`}${b}`) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 70 }) },
);

const tracestateKey = fc.oneof(
  fc.string({ unit: fc.constantFrom(...'abcz09_-*/@'), minLength: 1, maxLength: 12 }),
  fc.string({ unit: 'binary-ascii', maxLength: 6 }),
  fc.constant('k'.repeat(256)),
  fc.constant('k'.repeat(257)),
);
const tracestateValue = fc.oneof(
  fc.string({ unit: fc.constantFrom(...' !"+-.<>~09azAZ'), maxLength: 12 }),
  fc.string({ unit: 'binary-ascii', maxLength: 6 }),
  fc.constant('v'.repeat(256)),
  fc.constant('v'.repeat(257)),
);
const tracestateMember = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(ows, tracestateKey, tracestateValue, ows).map(([a, k, v, b]) => `${a}${k}=${v}${b}`) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary-ascii', maxLength: 10 }) },
);
const tracestateField = fc.array(tracestateMember, { maxLength: 36 }).map((members) => members.join(','));
const tracestateArb = fc.oneof(tracestateField, fc.array(tracestateField, { minLength: 1, maxLength: 4 }));

const token = fc.oneof(
  fc.string({ unit: fc.constantFrom(...'aZ09!#$%&\'*+-.^_`|~'), minLength: 1, maxLength: 8 }),
  fc.string({ unit: 'binary-ascii', maxLength: 4 }),
);
const octets = fc.oneof(
  fc.string({ unit: fc.constantFrom(...'aZ09=%!#~', '%20', '%C3%A9', '%FF', '%zz'), maxLength: 10 }),
  fc.string({ unit: 'binary', maxLength: 6 }),
);
const baggageMember = fc
  .tuple(ows, token, ows, octets, fc.array(fc.tuple(ows, token, fc.option(octets)), { maxLength: 3 }))
  .map(([a, k, b, v, props]) => `${a}${k}${b}=${b}${v}${props.map(([o, pk, pv]) => `${o};${o}${pk}${pv === null ? '' : `=${pv}`}`).join('')}`);
const baggageField = fc.array(baggageMember, { maxLength: 8 }).map((members) => members.join(','));
const baggageArb = fc.oneof(baggageField, fc.array(baggageField, { minLength: 1, maxLength: 3 }), fc.string({ unit: 'binary', maxLength: 40 }));

const compositeArb = fc.record(
  {
    traceparent: traceparentArb,
    tracestate: tracestateArb,
    baggage: baggageArb,
    b3: fc.oneof(fc.constantFrom(...B3_SEEDS), fc.string({ maxLength: 60 })),
    'x-b3-traceid': fc.oneof(hexLike(16, 32), fc.constantFrom(TRACE_IDS[0])),
    'x-b3-spanid': fc.oneof(hexLike(16, 16), fc.constantFrom(SPAN_IDS[0])),
    'x-b3-sampled': fc.constantFrom('0', '1', 'true', 'd', ''),
    'uber-trace-id': fc.oneof(fc.constantFrom(...JAEGER_SEEDS), fc.string({ maxLength: 60 })),
  },
  { requiredKeys: [] },
) as fc.Arbitrary<HeaderMap>;

function runGenerated<T>(arbitrary: fc.Arbitrary<T>, check: (value: T) => void): void {
  fc.assert(
    fc.property(arbitrary, (value) => {
      check(value);
    }),
    { numRuns: GENERATED, seed: SEED },
  );
}

function expectClean(failures: Failures, fed: number): void {
  expect(fed).toBeGreaterThanOrEqual(GENERATED + MUTATED);
  expect(failures.samples).toEqual([]);
  expect(failures.count).toBe(0);
}

describe('fuzz: at least 100,000 header values per codec', () => {
  test('traceparent', () => {
    const failures = new Failures();
    let fed = 0;
    runGenerated(traceparentArb, (value) => {
      fed++;
      checkTraceparent(failures, value);
    });
    const random = seededRandom(SEED);
    for (let i = 0; i < MUTATED; i++, fed++) {
      checkTraceparent(failures, maybeFields(random, () => mutate(random, pick(random, TRACEPARENT_SEEDS), TRACEPARENT_SEEDS)));
    }
    expectClean(failures, fed);
  });

  test('tracestate', () => {
    const failures = new Failures();
    let fed = 0;
    runGenerated(fc.tuple(tracestateArb, tracestateKey, tracestateValue), ([value, key, val]) => {
      fed++;
      checkTracestate(failures, value, key, val);
    });
    const random = seededRandom(SEED + 1);
    for (let i = 0; i < MUTATED; i++, fed++) {
      const value = maybeFields(random, () => mutate(random, pick(random, TRACESTATE_SEEDS), TRACESTATE_SEEDS));
      checkTracestate(failures, value, mutate(random, 'ot', ['vendor@tenant']), mutate(random, 'th:8', ['x']));
    }
    expectClean(failures, fed);
  });

  test('baggage', () => {
    const failures = new Failures();
    let fed = 0;
    runGenerated(baggageArb, (value) => {
      fed++;
      checkBaggage(failures, value);
    });
    const random = seededRandom(SEED + 2);
    for (let i = 0; i < MUTATED; i++, fed++) {
      checkBaggage(failures, maybeFields(random, () => mutate(random, pick(random, BAGGAGE_SEEDS), BAGGAGE_SEEDS)));
    }
    expectClean(failures, fed);
  });

  test('baggage set by code (any key, value and metadata) serializes to a valid header', () => {
    const failures = new Failures();
    const entry = fc.tuple(
      fc.string({ maxLength: 10 }),
      fc.string({ unit: 'grapheme', maxLength: 20 }),
      fc.option(fc.string({ unit: 'binary', maxLength: 20 })),
    );
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 80 }), (entries) => {
        guard(failures, 'baggage from code', entries, () => {
          const baggage = W3CBaggage.fromEntries(
            entries.map(([key, value, metadata]) => [key, metadata === null ? { value } : { value, metadata: { toString: () => metadata } as never }]),
          );
          const emitted = serializeBaggage(baggage);
          if (emitted !== '' && !isEmittedBaggage(emitted)) failures.add('baggage from code', entries, `emitted ${emitted.slice(0, 200)}`);
        });
      }),
      { numRuns: 3_000, seed: SEED },
    );
    expect(failures.samples).toEqual([]);
  });

  test('composite propagator with W3C, B3 and Jaeger input', () => {
    const failures = new Failures();
    let fed = 0;
    runGenerated(compositeArb, (headers) => {
      fed++;
      checkComposite(failures, headers);
    });
    const random = seededRandom(SEED + 3);
    const seeds: Array<[string, readonly string[]]> = [
      ['traceparent', TRACEPARENT_SEEDS],
      ['tracestate', TRACESTATE_SEEDS],
      ['baggage', BAGGAGE_SEEDS],
      ['b3', B3_SEEDS],
      ['uber-trace-id', JAEGER_SEEDS],
      ['x-b3-traceid', TRACE_IDS],
      ['x-b3-spanid', SPAN_IDS],
    ];
    for (let i = 0; i < MUTATED; i++, fed++) {
      const headers: HeaderMap = {};
      for (const [name, pool] of seeds) {
        const roll = random();
        if (roll < 0.4) continue;
        const seed = pick(random, pool);
        headers[random() < 0.1 ? name.toUpperCase() : name] = roll < 0.6 ? seed : maybeFields(random, () => mutate(random, seed, pool));
      }
      checkComposite(failures, headers);
    }
    expectClean(failures, fed);
  });
});
