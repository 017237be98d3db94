import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { ATTR_REDACTION_FAILED } from '../../src/pipeline';
import {
  ATTR_REDACTION_COUNT,
  ATTR_REDACTION_KEYS,
  compileAction,
  compileRules,
  defineDetector,
  MAX_SUMMARY_KEYS,
  RuleEngine,
  type RedactionRules,
} from '../../src/redaction';
import { finishedSpan } from '../pipeline/test-spans';
import { redact, redactAttributes, rules } from './support';

const detectorsOn: RedactionRules['detectors'] = { email: true, paymentCard: true, jwt: true, bearerToken: true };

describe('attribute keys', () => {
  test('an allow-list fails closed: keys it does not list are dropped, even harmless ones', () => {
    const compiled = rules({ attributes: { allow: ['http.*', 'url.path', { regex: '^app\\.[a-z]+$' }] } });
    expect(redactAttributes(compiled, { 'http.request.method': 'GET', 'url.path': '/a', 'app.tier': 'gold', 'app.Tier': 'x', 'db.system': 'pg', 'user.id': '7' })).toEqual({
      'http.request.method': 'GET',
      'url.path': '/a',
      'app.tier': 'gold',
    });
  });

  test('an empty allow-list lets nothing through', () => {
    expect(redactAttributes(rules({ attributes: { allow: [] } }), { a: 1, b: 'x' })).toEqual({});
  });

  test('precedence: allow, then key rules, then block, then safe, then detectors', () => {
    const compiled = rules({
      attributes: {
        allow: ['*'],
        safe: ['note.safe', 'user.email'],
        block: ['user.*'],
        rules: [{ keys: ['user.email'], action: { type: 'mask', keep: 3 } }],
      },
      detectors: detectorsOn,
    });
    expect(redactAttributes(compiled, { 'user.email': 'bob@example.com', 'user.name': 'Bob', 'note.safe': 'bob@example.com', note: 'bob@example.com' })).toEqual({
      'user.email': '****com',
      'note.safe': 'bob@example.com',
      note: 'REDACTED',
    });
  });

  test('blocked key patterns compare case-insensitively; regex patterns as written', () => {
    const compiled = rules({ attributes: { block: ['*password*', { regex: '^X-', ignoreCase: false }] } });
    expect(redactAttributes(compiled, { 'db.PASSWORD': 'x', 'X-Id': 1, 'x-id': 2 })).toEqual({ 'x-id': 2 });
  });

  test('a key that itself holds a secret is dropped, and not named in the summary', () => {
    const compiled = compileRules({ detectors: detectorsOn });
    const attributes = redactAttributes(compiled, { 'lookup.bob@example.com': 'hit', fine: 'ok' });
    expect(attributes).toEqual({ fine: 'ok', [ATTR_REDACTION_COUNT]: 1, [ATTR_REDACTION_KEYS]: ['(redacted key)'] });
  });
});

describe('scoping', () => {
  const scoped = rules({
    attributes: {
      rules: [
        { name: 'billing hides amounts', keys: ['order.amount'], action: 'drop', when: { services: ['billing*'] } },
        { name: 'server spans on /login hash users', keys: ['login.user'], action: 'replace', when: { kinds: ['server'], routes: ['/login*'] } },
        { name: 'only for span names', keys: ['debug.*'], action: 'drop', when: { spanNames: ['GET *'] } },
      ],
    },
    patterns: [{ name: 'tickets in support', regex: 'TCK-[0-9]+', when: { services: ['support'] } }],
    allowedValues: [{ regex: 'bob@example\\.com', when: { services: ['crm'] } }],
    detectors: { email: true },
  });

  test('services', () => {
    expect(redactAttributes(scoped, { 'order.amount': 5 }, { service: 'billing-eu' })).toEqual({});
    expect(redactAttributes(scoped, { 'order.amount': 5 }, { service: 'shop' })).toEqual({ 'order.amount': 5 });
  });

  test('kinds and routes together', () => {
    expect(redactAttributes(scoped, { 'login.user': 'bob', 'http.route': '/login/form' }, { kind: 'server' })['login.user']).toBe('REDACTED');
    expect(redactAttributes(scoped, { 'login.user': 'bob', 'http.route': '/login/form' }, { kind: 'client' })['login.user']).toBe('bob');
    expect(redactAttributes(scoped, { 'login.user': 'bob' }, { kind: 'server' })['login.user']).toBe('bob');
  });

  test('span names', () => {
    expect(redactAttributes(scoped, { 'debug.x': 1 }, { name: 'GET /a' })).toEqual({});
    expect(redactAttributes(scoped, { 'debug.x': 1 }, { name: 'POST /a' })).toEqual({ 'debug.x': 1 });
  });

  test('patterns and allowed values can be scoped too', () => {
    expect(redactAttributes(scoped, { note: 'TCK-12 bob@example.com' }, { service: 'support' }).note).toBe('REDACTED REDACTED');
    expect(redactAttributes(scoped, { note: 'TCK-12 bob@example.com' }, { service: 'crm' }).note).toBe('TCK-12 bob@example.com');
  });
});

