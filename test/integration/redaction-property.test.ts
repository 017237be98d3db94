// ACCEPTANCE 1 (issue 3): spans with planted secrets — e-mails, card numbers, JWTs, bearer
// tokens, API keys (by prefix and by entropy), passwords in URLs and in query strings — in random
// places (attributes, URL attributes, captured headers, bodies, baggage, events, exception
// messages and stack traces, span names, status messages, links, the resource) go through
// createPipeline under the strict default rules to the real OTLP receiver process; none of the
// secrets is in the raw bytes it received (protobuf and JSON), nor in the spans it decoded.
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import * as fc from 'fast-check';
import type { OtlpProtocol } from '../../connectors/src/config/types';
import { createPipeline, type Pipeline } from '../../connectors/src/pipeline';
import { parseBaggage } from '../../connectors/src/propagation';
import { DEFAULT_API_KEY_PREFIXES, strictDefaultRules } from '../../connectors/src/redaction';
import { pipelineConfig } from '../support/otlp-pipeline-config';
import { startReceiver, type Receiver } from '../support/otlp-receiver-client';

jest.setTimeout(120_000);

const SPANS = 10_000;
const SEED = 20_240_607;
const RESOURCE_SECRET = 'ops-lead@example.com';

// ---------------------------------------------------------------------------------------------
// Secrets

type SecretKind = 'email' | 'card' | 'jwt' | 'bearer' | 'prefixedKey' | 'entropyKey' | 'urlPassword' | 'queryPassword';

interface Planted {
  kind: SecretKind;
  /** The text that must not leave. */
  secret: string;
  /** How it is written into a value (with its key, scheme or formatting). */
  text: string;
}

const chars = (alphabet: string, minLength: number, maxLength: number): fc.Arbitrary<string> => fc.string({ unit: fc.constantFrom(...alphabet.split('')), minLength, maxLength });
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const BASE62 = `${LOWER}${LOWER.toUpperCase()}0123456789`;
const BASE64URL = `${BASE62}-_`;
// Mixed case guaranteed, so a password or key can never be a piece of a hex id in the output.
const mixed = (minLength: number, maxLength: number): fc.Arbitrary<string> =>
  fc.tuple(chars(LOWER, 2, 2), chars(LOWER.toUpperCase(), 2, 2), chars(BASE62, minLength - 4, maxLength - 4)).map(([a, b, c]) => a + b + c);

function luhnComplete(body: string): string {
  let sum = 0;
  for (let index = 0; index < body.length; index++) {
    let digit = Number(body[body.length - 1 - index]);
    if (index % 2 === 0) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
    sum += digit;
  }
  return body + String((10 - (sum % 10)) % 10);
}

const base64url = (text: string): string => Buffer.from(text).toString('base64url');

