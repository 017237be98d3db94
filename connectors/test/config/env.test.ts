import { parseKeyValueList, readOtelEnvironment } from '../../src/config';

const read = (env: Record<string, string>) => readOtelEnvironment(env);
const warningsOf = (env: Record<string, string>): string[] => read(env).warnings.map((warning) => warning.message);

describe('readOtelEnvironment', () => {
  it('sets nothing from an empty environment, and treats empty values as unset', () => {
    expect(read({})).toEqual({ input: {}, variables: {}, warnings: [], errors: [] });
    expect(read({ OTEL_SERVICE_NAME: '', OTEL_BSP_MAX_QUEUE_SIZE: '  ', OTEL_PROPAGATORS: '' })).toEqual({ input: {}, variables: {}, warnings: [], errors: [] });
  });

  describe('OTEL_SDK_DISABLED', () => {
    it.each(['true', 'TRUE', 'True'])('%s disables export', (value) => {
      expect(read({ OTEL_SDK_DISABLED: value }).input).toEqual({ exporter: { enabled: false } });
    });
    it('false changes nothing', () => {
      expect(read({ OTEL_SDK_DISABLED: 'false' })).toEqual({ input: {}, variables: {}, warnings: [], errors: [] });
    });
    it.each(['1', 'yes', 'on'])('%s is not true: warning, export stays enabled', (value) => {
      const result = read({ OTEL_SDK_DISABLED: value });
      expect(result.input).toEqual({});
      expect(result.warnings).toEqual([{ variable: 'OTEL_SDK_DISABLED', message: `OTEL_SDK_DISABLED: "${value}" is neither true nor false; treated as false (export stays enabled)` }]);
    });
  });

  describe('OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES', () => {
    it('reads the service name', () => {
      const result = read({ OTEL_SERVICE_NAME: 'checkout' });
      expect(result.input).toEqual({ service: { name: 'checkout' } });
      expect(result.variables).toEqual({ '/service/name': 'OTEL_SERVICE_NAME' });
    });

    it('splits, trims and percent-decodes attributes, mapping the service.* keys to their fields', () => {
      const result = read({
        OTEL_RESOURCE_ATTRIBUTES: ' service.name=from-attrs , service.version=1.2, service.namespace=shop,deployment.environment.name=prod,team=a%2Cb%3Dc,note=caf%C3%A9 ok,,',
      });
      expect(result.input).toEqual({
        service: { name: 'from-attrs', version: '1.2', namespace: 'shop', environment: 'prod', attributes: { team: 'a,b=c', note: 'café ok' } },
      });
      expect(result.warnings).toEqual([]);
      expect(result.variables['/service/attributes/team']).toBe('OTEL_RESOURCE_ATTRIBUTES');
    });

    it('lets OTEL_SERVICE_NAME win over service.name in OTEL_RESOURCE_ATTRIBUTES', () => {
      expect(read({ OTEL_RESOURCE_ATTRIBUTES: 'service.name=a,k=v', OTEL_SERVICE_NAME: 'b' }).input).toEqual({ service: { name: 'b', attributes: { k: 'v' } } });
    });

    it.each([
      ['a=1,broken', 'member 2 has no \'=\' (expected key=value)'],
      ['a=1,=2', 'member 2 has an empty key'],
      ['a=%zz', "member 1 has an invalid percent-encoding (write '%' as %25)"],
      ['a=%C3%28', "member 1 has an invalid percent-encoding (write '%' as %25)"],
    ])('discards the whole value %j when one member is bad', (value, reason) => {
      const result = read({ OTEL_RESOURCE_ATTRIBUTES: value, OTEL_SERVICE_NAME: 'svc' });
      expect(result.input).toEqual({ service: { name: 'svc' } });
      expect(result.warnings).toEqual([{ variable: 'OTEL_RESOURCE_ATTRIBUTES', message: `OTEL_RESOURCE_ATTRIBUTES: ignored as a whole: ${reason}` }]);
    });
  });

  describe('OTLP endpoint', () => {
    it.each([
      ['http://collector:4318', 'http://collector:4318/v1/traces'],
      ['http://collector:4318/', 'http://collector:4318/v1/traces'],
      ['https://collector.example.com/otel', 'https://collector.example.com/otel/v1/traces'],
      ['http://collector:4318/mycollector/', 'http://collector:4318/mycollector/v1/traces'],
      ['HTTP://Collector:4318', 'http://collector:4318/v1/traces'],
    ])('OTEL_EXPORTER_OTLP_ENDPOINT %s is a base URL → %s', (value, expected) => {
      const result = read({ OTEL_EXPORTER_OTLP_ENDPOINT: value });
      expect(result.input).toEqual({ exporter: { tracesEndpoint: expected } });
      expect(result.variables).toEqual({ '/exporter/tracesEndpoint': 'OTEL_EXPORTER_OTLP_ENDPOINT' });
    });

    it.each([
      ['http://collector:4318', 'http://collector:4318/'],
      ['http://collector:4318/custom/path', 'http://collector:4318/custom/path'],
      ['https://collector.example.com/v1/traces/', 'https://collector.example.com/v1/traces/'],
      ['http://collector:4318?tenant=a', 'http://collector:4318/?tenant=a'],
    ])('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT %s is used as is → %s', (value, expected) => {
      expect(read({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: value, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://other:4318' }).input).toEqual({ exporter: { tracesEndpoint: expected } });
    });

    it.each([
      ['OTEL_EXPORTER_OTLP_ENDPOINT', 'collector:4318'],
      ['OTEL_EXPORTER_OTLP_ENDPOINT', 'not a url'],
      ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'ftp://collector/traces'],
      ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'http://'],
    ])('%s=%s is an error, not a silent fallback to localhost', (variable, value) => {
      const result = read({ [variable]: value });
      expect(result.input).toEqual({});
      expect(result.errors).toEqual([{ variable, path: '/exporter/tracesEndpoint', message: expect.stringContaining('is not an http:// or https:// URL with a host') }]);
    });

    it('hides user info of a bad endpoint in the message', () => {
      const [error] = read({ OTEL_EXPORTER_OTLP_ENDPOINT: 'grpc://user:s3cret@collector' }).errors;
      expect(error.message).not.toContain('s3cret');
    });
  });

  describe('OTLP protocol', () => {
    it.each(['http/protobuf', 'http/json', 'HTTP/JSON'])('accepts %s', (value) => {
      expect(read({ OTEL_EXPORTER_OTLP_PROTOCOL: value }).input).toEqual({ exporter: { protocol: value.toLowerCase() } });
    });
    it('prefers the TRACES variable', () => {
      expect(read({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json' }).input).toEqual({ exporter: { protocol: 'http/json' } });
    });
    it.each(['OTEL_EXPORTER_OTLP_PROTOCOL', 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL'])('%s=grpc is a clear error', (variable) => {
      const result = read({ [variable]: 'grpc' });
      expect(result.errors).toEqual([{ variable, path: '/exporter/protocol', message: expect.stringMatching(/gRPC is not supported; use http\/protobuf/) }]);
      expect(result.input).toEqual({});
    });
    it('warns about an unknown protocol and falls back to the generic variable', () => {
      const result = read({ OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/xml', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' });
      expect(result.input).toEqual({ exporter: { protocol: 'http/json' } });
      expect(result.warnings.map((warning) => warning.message)).toEqual(['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "http/xml" is not an OTLP protocol; ignored (use http/protobuf or http/json)']);
    });
  });

  describe('OTLP headers', () => {
    it('parses a percent-encoded key=value list', () => {
      expect(read({ OTEL_EXPORTER_OTLP_HEADERS: 'api-key=abc%3D%3D, Authorization=Basic%20dXNlcjpwYXNz' }).input).toEqual({
        exporter: { headers: { 'api-key': 'abc==', Authorization: 'Basic dXNlcjpwYXNz' } },
      });
    });
    it('takes the TRACES variable instead of the generic one', () => {
      expect(read({ OTEL_EXPORTER_OTLP_HEADERS: 'a=1', OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'b=2' }).input).toEqual({ exporter: { headers: { b: '2' } } });
    });
    it.each([
      ['bad name=x', 'member 1 has a name that is not a valid HTTP header name'],
      ['a=ok,b=line%0Abreak', "the value of header 'b' contains line breaks or control characters"],
      ['token', "member 1 has no '=' (expected key=value)"],
    ])('discards %j with a warning that never shows values', (value, reason) => {
      const result = read({ OTEL_EXPORTER_OTLP_HEADERS: value });
      expect(result.input).toEqual({});
      expect(result.warnings).toEqual([{ variable: 'OTEL_EXPORTER_OTLP_HEADERS', message: `OTEL_EXPORTER_OTLP_HEADERS: ignored as a whole: ${reason}` }]);
    });
  });

  describe('timeouts and batch queue', () => {
    it('reads every numeric variable', () => {
      const result = read({
        OTEL_EXPORTER_OTLP_TIMEOUT: '2500',
        OTEL_BSP_MAX_QUEUE_SIZE: '4096',
        OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '256',
        OTEL_BSP_SCHEDULE_DELAY: '0',
        OTEL_BSP_EXPORT_TIMEOUT: '0',
      });
      expect(result.input).toEqual({ exporter: { timeoutMillis: 2500, queue: { maxSize: 4096, maxBatchSize: 256, scheduledDelayMillis: 0, exportTimeoutMillis: 0 } } });
      expect(result.warnings).toEqual([]);
    });
    it('prefers OTEL_EXPORTER_OTLP_TRACES_TIMEOUT, and falls back when it is invalid', () => {
      expect(read({ OTEL_EXPORTER_OTLP_TIMEOUT: '1000', OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: '2000' }).input).toEqual({ exporter: { timeoutMillis: 2000 } });
      expect(read({ OTEL_EXPORTER_OTLP_TIMEOUT: '1000', OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: '-5' }).input).toEqual({ exporter: { timeoutMillis: 1000 } });
    });
    it.each([
      ['OTEL_BSP_MAX_QUEUE_SIZE', '0', 'from 1 to 2147483647'],
      ['OTEL_BSP_MAX_QUEUE_SIZE', '-10', 'from 1 to 2147483647'],
      ['OTEL_BSP_MAX_EXPORT_BATCH_SIZE', '12.5', 'from 1 to 2147483647'],
      ['OTEL_BSP_MAX_EXPORT_BATCH_SIZE', '1e3', 'from 1 to 2147483647'],
      ['OTEL_BSP_SCHEDULE_DELAY', 'soon', 'from 0 to 2147483647'],
      ['OTEL_BSP_SCHEDULE_DELAY', '-1', 'from 0 to 2147483647'],
      ['OTEL_BSP_EXPORT_TIMEOUT', '2147483648', 'from 0 to 2147483647 (0 means no limit)'],
      ['OTEL_EXPORTER_OTLP_TIMEOUT', '10s', 'from 0 to 2147483647 (0 means no limit)'],
      ['OTEL_EXPORTER_OTLP_TRACES_TIMEOUT', '-1', 'from 0 to 2147483647 (0 means no limit)'],
    ])('%s=%s is ignored with a warning', (variable, value, range) => {
      const result = read({ [variable]: value });
      expect(result.input).toEqual({});
      expect(result.warnings).toEqual([{ variable, message: `${variable}: "${value}" is not an integer ${range}; ignored` }]);
    });
  });

  describe('compression and TLS files', () => {
    it('reads compression, preferring the TRACES variable', () => {
      expect(read({ OTEL_EXPORTER_OTLP_COMPRESSION: 'GZIP' }).input).toEqual({ exporter: { compression: 'gzip' } });
      expect(read({ OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip', OTEL_EXPORTER_OTLP_TRACES_COMPRESSION: 'none' }).input).toEqual({ exporter: { compression: 'none' } });
    });
    it('warns about an unsupported compression', () => {
      expect(warningsOf({ OTEL_EXPORTER_OTLP_COMPRESSION: 'zstd' })).toEqual(['OTEL_EXPORTER_OTLP_COMPRESSION: "zstd" is not a supported compression; ignored (use gzip or none)']);
    });
    it('reads the certificate, client certificate and client key, the TRACES variables first', () => {
      const result = read({
        OTEL_EXPORTER_OTLP_CERTIFICATE: '/etc/ca.pem',
        OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE: '/etc/traces-ca.pem',
        OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE: '/etc/client.pem',
        OTEL_EXPORTER_OTLP_TRACES_CLIENT_KEY: '/etc/client.key',
      });
      expect(result.input).toEqual({ exporter: { tls: { caFile: '/etc/traces-ca.pem', certFile: '/etc/client.pem', keyFile: '/etc/client.key' } } });
      expect(result.variables).toEqual({
        '/exporter/tls/caFile': 'OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE',
        '/exporter/tls/certFile': 'OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE',
        '/exporter/tls/keyFile': 'OTEL_EXPORTER_OTLP_TRACES_CLIENT_KEY',
      });
    });
  });

  describe('OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG', () => {
    it.each(['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'])('accepts %s', (sampler) => {
      expect(read({ OTEL_TRACES_SAMPLER: sampler.toUpperCase() }).input).toEqual({ sampling: { sampler } });
    });
    it.each(['traceidratio', 'parentbased_traceidratio'])('reads the ratio for %s', (sampler) => {
      expect(read({ OTEL_TRACES_SAMPLER: sampler, OTEL_TRACES_SAMPLER_ARG: '0.25' }).input).toEqual({ sampling: { sampler, ratio: 0.25 } });
      expect(read({ OTEL_TRACES_SAMPLER: sampler, OTEL_TRACES_SAMPLER_ARG: '1' }).input).toEqual({ sampling: { sampler, ratio: 1 } });
      expect(read({ OTEL_TRACES_SAMPLER: sampler, OTEL_TRACES_SAMPLER_ARG: '.5' }).input).toEqual({ sampling: { sampler, ratio: 0.5 } });
    });
    it.each(['1.5', '-0.1', 'half', 'NaN', '0x1'])('ignores the ratio %s with a warning', (value) => {
      const result = read({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: value });
      expect(result.input).toEqual({ sampling: { sampler: 'traceidratio' } });
      expect(result.warnings.map((warning) => warning.message)).toEqual([`OTEL_TRACES_SAMPLER_ARG: "${value}" is not a probability from 0 to 1; ignored`]);
    });
    it('ignores the argument without a sampler, or for a sampler that takes none', () => {
      expect(read({ OTEL_TRACES_SAMPLER_ARG: '0.5' })).toMatchObject({ input: {}, warnings: [{ message: 'OTEL_TRACES_SAMPLER_ARG: ignored: it only applies together with a valid OTEL_TRACES_SAMPLER' }] });
      expect(read({ OTEL_TRACES_SAMPLER: 'always_on', OTEL_TRACES_SAMPLER_ARG: '0.5' })).toMatchObject({
        input: { sampling: { sampler: 'always_on' } },
        warnings: [{ message: 'OTEL_TRACES_SAMPLER_ARG: ignored: the always_on sampler takes no argument' }],
      });
    });
    it.each([
      ['jaeger_remote', 'OTEL_TRACES_SAMPLER: "jaeger_remote" is not supported by Threadline; ignored'],
      ['xray', 'OTEL_TRACES_SAMPLER: "xray" is not supported by Threadline; ignored'],
      ['sometimes', expect.stringContaining('OTEL_TRACES_SAMPLER: "sometimes" is not a known sampler; ignored (use one of always_on,')],
    ])('warns about %s and ignores it (and its argument)', (sampler, message) => {
      const result = read({ OTEL_TRACES_SAMPLER: sampler, OTEL_TRACES_SAMPLER_ARG: '0.1' });
      expect(result.input).toEqual({});
      expect(result.warnings.map((warning) => warning.message)).toEqual([message, 'OTEL_TRACES_SAMPLER_ARG: ignored: it only applies together with a valid OTEL_TRACES_SAMPLER']);
    });
  });

  describe('OTEL_PROPAGATORS', () => {
    it('sets both directions, deduplicated, in order', () => {
      expect(read({ OTEL_PROPAGATORS: 'b3multi, tracecontext,B3,baggage,tracecontext,jaeger' }).input).toEqual({
        propagation: { inbound: ['b3multi', 'tracecontext', 'b3', 'baggage', 'jaeger'], outbound: ['b3multi', 'tracecontext', 'b3', 'baggage', 'jaeger'] },
      });
    });
    it('none turns propagation off', () => {
      expect(read({ OTEL_PROPAGATORS: 'none' })).toEqual({
        input: { propagation: { inbound: [], outbound: [] } },
        variables: { '/propagation/inbound': 'OTEL_PROPAGATORS', '/propagation/outbound': 'OTEL_PROPAGATORS' },
        warnings: [],
        errors: [],
      });
      expect(warningsOf({ OTEL_PROPAGATORS: 'none,b3' })).toEqual(["OTEL_PROPAGATORS: 'none' is listed with other names; none of them is used"]);
    });
    it('skips unknown and unsupported names with a warning, not a crash', () => {
      const result = read({ OTEL_PROPAGATORS: 'tracecontext,xray,w3c,ottrace' });
      expect(result.input).toEqual({ propagation: { inbound: ['tracecontext'], outbound: ['tracecontext'] } });
      expect(result.warnings.map((warning) => warning.message)).toEqual([
        "OTEL_PROPAGATORS: 'xray' is not supported by Threadline; skipped",
        "OTEL_PROPAGATORS: 'w3c' is not a known propagator; skipped (use tracecontext, baggage, b3, b3multi, jaeger or none)",
        "OTEL_PROPAGATORS: 'ottrace' is not supported by Threadline; skipped",
      ]);
    });
    it('is treated as unset when no name is usable', () => {
      expect(read({ OTEL_PROPAGATORS: 'xray' }).input).toEqual({});
    });
  });
});

describe('parseKeyValueList', () => {
  it('keeps values that contain = and skips empty members', () => {
    expect(parseKeyValueList('a=b=c, ,d=')).toEqual([
      ['a', 'b=c'],
      ['d', ''],
    ]);
  });
});