describe('captured headers', () => {
  const compiled = rules({
    headers: { request: ['Content-Type', 'x-request-id', { name: 'x-user', action: 'hash' }, { name: 'x-trace-note', action: 'keep' }], response: ['content-type'] },
    hashing: { keyEnv: 'K' },
    detectors: detectorsOn,
  }, { env: { K: 'k'.repeat(16) } });

  test('dropped unless listed by name (case-insensitive), each direction separately', () => {
    expect(
      redactAttributes(compiled, {
        'http.request.header.content-type': ['application/json'],
        'http.request.header.authorization': ['Bearer abc123def456'],
        'http.request.header.cookie': ['sid=1'],
        'http.response.header.content-type': ['text/html'],
        'http.response.header.x-request-id': ['r1'],
      }),
    ).toEqual({ 'http.request.header.content-type': ['application/json'], 'http.response.header.content-type': ['text/html'] });
  });

  test('listed headers still pass the detectors, or take their own action', () => {
    const attributes = redactAttributes(compiled, {
      'http.request.header.x-request-id': ['req bob@example.com'],
      'http.request.header.x-user': ['bob'],
      'http.request.header.x-trace-note': ['bob@example.com'],
    });
    expect(attributes['http.request.header.x-request-id']).toEqual(['req REDACTED']);
    expect(attributes['http.request.header.x-user']).toEqual([expect.stringMatching(/^hmac:[0-9a-f]{32}$/)]);
    expect(attributes['http.request.header.x-trace-note']).toEqual(['bob@example.com']);
  });
});

describe('captured bodies', () => {
  const compiled = rules({
    bodies: {
      request: [{ pointer: '/order/id' }, { pointer: '/customer/email', action: 'hash' }, { pointer: '/items' }, { pointer: '/note' }],
      response: [{ pointer: '/status' }],
      maxBytes: 200,
    },
    hashing: { keyEnv: 'K' },
    detectors: detectorsOn,
  }, { env: { K: 'k'.repeat(16) } });

  test('only opted-in fields leave, one attribute per pointer; the body attribute never does', () => {
    const body = JSON.stringify({ order: { id: 'o-1', card: '4111111111111111' }, customer: { email: 'bob@example.com', name: 'Bob' }, items: [1, 2], note: 'call bob@example.com' });
    const attributes = redactAttributes(compiled, { 'http.request.body': body, 'http.response.body': '{"status":"ok","token":"t"}' });
    expect(attributes).toEqual({
      'http.request.body/order/id': 'o-1',
      'http.request.body/customer/email': expect.stringMatching(/^hmac:/),
      'http.request.body/items': '[1,2]',
      'http.request.body/note': 'call REDACTED',
      'http.response.body/status': 'ok',
    });
    expect(JSON.stringify(attributes)).not.toMatch(/4111|Bob|bob@/);
  });

  test('a body over maxBytes, or not JSON, yields no fields', () => {
    expect(redactAttributes(compiled, { 'http.request.body': JSON.stringify({ order: { id: 'x'.repeat(300) } }) })).toEqual({});
    expect(redactAttributes(compiled, { 'http.request.body': 'order[id]=1' })).toEqual({});
  });

  test('without body rules the body attribute is dropped', () => {
    expect(redactAttributes(rules({}), { 'http.request.body': '{"a":1}', 'http.response.body': 'x' })).toEqual({});
  });
});