const secretArbitraries: Record<SecretKind, fc.Arbitrary<Planted>> = {
  email: fc.tuple(chars(`${LOWER}0123456789`, 3, 10), fc.constantFrom('.', '_', '+', ''), chars(LOWER, 2, 8), chars(LOWER, 3, 10), fc.constantFrom('com', 'org', 'de', 'co.uk', 'example'))
    .map(([a, sep, b, domain, tld]) => `${a}${sep}${b}@${domain}.${tld}`)
    .map((secret) => ({ kind: 'email', secret, text: secret })),
  card: fc.tuple(fc.constantFrom('4', '51', '52', '53', '54', '55', '2221', '6011'), chars('0123456789', 15, 15), fc.constantFrom('plain', 'spaces', 'dashes'))
    .map(([prefix, digits, format]): Planted => {
      const number = luhnComplete((prefix + digits).slice(0, 15));
      const groups = number.match(/.{1,4}/g)!;
      const text = format === 'plain' ? number : groups.join(format === 'spaces' ? ' ' : '-');
      return { kind: 'card', secret: number, text };
    }),
  jwt: fc.tuple(chars(BASE62, 6, 12), fc.integer({ min: 1_600_000_000, max: 1_900_000_000 }), chars(BASE64URL, 43, 43))
    .map(([subject, exp, signature]) => `${base64url('{"alg":"HS256","typ":"JWT"}')}.${base64url(JSON.stringify({ sub: subject, exp }))}.${signature}`)
    .map((secret) => ({ kind: 'jwt', secret, text: secret })),
  bearer: fc.tuple(fc.constantFrom('Bearer', 'bearer', 'Basic'), chars(BASE64URL, 24, 40)).map(([scheme, token]) => ({ kind: 'bearer', secret: token, text: `${scheme} ${token}` })),
  prefixedKey: fc.tuple(fc.constantFrom(...DEFAULT_API_KEY_PREFIXES), mixed(20, 40)).map(([prefix, tail]) => ({ kind: 'prefixedKey', secret: prefix + tail, text: prefix + tail })),
  entropyKey: mixed(40, 48).map((secret) => ({ kind: 'entropyKey', secret, text: secret })),
  urlPassword: fc.tuple(fc.constantFrom('https', 'postgres', 'amqp', 'redis'), chars(LOWER, 3, 8), mixed(10, 16), chars(LOWER, 3, 10))
    .map(([scheme, user, password, host]) => ({ kind: 'urlPassword', secret: password, text: `${scheme}://${user}:${password}@${host}.internal:5432/db` })),
  queryPassword: fc.tuple(fc.constantFrom('password', 'passwd', 'pwd', 'secret', 'token', 'access_token', 'api_key', 'apikey', 'client_secret', 'auth'), mixed(10, 16))
    .map(([key, password]) => ({ kind: 'queryPassword', secret: password, text: `/login?user=bob&${key}=${password}&next=%2Fhome` })),
};

// ---------------------------------------------------------------------------------------------
// Places

const PLACES = [
  'attribute',
  'numericAttribute',
  'arrayAttribute',
  'urlFull',
  'urlQuery',
  'httpTarget',
  'allowedHeader',
  'blockedHeader',
  'body',
  'baggage',
  'spanName',
  'eventName',
  'eventAttribute',
  'exception',
  'statusMessage',
  'linkAttribute',
] as const;
type Place = (typeof PLACES)[number];

const WORDS = ['order', 'failed', 'for', 'customer', 'retry', 'with', 'value', 'see', 'note', 'ok', 'user', 'step'];
const ATTRIBUTE_KEYS = ['app.note', 'order.comment', 'flow.msg.payload', 'db.query.text', 'messaging.message.body', 'n8n.item.json', 'http.route', 'error.message', 'custom.value'];
const ALLOWED_HEADERS = ['content-type', 'x-request-id', 'user-agent', 'accept'];
const BLOCKED_HEADERS = ['authorization', 'cookie', 'x-api-key', 'x-forwarded-for', 'x-custom'];

interface Plant {
  place: Place;
  planted: Planted;
  words: [string, string];
  key: string;
  header: string;
  encode: boolean;
}

const plant: fc.Arbitrary<Plant> = fc
  .tuple(fc.constantFrom(...PLACES), fc.oneof(...Object.values(secretArbitraries)), fc.constantFrom(...WORDS), fc.constantFrom(...WORDS), fc.constantFrom(...ATTRIBUTE_KEYS), fc.constantFrom(...ALLOWED_HEADERS, ...BLOCKED_HEADERS), fc.boolean())
  .map(([place, planted, before, after, key, header, encode]) => ({ place, planted, words: [before, after], key, header, encode }));

const spanPlan = fc.array(plant, { minLength: 1, maxLength: 4 });

// ---------------------------------------------------------------------------------------------
// Spans

interface SpanParts {
  name: string;
  attributes: Record<string, string | number | string[]>;
  events: { name: string; attributes: Record<string, string> }[];
  exception?: Error;
  status?: string;
  link?: Record<string, string>;
}

function inText(plant: Plant): string {
  return `${plant.words[0]} ${plant.planted.text} ${plant.words[1]}`;
}

