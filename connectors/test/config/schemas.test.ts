import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { SchemaValidator, defaultConfig, validate } from '../../src/config';
import type { SpanRecord, TraceCarrier } from '../../src/model';

const schemaDirectory = dirname(require.resolve('@threadline/schemas/package.json'));
const schemaFiles = readdirSync(schemaDirectory).filter((name) => name.endsWith('.schema.json'));
const readSchema = (name: string): Record<string, unknown> => JSON.parse(readFileSync(join(schemaDirectory, name), 'utf8'));

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';

describe('the schema files', () => {
  it('include the three this package defines', () => {
    expect(schemaFiles).toEqual(expect.arrayContaining(['threadline-config.schema.json', 'trace-carrier.schema.json', 'span-record.schema.json']));
  });

  it.each(['threadline-config.schema.json', 'trace-carrier.schema.json', 'span-record.schema.json'])('%s compiles in a fresh strict ajv with only the editor annotations added', (name) => {
    const ajv = new Ajv2020({ strict: true, allErrors: true });
    addFormats(ajv as unknown as Parameters<typeof addFormats>[0]);
    ajv.addKeyword({ keyword: 'errorMessage', schemaType: 'string' });
    ajv.addKeyword({ keyword: 'patternErrorMessage', schemaType: 'string' });
    for (const file of ['trace-carrier.schema.json', 'threadline-config.schema.json', 'span-record.schema.json', 'redaction-rules.schema.json']) ajv.addSchema(readSchema(file));
    const schema = readSchema(name);
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.$id).toBe(`https://threadline.dev/schemas/${name}`);
    expect(typeof ajv.getSchema(schema.$id as string)).toBe('function');
  });

  it('every schema file in the package compiles in the shared validator', () => {
    const validator = new SchemaValidator();
    for (const name of schemaFiles) expect(() => validator.compile(name)).not.toThrow();
  });

  it('describes every property of the config schema, and closes every object', () => {
    const missing: string[] = [];
    const walk = (node: unknown, path: string): void => {
      if (Array.isArray(node)) return node.forEach((item, index) => walk(item, `${path}/${index}`));
      if (typeof node !== 'object' || node === null) return;
      const schema = node as Record<string, unknown>;
      if (schema.type === 'object' && schema.additionalProperties === undefined) missing.push(`${path}: additionalProperties`);
      if (typeof schema.properties === 'object' && schema.properties !== null) {
        for (const [name, property] of Object.entries(schema.properties)) {
          if (typeof (property as Record<string, unknown>).description !== 'string') missing.push(`${path}/properties/${name}: description`);
        }
      }
      for (const [key, value] of Object.entries(schema)) walk(value, `${path}/${key}`);
    };
    for (const name of schemaFiles.filter((file) => ['threadline-config.schema.json', 'trace-carrier.schema.json', 'span-record.schema.json'].includes(file))) walk(readSchema(name), name);
    expect(missing).toEqual([]);
  });

  it("states the same defaults as the code's embedded defaults", () => {
    const schema = readSchema('threadline-config.schema.json');
    const defs = schema.$defs as Record<string, { properties: Record<string, { default?: unknown }> }>;
    const defaults = defaultConfig();
    const pairs: Array<[string, string, unknown]> = [
      ['service', 'name', defaults.service.name],
      ['exporter', 'enabled', defaults.exporter.enabled],
      ['exporter', 'protocol', defaults.exporter.protocol],
      ['exporter', 'tracesEndpoint', defaults.exporter.tracesEndpoint],
      ['exporter', 'timeoutMillis', defaults.exporter.timeoutMillis],
      ['exporter', 'compression', defaults.exporter.compression],
      ['queue', 'maxSize', defaults.exporter.queue.maxSize],
      ['queue', 'maxBatchSize', defaults.exporter.queue.maxBatchSize],
      ['queue', 'scheduledDelayMillis', defaults.exporter.queue.scheduledDelayMillis],
      ['queue', 'exportTimeoutMillis', defaults.exporter.queue.exportTimeoutMillis],
      ['retry', 'maxAttempts', defaults.exporter.retry.maxAttempts],
      ['retry', 'initialBackoffMillis', defaults.exporter.retry.initialBackoffMillis],
      ['retry', 'maxBackoffMillis', defaults.exporter.retry.maxBackoffMillis],
      ['sampling', 'sampler', defaults.sampling.sampler],
      ['sampling', 'ratio', defaults.sampling.ratio],
      ['inboundSampling', 'maxSampledPerSecond', defaults.sampling.inbound.maxSampledPerSecond],
      ['propagation', 'inbound', defaults.propagation.inbound],
      ['propagation', 'outbound', defaults.propagation.outbound],
    ];
    for (const [def, property, value] of pairs) expect([def, property, defs[def].properties[property].default]).toEqual([def, property, value]);
    expect(defaults).toEqual(expect.objectContaining({ service: { name: 'unknown_service:node', attributes: {} } }));
    expect(validate('threadline-config', defaults)).toEqual([]);
  });

  it('lets other schemas $ref the config definitions and be validated by $id or name', () => {
    const validator = new SchemaValidator();
    const id = validator.registerSchema(
      {
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        $id: 'https://threadline.dev/schemas/example-interceptor.schema.json',
        type: 'object',
        additionalProperties: false,
        properties: {
          exporter: { description: 'as in the connectors', $ref: 'threadline-config.schema.json#/$defs/exporter' },
          listenPort: { description: 'port', type: 'integer', minimum: 1, maximum: 65535 },
        },
      },
      'example-interceptor.schema.json',
    );
    expect(validator.validate(id, { exporter: { protocol: 'http/json' }, listenPort: 8080 })).toEqual([]);
    expect(validator.validate('example-interceptor', { exporter: { queue: { maxSize: 0 } }, listenPort: 70000 }).map((issue) => [issue.field, issue.message])).toEqual([
      ['exporter.queue.maxSize', 'must be an integer ≥ 1 (got 0)'],
      ['listenPort', 'must be an integer from 1 to 65535 (got 70000)'],
    ]);
  });

  it('rejects an invalid extra schema when it is registered, and names unknown schemas', () => {
    const validator = new SchemaValidator();
    expect(() => validator.registerSchema({ $id: 'https://threadline.dev/schemas/x.schema.json', type: 'objekt' })).toThrow();
    expect(() => validator.registerSchema({ type: 'object' })).toThrow(/has no \$id/);
    expect(() => validator.validate('no-such-schema', {})).toThrow(/Unknown schema 'no-such-schema'.*threadline-config/);
  });

  it('keeps working when one file of a schema folder is broken, and says which', () => {
    const folder = mkdtempSync(join(tmpdir(), 'threadline-schemas-'));
    try {
      writeFileSync(join(folder, 'good.schema.json'), JSON.stringify({ $id: 'https://example.test/good.schema.json', type: 'integer' }));
      writeFileSync(join(folder, 'broken.schema.json'), '{ not json');
      const validator = new SchemaValidator({ schemaDirectory: folder });
      expect(validator.validate('good', 3)).toEqual([]);
      expect(validator.validate('good.schema.json', 'x')[0].message).toBe("must be an integer (got 'x')");
      expect(() => validator.validate('broken', {})).toThrow(/Schema broken could not be loaded/);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe('trace-carrier.schema.json', () => {
  const good: TraceCarrier[] = [
    { traceparent: `00-${TRACE_ID}-${SPAN_ID}-01` },
    { traceparent: `00-${TRACE_ID}-${SPAN_ID}-00`, tracestate: 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE', baggage: 'userId=alice,serverNode=DF%2028;p=1,isProduction=false' },
    { traceparent: `00-${TRACE_ID}-${SPAN_ID}-03`, tracestate: 'tenant@vendor=x,ot=th:8;rv:abcdef01234567' },
    { traceparent: `00-${TRACE_ID}-${SPAN_ID}-02`, baggage: 'k=v , k2 = v2 ; prop' },
  ];
  it.each(good)('accepts %j', (carrier) => {
    expect(validate('trace-carrier', carrier)).toEqual([]);
  });

  const bad: Array<[string, unknown]> = [
    ['uppercase hex', { traceparent: `00-${TRACE_ID.toUpperCase()}-${SPAN_ID}-01` }],
    ['all-zero trace id', { traceparent: `00-${'0'.repeat(32)}-${SPAN_ID}-01` }],
    ['all-zero parent id', { traceparent: `00-${TRACE_ID}-${'0'.repeat(16)}-01` }],
    ['short trace id', { traceparent: `00-${TRACE_ID.slice(1)}-${SPAN_ID}-01` }],
    ['long parent id', { traceparent: `00-${TRACE_ID}-${SPAN_ID}0-01` }],
    ['version ff', { traceparent: `ff-${TRACE_ID}-${SPAN_ID}-01` }],
    ['data after the flags', { traceparent: `00-${TRACE_ID}-${SPAN_ID}-01-extra` }],
    ['reserved flag bits', { traceparent: `00-${TRACE_ID}-${SPAN_ID}-09` }],
    ['surrounding spaces', { traceparent: ` 00-${TRACE_ID}-${SPAN_ID}-01` }],
    ['no traceparent', { tracestate: 'a=b' }],
    ['unknown field', { traceparent: `00-${TRACE_ID}-${SPAN_ID}-01`, traceParent: 'x' }],
    ['tracestate key in uppercase', { traceparent: `00-${TRACE_ID}-${SPAN_ID}-01`, tracestate: 'Rojo=1' }],
    ['tracestate key starting with @', { traceparent: `00-${TRACE_ID}-${SPAN_ID}-01`, tracestate: '@a=1' }],
    ['tracestate value ending in a space', { traceparent: `00-${TRACE_ID}-${SPAN_ID}-01`, tracestate: 'a=1 ' }],
    ['tracestate with 33 members', { traceparent: `00-${TRACE_ID}-${SPAN_ID}-01`, tracestate: Array.from({ length: 33 }, (_, index) => `k${index}=v`).join(',') }],
    ['empty tracestate', { traceparent: `00-${TRACE_ID}-${SPAN_ID}-01`, tracestate: '' }],
    ['baggage value with a space', { traceparent: `00-${TRACE_ID}-${SPAN_ID}-01`, baggage: 'k=a b' }],
    ['baggage member without =', { traceparent: `00-${TRACE_ID}-${SPAN_ID}-01`, baggage: 'k' }],
    ['baggage with 65 members', { traceparent: `00-${TRACE_ID}-${SPAN_ID}-01`, baggage: Array.from({ length: 65 }, (_, index) => `k${index}=v`).join(',') }],
    ['baggage over 8192 bytes', { traceparent: `00-${TRACE_ID}-${SPAN_ID}-01`, baggage: `k=${'v'.repeat(8191)}` }],
  ];
  it.each(bad)('rejects %s', (_name, carrier) => {
    expect(validate('trace-carrier', carrier).length).toBeGreaterThan(0);
  });

  it('accepts exactly 32 tracestate members and 64 baggage members', () => {
    const tracestate = Array.from({ length: 32 }, (_, index) => `k${index}=v`).join(',');
    const baggage = Array.from({ length: 64 }, (_, index) => `k${index}=v`).join(',');
    expect(validate('trace-carrier', { traceparent: `00-${TRACE_ID}-${SPAN_ID}-01`, tracestate, baggage })).toEqual([]);
  });

  it('explains a bad traceparent in words', () => {
    expect(validate('trace-carrier', { traceparent: `00-${TRACE_ID.toUpperCase()}-${SPAN_ID}-01` })).toEqual([
      {
        path: '/traceparent',
        field: 'traceparent',
        keyword: 'pattern',
        atKey: false,
        message: 'must be 00-<32 lowercase hex trace id>-<16 lowercase hex parent id>-<flags 00 to 03>, ids not all zero',
      },
    ]);
  });
});

describe('span-record.schema.json', () => {
  const record = (): SpanRecord => ({
    v: 1,
    traceId: TRACE_ID,
    spanId: SPAN_ID,
    parentSpanId: 'a3ce929d0e0e4736',
    traceFlags: 1,
    tracestate: 'rojo=00f067aa0ba902b7',
    name: 'POST /orders',
    kind: 'server',
    startTimeUnixNano: '1700000000123456789',
    attributes: { 'http.request.method': 'POST', 'http.response.status_code': 201, ok: true, tags: ['a', 'b'], sizes: [1, 2.5], flags: [true], empty: [] },
    events: [{ name: 'retry', timeUnixNano: '1700000000223456789', attributes: { attempt: 2 } }],
    scope: { name: '@threadline/node-red', version: '0.1.0' },
  });

  it('accepts a full record and a minimal one', () => {
    expect(validate('span-record', record())).toEqual([]);
    const { v, traceId, spanId, traceFlags, name, kind, startTimeUnixNano } = record();
    expect(validate('span-record', { v, traceId, spanId, traceFlags, name, kind, startTimeUnixNano, attributes: {} })).toEqual([]);
  });

  it.each(['internal', 'server', 'client', 'producer', 'consumer'])('accepts kind %s', (kind) => {
    expect(validate('span-record', { ...record(), kind })).toEqual([]);
  });

  const bad: Array<[string, (r: Record<string, unknown>) => void, string]> = [
    ['uppercase trace id', (r) => (r.traceId = TRACE_ID.toUpperCase()), 'traceId'],
    ['all-zero trace id', (r) => (r.traceId = '0'.repeat(32)), 'traceId'],
    ['31-digit trace id', (r) => (r.traceId = TRACE_ID.slice(1)), 'traceId'],
    ['all-zero span id', (r) => (r.spanId = '0'.repeat(16)), 'spanId'],
    ['17-digit span id', (r) => (r.spanId = SPAN_ID + 'a'), 'spanId'],
    ['uppercase parent id', (r) => (r.parentSpanId = 'A3CE929D0E0E4736'), 'parentSpanId'],
    ['kind in uppercase', (r) => (r.kind = 'SERVER'), 'kind'],
    ['unknown kind', (r) => (r.kind = 'span'), 'kind'],
    ['numeric kind', (r) => (r.kind = 2), 'kind'],
    ['version 2', (r) => (r.v = 2), 'v'],
    ['nanos as a number', (r) => (r.startTimeUnixNano = 1700000000), 'startTimeUnixNano'],
    ['nanos with a sign', (r) => (r.startTimeUnixNano = '-1'), 'startTimeUnixNano'],
    ['nanos with leading zero', (r) => (r.startTimeUnixNano = '01'), 'startTimeUnixNano'],
    ['flags above 3', (r) => (r.traceFlags = 4), 'traceFlags'],
    ['fractional flags', (r) => (r.traceFlags = 1.5), 'traceFlags'],
    ['mixed attribute array', (r) => (r.attributes = { a: [1, 'x'] }), 'attributes.a'],
    ['object attribute', (r) => (r.attributes = { a: { b: 1 } }), 'attributes.a'],
    ['null attribute', (r) => (r.attributes = { a: null }), 'attributes.a'],
    ['empty name', (r) => (r.name = ''), 'name'],
    ['unknown field', (r) => (r.parentId = SPAN_ID), 'parentId'],
    ['event without time', (r) => (r.events = [{ name: 'x' }]), 'events[0].timeUnixNano'],
    ['missing attributes', (r) => delete r.attributes, 'attributes'],
  ];
  it.each(bad)('rejects %s, naming the field', (_name, spoil, field) => {
    const data = record() as unknown as Record<string, unknown>;
    spoil(data);
    const issues = validate('span-record', data);
    expect(issues.map((issue) => issue.field)).toContain(field);
  });

  it('says what a bad id and a bad kind should be', () => {
    const issues = validate('span-record', { ...record(), traceId: '0'.repeat(32), kind: 'SERVER' });
    expect(issues.map((issue) => `${issue.field}: ${issue.message}`)).toEqual([
      'traceId: must be 32 lowercase hex digits, not all zero',
      "kind: must be one of 'internal', 'server', 'client', 'producer', 'consumer' (got 'SERVER')",
    ]);
  });
});