describe('where rules apply', () => {
  const document: RedactionRules = { detectors: detectorsOn, url: { pathIds: {} } };

  test('span names, events, exception messages and stack traces, links and status messages', () => {
    const parts = redact(rules(document), {
      name: 'GET /users/42?token=x bob@example.com',
      attributes: { 'exception.message': 'failed for bob@example.com' },
      events: [
        { name: 'exception', attributes: { 'exception.message': 'card 4111111111111111 declined', 'exception.stacktrace': 'Error: bob@example.com\n    at pay (pay.js:1:2)', 'exception.type': 'Error' } },
        { name: 'mail to bob@example.com' },
      ],
      links: [{ attributes: { reason: 'Bearer abc123def456' } }],
      status: { code: 'error', message: 'auth failed for bob@example.com' },
    });
    expect(parts.name).toBe('GET /users/{id}?token=x REDACTED');
    expect(parts.attributes['exception.message']).toBe('failed for REDACTED');
    expect(parts.events[0].attributes).toEqual({ 'exception.message': 'card REDACTED declined', 'exception.stacktrace': 'Error: REDACTED\n    at pay (pay.js:1:2)', 'exception.type': 'Error' });
    expect(parts.events[1].name).toBe('mail to REDACTED');
    expect(parts.links[0].attributes).toEqual({ reason: 'Bearer REDACTED' });
    expect(parts.status).toEqual({ code: SpanStatusCode.ERROR, message: 'auth failed for REDACTED' });
  });

  test('apply switches parts off: value rules skip them, key rules still apply', () => {
    const compiled = rules({ ...document, attributes: { block: ['secret'] }, apply: { spanNames: false, events: false, exceptions: false, statusMessages: false, links: false } });
    const parts = redact(compiled, {
      name: 'mail bob@example.com',
      attributes: { 'exception.message': 'bob@example.com', other: 'bob@example.com' },
      events: [{ name: 'bob@example.com', attributes: { note: 'bob@example.com', secret: 'x' } }],
      status: { code: 'error', message: 'bob@example.com' },
    });
    expect(parts.name).toBe('mail bob@example.com');
    expect(parts.attributes).toEqual({ 'exception.message': 'bob@example.com', other: 'REDACTED' });
    expect(parts.events[0]).toEqual(expect.objectContaining({ name: 'bob@example.com', attributes: { note: 'bob@example.com' } }));
    expect(parts.status.message).toBe('bob@example.com');
  });

  test('resource attributes are redacted once per Resource, service.name never', () => {
    const engine = new RuleEngine(rules({ detectors: detectorsOn }));
    const resource = resourceFromAttributes({ 'service.name': 'bob@example.com', 'deployment.owner': 'bob@example.com', 'host.name': 'web-1' });
    const span = (): ReadableSpan => ({ ...finishedSpan(), resource });
    const first = engine.redact(span()).resource!;
    expect(first.attributes).toEqual({ 'service.name': 'bob@example.com', 'deployment.owner': 'REDACTED', 'host.name': 'web-1' });
    expect(engine.redact(span()).resource).toBe(first);
    const untouched = resourceFromAttributes({ 'service.name': 'svc' });
    expect(engine.redact({ ...finishedSpan(), resource: untouched }).resource).toBe(untouched);
  });

  test('the input span is never mutated', () => {
    const span = finishedSpan({ attributes: { note: 'bob@example.com' }, events: [{ name: 'e', time: [1, 0], attributes: { note: 'bob@example.com' } }] });
    const before = JSON.stringify({ a: span.attributes, e: span.events });
    new RuleEngine(compileRules({ detectors: detectorsOn })).redact(span);
    expect(JSON.stringify({ a: span.attributes, e: span.events })).toBe(before);
  });

  test('unchanged parts are the same objects (nothing copied for a clean span)', () => {
    const span = finishedSpan({ attributes: { a: 'x' }, events: [{ name: 'e', time: [1, 0], attributes: { b: 'y' } }] });
    const parts = new RuleEngine(compileRules({ detectors: detectorsOn })).redact(span);
    expect(parts.attributes).toBe(span.attributes);
    expect(parts.events).toBe(span.events);
  });
});

