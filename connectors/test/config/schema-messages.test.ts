import { SchemaValidator, validate } from '../../src/config';
import { closestName } from '../../src/config/schema-messages';
import { dottedPath, pointerFrom, pointerSegments } from '../../src/config/json-pointer';

const issuesOf = (data: unknown): string[] => validate('threadline-config', data).map((issue) => `${issue.path} | ${issue.field} | ${issue.message}`);

describe('validation messages', () => {
  it('names unknown fields with a pointer, a dotted path and a suggestion', () => {
    expect(issuesOf({ exporter: { queue: { max_size: 10 } }, sampling: { Sampler: 'always_on' }, servce: {} })).toEqual([
      "/servce | servce | unknown field 'servce' (did you mean 'service'?)",
      "/exporter/queue/max_size | exporter.queue.max_size | unknown field 'max_size' (did you mean 'maxSize'?)",
      "/sampling/Sampler | sampling.Sampler | unknown field 'Sampler' (did you mean 'sampler'?)",
    ]);
  });

  it('suggests nothing when no allowed name is close', () => {
    expect(issuesOf({ exporter: { colour: 'blue' } })).toEqual(["/exporter/colour | exporter.colour | unknown field 'colour'"]);
  });

  it('states ranges and types in words, with the value received', () => {
    expect(issuesOf({ exporter: { queue: { maxSize: 0, maxBatchSize: 1.5, scheduledDelayMillis: -1 }, timeoutMillis: 'ten', enabled: 'yes' }, sampling: { ratio: 1.5 } })).toEqual([
      "/exporter/enabled | exporter.enabled | must be true or false (got 'yes')",
      "/exporter/timeoutMillis | exporter.timeoutMillis | must be an integer ≥ 0 (got 'ten')",
      '/exporter/queue/maxSize | exporter.queue.maxSize | must be an integer ≥ 1 (got 0)',
      '/exporter/queue/maxBatchSize | exporter.queue.maxBatchSize | must be an integer ≥ 1 (got 1.5)',
      '/exporter/queue/scheduledDelayMillis | exporter.queue.scheduledDelayMillis | must be an integer ≥ 0 (got -1)',
      '/sampling/ratio | sampling.ratio | must be a number from 0 to 1 (got 1.5)',
    ]);
    expect(issuesOf({ exporter: { queue: { maxSize: 2147483648 } } })).toEqual(['/exporter/queue/maxSize | exporter.queue.maxSize | must be an integer from 1 to 2147483647 (got 2147483648)']);
  });

  it('lists allowed values, and explains that gRPC is not supported', () => {
    expect(issuesOf({ exporter: { compression: 'zstd', protocol: 'grpc' } })).toEqual([
      "/exporter/protocol | exporter.protocol | must be 'http/protobuf' or 'http/json' (OTLP over gRPC is not supported) (got 'grpc')",
      "/exporter/compression | exporter.compression | must be one of 'none', 'gzip' (got 'zstd')",
    ]);
  });

  it('uses list indexes and quotes odd names in the dotted path', () => {
    expect(issuesOf({ sampling: { rules: [{ match: {} }, { match: { attributes: { 'http.route': 5 } } }] } })).toEqual([
      '/sampling/rules/1/match/attributes/http.route | sampling.rules[1].match.attributes["http.route"] | must be a string (got 5)',
    ]);
  });

  it('reports missing required fields and field pairs', () => {
    expect(issuesOf({ sampling: { rules: [{ ratio: 0.5 }] }, exporter: { tls: { keyFile: 'k.pem' } } })).toEqual([
      "/exporter/tls/keyFile | exporter.tls.keyFile | needs 'certFile' to be set as well",
      "/sampling/rules/0/match | sampling.rules[0].match | missing required field 'match'",
    ]);
  });

  it('reports bad field names inside open mappings', () => {
    expect(issuesOf({ service: { attributes: { 'service.name': 'x', '': 'y' } }, exporter: { headers: { 'bad header': 'v', ok: 'line\nbreak' } } })).toEqual([
      "/service/attributes/service.name | service.attributes[\"service.name\"] | field name 'service.name' is not allowed: must be a non-empty attribute key other than service.name, service.version, service.namespace or deployment.environment.name (those have their own fields under service)",
      '/service/attributes/ | service.attributes[""] | an empty field name is not allowed: must be a non-empty attribute key other than service.name, service.version, service.namespace or deployment.environment.name (those have their own fields under service)',
      "/exporter/headers/bad header | exporter.headers[\"bad header\"] | field name 'bad header' is not allowed: must be a valid HTTP header name (letters, digits and !#$%&'*+.^_`|~-)",
      '/exporter/headers/ok | exporter.headers.ok | must not contain line breaks or control characters',
    ]);
  });

  it('folds the branches of an anyOf into one message', () => {
    expect(issuesOf({ exporter: { tracesEndpoint: 'ftp://collector/traces' } })).toEqual([
      '/exporter/tracesEndpoint | exporter.tracesEndpoint | must be an http:// or https:// URL such as http://collector:4318/v1/traces',
    ]);
    const validator = new SchemaValidator({ schemaDirectory: null });
    validator.registerSchema({ $id: 'https://example.test/either.schema.json', anyOf: [{ type: 'integer', minimum: 1 }, { type: 'string', minLength: 2 }] });
    expect(validator.validate('either', 'x').map((issue) => issue.message)).toEqual(['must be an integer ≥ 1, or must be at least 2 characters long']);
  });

  it('reports a repeated list item and the whole document', () => {
    expect(issuesOf({ propagation: { outbound: ['b3', 'tracecontext', 'b3'] } })).toEqual([
      "/propagation/outbound | propagation.outbound | lists 'b3' twice (items 0 and 2); each item may appear only once",
    ]);
    expect(issuesOf(['not', 'an', 'object'])).toEqual([' | (document) | must be a mapping of fields (got a list)']);
  });

  it('never echoes a string that fails a pattern (it may be a secret)', () => {
    const [issue] = validate('threadline-config', { exporter: { headers: { authorization: 'Bearer s3cret\r\n' } } });
    expect(issue.message).not.toContain('s3cret');
  });
});

describe('closestName', () => {
  it.each([
    ['max_batch_size', 'maxBatchSize'],
    ['MAXSIZE', 'maxSize'],
    ['tracesEndpont', 'tracesEndpoint'],
    ['timeout', undefined],
    ['x', undefined],
  ])('%s → %s', (name, expected) => {
    expect(closestName(name, ['maxSize', 'maxBatchSize', 'tracesEndpoint', 'timeoutMillis'])).toBe(expected);
  });
});

describe('JSON pointers', () => {
  it('round-trips names with / and ~', () => {
    const pointer = pointerFrom(['a/b', 'c~d', 0]);
    expect(pointer).toBe('/a~1b/c~0d/0');
    expect(pointerSegments(pointer)).toEqual(['a/b', 'c~d', '0']);
    expect(dottedPath(pointer, { 'a/b': { 'c~d': [1] } })).toBe('["a/b"]["c~d"][0]');
    expect(dottedPath('')).toBe('(document)');
  });
});
