import { ConfigError } from '../../src/config';
import { explainSpan, parseRulesText, parseSpanText, runRuleTests, strictDefaultRules } from '../../src/redaction';
import { rules } from './support';

describe('explainSpan', () => {
  const compiled = rules({ detectors: { email: true }, attributes: { safe: ['http.request.method'], block: ['*password*'] }, url: { pathIds: {} } });

  test('every name and attribute, before and after, with the rule that changed it', () => {
    const explanation = explainSpan(compiled, {
      name: 'GET /users/42',
      kind: 'server',
      attributes: { 'http.request.method': 'GET', 'db.password': 'hunter2', note: 'bob@example.com', 'url.full': 'https://u:p@x.example/a?sig=1', plain: 'x' },
      events: [{ name: 'exception', attributes: { 'exception.message': 'for bob@example.com' } }],
      resource: { 'host.name': 'web-1' },
    });
    const byKey = Object.fromEntries(explanation.entries.map((entry) => [`${entry.part}:${entry.key}`, entry]));
    expect(byKey['name:(span.name)']).toMatchObject({ before: 'GET /users/42', after: 'GET /users/{id}', changed: true, rule: 'url' });
    expect(byKey['attribute:http.request.method']).toMatchObject({ before: 'GET', after: 'GET', changed: false, rule: 'attributes.safe' });
    expect(byKey['attribute:db.password']).toMatchObject({ before: 'hunter2', after: undefined, changed: true, rule: 'attributes.block' });
    expect(byKey['attribute:note']).toMatchObject({ after: 'REDACTED', rule: 'detectors.email' });
    expect(byKey['attribute:url.full']).toMatchObject({ after: 'https://REDACTED:REDACTED@x.example/a?sig=REDACTED', rule: 'url' });
    expect(byKey['attribute:plain']).toMatchObject({ changed: false, rule: 'no rule matched' });
    expect(byKey['event-attribute:exception.message']).toMatchObject({ index: 0, after: 'for REDACTED', rule: 'detectors.email' });
    expect(byKey['resource-attribute:host.name']).toMatchObject({ changed: false });
    expect(explanation.changes.map((change) => change.key)).toEqual(['(span.name)', 'db.password', 'note', 'url.full', 'exception.message']);
    expect(explanation.after.attributes).toEqual({ 'http.request.method': 'GET', note: 'REDACTED', 'url.full': 'https://REDACTED:REDACTED@x.example/a?sig=REDACTED', plain: 'x' });
  });

  test('accepts span records and spans as the OTLP receiver decodes them', () => {
    const record = { v: 1, traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: 1, name: 'step', kind: 'internal', startTimeUnixNano: '1', attributes: { note: 'bob@example.com' }, scope: { name: 'x' } };
    expect(explainSpan(compiled, record).changes).toHaveLength(1);
    const received = { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), flags: 257, name: 'r', kind: 2, startTimeUnixNano: '1', endTimeUnixNano: '2', attributes: { note: 'bob@example.com' }, status: { code: 2, message: 'x' }, events: [{ name: 'e', timeUnixNano: '1', attributes: {} }], links: [], resource: { 'service.name': 'svc' }, scope: { name: 's' } };
    expect(explainSpan(compiled, received).after).toMatchObject({ kind: 'server', resource: { 'service.name': 'svc' } });
  });

  test('a span that is not valid input is a ConfigError naming the field, with lines for text', () => {
    expect(() => explainSpan(compiled, { name: 3 })).toThrow(ConfigError);
    try {
      parseSpanText('name: x\nattributes:\n  a: {nested: 1}\n', 'span.yaml');
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect((error as ConfigError).issues).toEqual([expect.objectContaining({ field: 'attributes.a', line: 3 })]);
    }
  });
});

describe('runRuleTests', () => {
  const file = `
detectors:
  email: true
attributes:
  block: ["*password*"]
baggage:
  accept: [tenant]
  internalHosts: ["*.internal"]
  forward: [{ keys: [tenant] }]
  copyToSpans: [tenant]
tests:
  - name: e-mails are redacted
    given: { attributes: { note: "to bob@example.com" } }
    expect: { attributes: { note: "to REDACTED", "threadline.redaction.count": 1 } }
  - name: passwords are dropped
    given: { span: { name: x, attributes: { db.password: pw }, events: [{ name: e, attributes: { a: bob@example.com } }], status: { code: error, message: bob@example.com } } }
    expect: { attributes: { db.password: null }, events: [{ name: e, attributes: { a: REDACTED } }], statusMessage: REDACTED, notContains: [bob@example.com, pw] }
  - name: a wrong expectation fails
    given: { attributes: { note: "to bob@example.com" } }
    expect: { attributes: { note: "to bob@example.com" }, name: "not the name" }
  - name: baggage inbound
    given: { baggage: { header: "tenant=acme,user=bob", direction: inbound } }
    expect: { baggage: { tenant: acme, user: null } }
  - name: baggage outbound external
    given: { baggage: { header: "tenant=acme", direction: outbound, destination: api.example.com } }
    expect: { baggage: { tenant: null } }
  - name: baggage onto spans is redacted
    given: { baggage: { header: "tenant=bob%40example.com", direction: span } }
    expect: { baggage: { tenant: REDACTED } }
  - name: outbound needs a destination
    given: { baggage: { header: "tenant=acme", direction: outbound } }
    expect: { baggage: { tenant: acme } }
`;

  test('reports every case with expected and actual; failures say what differs', () => {
    const report = runRuleTests(parseRulesText(file, 'rules.yaml').rules);
    expect(report).toMatchObject({ passed: 5, failed: 2 });
    expect(report.cases.map((result) => [result.name, result.ok])).toEqual([
      ['e-mails are redacted', true],
      ['passwords are dropped', true],
      ['a wrong expectation fails', false],
      ['baggage inbound', true],
      ['baggage outbound external', true],
      ['baggage onto spans is redacted', true],
      ['outbound needs a destination', false],
    ]);
    const wrong = report.cases[2];
    expect(wrong.message).toBe('attribute note: expected "to bob@example.com", got "to REDACTED"\nname: expected "not the name", got "x"'.replace('"x"', '"test"'));
    expect(wrong.actual).toEqual({ attributes: { note: 'to REDACTED' }, name: 'test' });
    expect(report.cases[6].message).toMatch(/destination is needed/);
  });

  test('the built-in strict default passes its own cases', () => {
    const report = runRuleTests(strictDefaultRules());
    expect(report.cases.filter((result) => !result.ok)).toEqual([]);
    expect(report.passed).toBeGreaterThanOrEqual(5);
  });
});