describe('the redaction summary', () => {
  test('counts and key names, never values; our own keys from the input are replaced', () => {
    const compiled = compileRules({ detectors: detectorsOn, attributes: { block: ['secret.*'] } });
    const parts = redact(compiled, {
      name: 'pay 4111111111111111',
      attributes: { 'secret.a': 'x', note: 'bob@example.com', [ATTR_REDACTION_COUNT]: 99, 'threadline.redaction.keys': ['forged'] },
      events: [{ name: 'e', attributes: { note: 'alice@example.com' } }],
    });
    expect(parts.attributes[ATTR_REDACTION_COUNT]).toBe(4);
    expect(parts.attributes[ATTR_REDACTION_KEYS]).toEqual(['(span.name)', 'secret.a', 'note']);
    expect(JSON.stringify(parts.attributes)).not.toMatch(/bob|alice|4111|forged/);
  });

  test('no summary on a clean span, or when summary is false', () => {
    expect(redact(compileRules({ detectors: detectorsOn }), { attributes: { a: 'clean' } }).attributes).toEqual({ a: 'clean' });
    expect(redact(compileRules({ detectors: detectorsOn, summary: false }), { attributes: { a: 'bob@example.com' } }).attributes).toEqual({ a: 'REDACTED' });
  });

  test(`at most ${MAX_SUMMARY_KEYS} key names; the count stays exact`, () => {
    const attributes: Record<string, string> = {};
    for (let i = 0; i < 40; i++) attributes[`k${i}`] = 'bob@example.com';
    const parts = redact(compileRules({ detectors: detectorsOn }), { attributes });
    expect(parts.attributes[ATTR_REDACTION_COUNT]).toBe(40);
    expect(parts.attributes[ATTR_REDACTION_KEYS]).toHaveLength(MAX_SUMMARY_KEYS);
  });
});

describe('fail closed inside the engine', () => {
  const exploding = defineDetector('detectors.exploding', compileAction('replace', { key: undefined, length: 32 }), () => true, (text) => {
    if (text.includes('boom')) throw new Error('matcher failed');
  });
  const compiled = compileRules({ detectors: detectorsOn }, { customDetectors: [exploding] });

  test('the value a rule failed on is dropped (names become REDACTED), others pass, and failures are counted', () => {
    const parts = redact(compiled, {
      name: 'boom 4111',
      attributes: { a: 'boom secret-1', b: 'fine', c: ['ok', 'boom secret-2'] },
      events: [{ name: 'e', attributes: { d: 'boom secret-3', e: 'kept' } }],
      status: { code: 'error', message: 'boom secret-4' },
    });
    expect(parts.name).toBe('REDACTED');
    expect(parts.attributes).toEqual({ b: 'fine', [ATTR_REDACTION_FAILED]: true, [ATTR_REDACTION_COUNT]: 5, [ATTR_REDACTION_KEYS]: ['(span.name)', 'a', 'c', 'd', '(status.message)'] });
    expect(parts.events[0].attributes).toEqual({ e: 'kept' });
    expect(parts.status.message).toBe('REDACTED');
    expect(parts.failures).toBe(5);
    expect(JSON.stringify(parts)).not.toMatch(/secret-/);
  });

  test('rules objects not made by compileRules are refused (the pipeline then strips the span)', () => {
    expect(() => new RuleEngine({ source: 'fake', document: {}, baggage: compiled.baggage, tests: [], warnings: [] }).redact(finishedSpan())).toThrow(TypeError);
  });

  test('kind names for scopes follow the OpenTelemetry enum', () => {
    const byKind = rules({ attributes: { rules: [{ keys: ['x'], action: 'drop', when: { kinds: ['consumer'] } }] } });
    expect(new RuleEngine(byKind).redact({ ...finishedSpan({ attributes: { x: 1 } }), kind: SpanKind.CONSUMER }).attributes).toEqual({});
  });
});

describe('values the scanner found clean are remembered per rule set', () => {
  test('a repeated clean value is kept, a secret is redacted every time, and other rules decide afresh', () => {
    const compiled = rules({ detectors: detectorsOn, summary: false });
    const engine = new RuleEngine(compiled);
    const clean = 'order-42';
    const secret = 'alice@example.com';
    for (let i = 0; i < 3; i++) {
      const parts = engine.redact(finishedSpan({ attributes: { 'app.ref': clean, 'app.contact': secret } }));
      expect(parts.attributes).toEqual({ 'app.ref': clean, 'app.contact': 'REDACTED' });
    }
    // a rule set that treats the same value as sensitive is not fooled by what another one remembered
    const stricter = rules({ detectors: detectorsOn, summary: false, patterns: [{ name: 'orders', regex: 'order-\\d+' }] });
    expect(redactAttributes(stricter, { 'app.ref': clean })).toEqual({ 'app.ref': 'REDACTED' });
  });
});