/** The secret as a query value: percent-encoded half of the time (e-mails then carry %40). */
function queryValue(plant: Plant): string {
  return plant.encode ? encodeURIComponent(plant.planted.text) : plant.planted.text.replace(/[&#\s]/g, '');
}

function urlWith(plant: Plant): string {
  switch (plant.planted.kind) {
    case 'urlPassword':
      return plant.planted.text;
    case 'queryPassword':
      return `https://shop.example${plant.planted.text}`;
    default:
      return `https://shop.example/search?q=${queryValue(plant)}&page=2`;
  }
}

function addPlant(parts: SpanParts, plant: Plant, index: number): void {
  const { planted } = plant;
  switch (plant.place) {
    case 'attribute':
      parts.attributes[`${plant.key}.${index}`] = inText(plant);
      break;
    case 'numericAttribute':
      // Card numbers also arrive as numbers; other secrets as plain text.
      parts.attributes[`app.number.${index}`] = planted.kind === 'card' ? Number(planted.secret) : inText(plant);
      break;
    case 'arrayAttribute':
      parts.attributes[`app.list.${index}`] = ['first', inText(plant)];
      break;
    case 'urlFull':
      parts.attributes['url.full'] = urlWith(plant);
      break;
    case 'urlQuery':
      parts.attributes['url.query'] = planted.kind === 'queryPassword' ? planted.text.slice(planted.text.indexOf('?') + 1) : `a=1&q=${queryValue(plant)}`;
      break;
    case 'httpTarget':
      parts.attributes['http.target'] = planted.kind === 'queryPassword' ? planted.text : `/find?q=${queryValue(plant)}`;
      break;
    case 'allowedHeader':
      parts.attributes[`http.request.header.${ALLOWED_HEADERS[index % ALLOWED_HEADERS.length]}`] = [inText(plant)];
      break;
    case 'blockedHeader':
      parts.attributes[`http.request.header.${plant.header}`] = [planted.text];
      break;
    case 'body':
      parts.attributes[index % 2 === 0 ? 'http.request.body' : 'http.response.body'] = JSON.stringify({ customer: { id: 7, contact: planted.text }, note: inText(plant) });
      break;
    case 'baggage': {
      // As the strict default would copy it (it copies nothing), and as an instrumentation that
      // copies every member onto the span would set it: both pass redaction.
      const baggage = parseBaggage(`member${index}=${encodeURIComponent(planted.text)}`)!;
      Object.assign(parts.attributes, strictDefaultRules().baggage.spanAttributes(strictDefaultRules().baggage.filterInbound(baggage)));
      parts.attributes[`baggage.member${index}`] = baggage.getEntry(`member${index}`)!.value;
      break;
    }
    case 'spanName':
      parts.name = planted.kind === 'queryPassword' ? `GET ${planted.text}` : `GET /users/${planted.text.replace(/\s/g, '')}`;
      break;
    case 'eventName':
      parts.events.push({ name: inText(plant), attributes: {} });
      break;
    case 'eventAttribute':
      parts.events.push({ name: 'step', attributes: { [plant.key]: inText(plant) } });
      break;
    case 'exception':
      parts.exception = new Error(`request ${inText(plant)} failed`);
      break;
    case 'statusMessage':
      parts.status = inText(plant);
      break;
    case 'linkAttribute':
      parts.link = { [plant.key]: inText(plant) };
      break;
  }
}

function emit(pipeline: Pipeline, plants: Plant[]): void {
  const parts: SpanParts = { name: 'GET /orders/:id', attributes: { 'http.request.method': 'GET', 'http.response.status_code': 200 }, events: [] };
  plants.forEach((item, index) => addPlant(parts, item, index));
  const links = parts.link ? [{ context: { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1 }, attributes: parts.link }] : [];
  const span = pipeline.tracer.startSpan(parts.name, { kind: SpanKind.SERVER, attributes: parts.attributes, links });
  for (const event of parts.events) span.addEvent(event.name, event.attributes);
  if (parts.exception) span.recordException(parts.exception);
  if (parts.status !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: parts.status });
  span.end();
}

// ---------------------------------------------------------------------------------------------

/**
 * Every needle found in any haystack, in one pass per haystack: needles are indexed by their last
 * eight characters, each position's eight characters are looked up, and hits are confirmed with
 * startsWith (tens of thousands of separate searches over megabytes would take minutes).
 */
function findAll(haystacks: { where: string; text: string }[], needles: [string, string][]): string[] {
  const WINDOW = 8;
  const index = new Map<string, [string, string][]>();
  for (const needle of needles) {
    const key = needle[0].slice(-WINDOW);
    const list = index.get(key) ?? [];
    list.push(needle);
    index.set(key, list);
  }
  const found: string[] = [];
  for (const { where, text } of haystacks) {
    for (let position = 0; position + WINDOW <= text.length; position++) {
      const candidates = index.get(text.substr(position, WINDOW));
      if (candidates === undefined) continue;
      for (const [needle, label] of candidates) {
        if (text.startsWith(needle, position + WINDOW - needle.length)) found.push(`${label}: ${needle} (in ${where})`);
      }
    }
  }
  return found;
}

let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver({ keepRawBodies: true });
});
afterAll(async () => {
  await receiver.stop();
});

function pipelineFor(protocol: OtlpProtocol, compression: 'none' | 'gzip'): Pipeline {
  return createPipeline(
    pipelineConfig({
      service: { name: 'property', attributes: { 'deployment.owner': RESOURCE_SECRET } },
      exporter: { protocol, compression, tracesEndpoint: receiver.url, queue: { maxSize: 4096, maxBatchSize: 512 } },
    }),
  );
}

test(`no planted secret reaches the receiver in ${SPANS} spans (strict default rules)`, async () => {
  const plans = fc.sample(spanPlan, { seed: SEED, numRuns: SPANS });
  const secrets = new Map<string, Plant>();
  const kinds = new Set<SecretKind>();
  const places = new Set<Place>();
  for (const plants of plans) {
    for (const item of plants) {
      secrets.set(item.planted.secret, item);
      kinds.add(item.planted.kind);
      places.add(item.place);
    }
  }
  expect([...kinds].sort()).toEqual(Object.keys(secretArbitraries).sort());
  expect([...places].sort()).toEqual([...PLACES].sort());

  const pipelines = [pipelineFor('http/protobuf', 'none'), pipelineFor('http/json', 'gzip')];
  try {
    for (let index = 0; index < plans.length; index++) {
      emit(pipelines[index % 2], plans[index]);
      if (index % 1000 === 999) await Promise.all(pipelines.map((pipeline) => pipeline.forceFlush()));
    }
    await Promise.all(pipelines.map((pipeline) => pipeline.forceFlush()));
    for (const pipeline of pipelines) expect(pipeline.stats()).toMatchObject({ dropped: 0, failed: 0, redactionFailures: 0, exported: SPANS / 2 });
  } finally {
    await Promise.all(pipelines.map((pipeline) => pipeline.shutdown()));
  }

  const decoded = await receiver.waitForSpans(SPANS, 30_000);
  expect(decoded).toHaveLength(SPANS);
  const raw = await receiver.rawBodies();
  expect(new Set(raw.map((body) => body.contentType))).toEqual(new Set(['application/x-protobuf', 'application/json']));

  // Raw bytes: protobuf carries strings as UTF-8 and the secrets are ASCII, so each body read as
  // latin1 holds a secret exactly when its bytes do; the decoded spans are searched as well.
  const haystacks = [...raw.map((entry) => ({ where: entry.contentType, text: entry.body.toString('latin1') })), { where: 'decoded spans', text: JSON.stringify(decoded) }];
  const needles: [string, string][] = [[RESOURCE_SECRET, 'resource']];
  for (const [secret, item] of secrets) {
    needles.push([secret, `${item.planted.kind} in ${item.place}`]);
    if (item.planted.text !== secret && item.planted.kind === 'card') needles.push([item.planted.text, `formatted card in ${item.place}`]);
  }
  const leaks = findAll(haystacks, needles);
  expect(leaks).toEqual([]);
  // The spans did arrive, with what the rules let through and a record of what was redacted.
  expect(decoded.filter((span) => typeof span.attributes['threadline.redaction.count'] === 'number').length).toBeGreaterThan(SPANS * 0.9);
  expect(decoded.every((span) => span.attributes['http.request.method'] === 'GET')).toBe(true);
});
