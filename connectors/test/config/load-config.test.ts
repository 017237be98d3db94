import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, NO_TIMEOUT_MILLIS, defaultConfig, loadConfig, parseConfigText, parseText, type ConfigWarning, type ThreadlineConfig } from '../../src/config';

let folder: string;
beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), 'threadline-config-'));
});
afterAll(() => {
  rmSync(folder, { recursive: true, force: true });
});

let fileCount = 0;
function writeConfig(text: string, extension = 'yaml'): string {
  const file = join(folder, `config-${++fileCount}.${extension}`);
  writeFileSync(file, text);
  return file;
}

/** Loads and returns the ConfigError thrown (fails the test when nothing is thrown). */
function loadError(options: Parameters<typeof loadConfig>[0]): ConfigError {
  try {
    loadConfig({ env: {}, ...options });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('loadConfig did not throw');
}

const quiet = { onWarning: (): void => undefined };

describe('loadConfig', () => {
  it('returns the embedded defaults when nothing is configured', () => {
    const config = loadConfig({ env: {} });
    expect(config).toEqual<ThreadlineConfig>({
      service: { name: 'unknown_service:node', attributes: {} },
      exporter: {
        enabled: true,
        protocol: 'http/protobuf',
        tracesEndpoint: 'http://localhost:4318/v1/traces',
        headers: {},
        timeoutMillis: 10000,
        compression: 'none',
        tls: {},
        queue: { maxSize: 2048, maxBatchSize: 512, scheduledDelayMillis: 5000, exportTimeoutMillis: 30000 },
        retry: { maxAttempts: 5, initialBackoffMillis: 1000, maxBackoffMillis: 30000 },
      },
      sampling: { sampler: 'parentbased_always_on', ratio: 1, rules: [], inbound: { maxSampledPerSecond: 100 } },
      propagation: { inbound: ['tracecontext', 'baggage'], outbound: ['tracecontext', 'baggage'] },
      redaction: { urlQuerySensitiveKeys: ['AWSAccessKeyId', 'Signature', 'sig', 'X-Goog-Signature', 'X-Amz-Signature', 'X-Amz-Credential', 'X-Amz-Security-Token'] },
    });
    expect(config).toEqual(defaultConfig());
  });

  describe('precedence: defaults < OTEL_* environment < file < overrides', () => {
    const env = {
      OTEL_SERVICE_NAME: 'from-env',
      OTEL_RESOURCE_ATTRIBUTES: 'team=env-team,region=eu',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://env-collector:4318',
      OTEL_EXPORTER_OTLP_HEADERS: 'x-env=1,x-both=env',
      OTEL_BSP_MAX_QUEUE_SIZE: '999',
      OTEL_TRACES_SAMPLER: 'always_off',
    };
    const fileText = ['service:', '  name: from-file', '  attributes:', '    team: file-team', 'exporter:', '  headers:', '    x-file: "2"', '    x-both: file', '  queue:', '    maxBatchSize: 100', ''].join('\n');

    it('the environment fills what the file leaves out; the file wins where it sets a field', () => {
      const config = loadConfig({ env, file: writeConfig(fileText), ...quiet });
      expect(config.service).toEqual({ name: 'from-file', attributes: { team: 'file-team', region: 'eu' } });
      expect(config.exporter.tracesEndpoint).toBe('http://env-collector:4318/v1/traces');
      expect(config.exporter.headers).toEqual({ 'x-env': '1', 'x-both': 'file', 'x-file': '2' });
      expect(config.exporter.queue).toEqual({ maxSize: 999, maxBatchSize: 100, scheduledDelayMillis: 5000, exportTimeoutMillis: 30000 });
      expect(config.sampling.sampler).toBe('always_off');
    });

    it('overrides win over the file and the environment', () => {
      const config = loadConfig({ env, file: writeConfig(fileText), overrides: { service: { name: 'from-code' }, sampling: { sampler: 'always_on' } }, ...quiet });
      expect(config.service.name).toBe('from-code');
      expect(config.sampling.sampler).toBe('always_on');
      expect(config.exporter.queue.maxBatchSize).toBe(100);
    });

    it('a file can hand a field back to the environment with a reference', () => {
      const file = writeConfig('exporter:\n  tracesEndpoint: ${OTEL_EXPORTER_OTLP_TRACES_ENDPOINT:-http://file-default:4318/v1/traces}\n');
      expect(loadConfig({ env: {}, file }).exporter.tracesEndpoint).toBe('http://file-default:4318/v1/traces');
      expect(loadConfig({ env: { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://env:4318/x' }, file }).exporter.tracesEndpoint).toBe('https://env:4318/x');
    });

    it('OTEL_SDK_DISABLED applies unless the file sets exporter.enabled', () => {
      expect(loadConfig({ env: { OTEL_SDK_DISABLED: 'true' } }).exporter.enabled).toBe(false);
      expect(loadConfig({ env: { OTEL_SDK_DISABLED: 'true' }, file: writeConfig('exporter:\n  enabled: true\n') }).exporter.enabled).toBe(true);
    });

    it('lists replace, and the semantic-convention query keys always stay', () => {
      const config = loadConfig({ env: { OTEL_PROPAGATORS: 'b3' }, file: writeConfig('propagation:\n  outbound: [tracecontext]\nredaction:\n  urlQuerySensitiveKeys: [token, sig]\n') });
      expect(config.propagation).toEqual({ inbound: ['b3'], outbound: ['tracecontext'] });
      expect(config.redaction.urlQuerySensitiveKeys).toEqual(['AWSAccessKeyId', 'Signature', 'sig', 'X-Goog-Signature', 'X-Amz-Signature', 'X-Amz-Credential', 'X-Amz-Security-Token', 'token']);
    });
  });

  it('fills rule defaults, lowercases header names and turns a 0 timeout into no limit', () => {
    const config = loadConfig({
      env: { OTEL_BSP_EXPORT_TIMEOUT: '0' },
      overrides: { exporter: { headers: { 'X-Api-Key': 'k' }, timeoutMillis: 0 }, sampling: { ratio: 0.3, rules: [{ match: { route: '/hook/*' } }, { match: {}, ratio: 1 }] } },
    });
    expect(config.sampling.rules).toEqual([
      { match: { route: '/hook/*' }, ratio: 0.3 },
      { match: {}, ratio: 1 },
    ]);
    expect(config.exporter.headers).toEqual({ 'x-api-key': 'k' });
    expect(config.exporter.timeoutMillis).toBe(NO_TIMEOUT_MILLIS);
    expect(config.exporter.queue.exportTimeoutMillis).toBe(NO_TIMEOUT_MILLIS);
  });

  describe('environment problems', () => {
    it('passes warnings to onWarning and keeps going', () => {
      const warnings: ConfigWarning[] = [];
      const config = loadConfig({ env: { OTEL_BSP_MAX_QUEUE_SIZE: 'lots', OTEL_PROPAGATORS: 'tracecontext,xray' }, onWarning: (warning) => warnings.push(warning) });
      expect(config.exporter.queue.maxSize).toBe(2048);
      expect(warnings).toEqual([
        { source: 'environment', variable: 'OTEL_BSP_MAX_QUEUE_SIZE', message: 'OTEL_BSP_MAX_QUEUE_SIZE: "lots" is not an integer from 1 to 2147483647; ignored' },
        { source: 'environment', variable: 'OTEL_PROPAGATORS', message: "OTEL_PROPAGATORS: 'xray' is not supported by Threadline; skipped" },
      ]);
    });

    it('emits warnings as process warnings by default', () => {
      const emit = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
      try {
        loadConfig({ env: { OTEL_SDK_DISABLED: 'maybe' } });
        expect(emit).toHaveBeenCalledWith(expect.stringContaining('OTEL_SDK_DISABLED: "maybe" is neither true nor false'), { type: 'ThreadlineConfigWarning', code: 'THREADLINE_CONFIG' });
      } finally {
        emit.mockRestore();
      }
    });

    it('throws for grpc and a bad endpoint, naming the variables', () => {
      const error = loadError({ env: { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4317' } });
      expect(error.issues.map((issue) => [issue.variable, issue.field])).toEqual([
        ['OTEL_EXPORTER_OTLP_ENDPOINT', 'exporter.tracesEndpoint'],
        ['OTEL_EXPORTER_OTLP_PROTOCOL', 'exporter.protocol'],
      ]);
      expect(error.message).toContain('OTEL_EXPORTER_OTLP_PROTOCOL (environment) exporter.protocol: OTLP over gRPC is not supported');
    });

    it('does not throw for them when the file sets those fields', () => {
      const file = writeConfig('exporter:\n  protocol: http/json\n  tracesEndpoint: http://c:4318/v1/traces\n');
      const config = loadConfig({ env: { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4317' }, file });
      expect(config.exporter).toMatchObject({ protocol: 'http/json', tracesEndpoint: 'http://c:4318/v1/traces' });
    });

    it('clamps a batch size from the environment to the queue size, with a warning', () => {
      const warnings: ConfigWarning[] = [];
      const config = loadConfig({ env: { OTEL_BSP_MAX_QUEUE_SIZE: '100', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '200' }, onWarning: (warning) => warnings.push(warning) });
      expect(config.exporter.queue).toMatchObject({ maxSize: 100, maxBatchSize: 100 });
      expect(warnings).toEqual([{ source: 'environment', variable: 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE', message: 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE: 200 exceeds the queue size; 100 is used' }]);
      expect(loadConfig({ env: { OTEL_BSP_MAX_QUEUE_SIZE: '100' } }).exporter.queue.maxBatchSize).toBe(100);
    });
  });

  describe('file problems', () => {
    it('reports YAML syntax errors with line and column', () => {
      const file = writeConfig('service:\n  name: a\nexporter:\n\tenabled: true\n');
      const error = loadError({ file });
      expect(error.issues).toEqual([{ source: file, path: '', field: '', line: 4, column: 1, message: 'YAML syntax: Tabs are not allowed as indentation' }]);
      expect(error.message).toContain(`${file}:4:1: YAML syntax: Tabs are not allowed as indentation`);
      const unclosed = loadError({ file: writeConfig('service:\n  name: a\npropagation:\n  inbound: [b3, jaeger\n') });
      expect(unclosed.issues[0]).toMatchObject({ line: 5, message: expect.stringMatching(/^YAML syntax: Flow sequence .* end with a \]/) });
    });

    it('reports duplicate keys', () => {
      const error = loadError({ file: writeConfig('service:\n  name: a\n  name: b\n') });
      expect(error.issues).toEqual([expect.objectContaining({ line: 3, message: expect.stringMatching(/YAML syntax: .*unique/i) })]);
    });

    it('lists every unknown field and bad value with path, line and column, in file order', () => {
      const file = writeConfig(
        [
          'service:', // 1
          '  name: shop', // 2
          '  atributes: {}', // 3
          'exporter:', // 4
          '  queue:', // 5
          '    maxSize: 0', // 6
          '    max_batch_size: 10', // 7
          '  fooBar: 1', // 8
          'sampling:', // 9
          '  rules:', // 10
          '    - match: { route: /x }', // 11
          '      ratio: 1.5', // 12
          '',
        ].join('\n'),
      );
      const error = loadError({ file });
      expect(error.issues.map((issue) => `${issue.line}:${issue.column} ${issue.path} ${issue.message}`)).toEqual([
        "3:3 /service/atributes unknown field 'atributes' (did you mean 'attributes'?)",
        '6:14 /exporter/queue/maxSize must be an integer ≥ 1 (got 0)',
        "7:5 /exporter/queue/max_batch_size unknown field 'max_batch_size' (did you mean 'maxBatchSize'?)",
        "8:3 /exporter/fooBar unknown field 'fooBar'",
        '12:14 /sampling/rules/0/ratio must be a number from 0 to 1 (got 1.5)',
      ]);
      expect(error.message.split('\n')[0]).toBe(`Invalid Threadline configuration in ${file}, 5 problems:`);
      expect(error.message).toContain(`  - ${file}:6:14 exporter.queue.maxSize: must be an integer ≥ 1 (got 0)`);
    });

    it('reports file, override and environment problems together', () => {
      const file = writeConfig('service:\n  name: ""\n');
      const error = loadError({ file, overrides: { sampling: { ratio: 2 } }, env: { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' } });
      expect(error.issues.map((issue) => `${issue.source} ${issue.field}`)).toEqual([`${file} service.name`, 'overrides sampling.ratio', 'environment exporter.protocol']);
    });

    it('rejects a client certificate without its key, also across sources', () => {
      expect(loadError({ file: writeConfig('exporter:\n  tls:\n    certFile: c.pem\n') }).issues).toEqual([
        expect.objectContaining({ field: 'exporter.tls.certFile', line: 3, message: "needs 'keyFile' to be set as well" }),
      ]);
      const error = loadError({ env: { OTEL_EXPORTER_OTLP_CLIENT_KEY: '/k.pem' } });
      expect(error.issues).toEqual([expect.objectContaining({ source: 'environment', variable: 'OTEL_EXPORTER_OTLP_CLIENT_KEY', field: 'exporter.tls.keyFile' })]);
      expect(loadConfig({ env: { OTEL_EXPORTER_OTLP_CLIENT_KEY: '/k.pem' }, file: writeConfig('exporter:\n  tls:\n    certFile: c.pem\n    keyFile: k.pem\n') }).exporter.tls).toEqual({
        certFile: 'c.pem',
        keyFile: 'k.pem',
      });
    });

    it('rejects a batch larger than the queue, and back-off bounds the wrong way round, when the file sets them', () => {
      const file = writeConfig('exporter:\n  queue:\n    maxSize: 10\n    maxBatchSize: 20\n  retry:\n    initialBackoffMillis: 5000\n    maxBackoffMillis: 100\n');
      expect(loadError({ file }).issues.map((issue) => `${issue.line}:${issue.column} ${issue.field}: ${issue.message}`)).toEqual([
        '4:19 exporter.queue.maxBatchSize: must not exceed exporter.queue.maxSize (10), got 20',
        '6:27 exporter.retry.initialBackoffMillis: initialBackoffMillis (5000) must not exceed maxBackoffMillis (100)',
      ]);
    });

    it('takes a file another loader read as the file layer, with its lines', () => {
      const text = 'listen: 8080\nexporter:\n  queue:\n    maxSize: 10\n    maxBatchSize: 20\n';
      const { parsed } = parseText(text, 'other.yaml');
      const input = { exporter: { queue: { maxSize: 10, maxBatchSize: 20 } } };
      expect(loadError({ fileLayer: { source: 'other.yaml', input, parsed } }).issues.map((issue) => `${issue.source}:${issue.line} ${issue.field}`)).toEqual(['other.yaml:5 exporter.queue.maxBatchSize']);
      const config = loadConfig({ env: { OTEL_SERVICE_NAME: 'env' }, fileLayer: { source: 'other.yaml', input: { exporter: { queue: { maxSize: 10 } } } }, ...quiet });
      expect([config.service.name, config.exporter.queue.maxSize, config.exporter.queue.maxBatchSize]).toEqual(['env', 10, 10]);
    });

    it('rejects an endpoint that only looked like a reference', () => {
      const error = loadError({ file: writeConfig('exporter:\n  tracesEndpoint: $${NOT_A_URL}\n') });
      expect(error.issues).toEqual([expect.objectContaining({ field: 'exporter.tracesEndpoint', line: 2, message: 'must be an http:// or https:// URL with a host' })]);
    });

    it('names a missing file', () => {
      const missing = join(folder, 'nope.yaml');
      const error = loadError({ file: missing });
      expect(error.message).toBe(`Invalid Threadline configuration in ${missing}, 1 problem:\n  - ${missing}: file not found`);
    });

    it('accepts an empty file or one with only comments', () => {
      expect(loadConfig({ env: {}, file: writeConfig('') })).toEqual(defaultConfig());
      expect(loadConfig({ env: {}, file: writeConfig('# nothing yet\n') })).toEqual(defaultConfig());
    });

    it('reads JSON files, with positions too', () => {
      const file = writeConfig('{\n  "service": { "name": "json-svc" },\n  "exporter": { "timeoutMillis": "${T}" }\n}\n', 'json');
      const error = loadError({ file, env: { T: '5' } });
      expect(error.issues).toEqual([expect.objectContaining({ field: 'exporter.timeoutMillis', line: 3, column: 34, message: "must be an integer ≥ 0 (got '5')" })]);
      const good = writeConfig('{\n\t"service": {"name": "json-svc"},\n\t"exporter": {"queue": {"maxSize": 10, "maxBatchSize": 5}}\n}', 'json');
      expect(loadConfig({ env: {}, file: good }).exporter.queue).toMatchObject({ maxSize: 10, maxBatchSize: 5 });
    });

    it('rejects plain words that are not JSON in a .json file', () => {
      const error = loadError({ file: writeConfig('{"service": {"name": shop}}', 'json') });
      expect(error.issues[0].message).toMatch(/^JSON syntax: /);
    });

    it('sniffs the format of a file without a known extension', () => {
      expect(loadConfig({ env: {}, file: writeConfig('{"service": {"name": "sniffed-json"}}', 'conf') }).service.name).toBe('sniffed-json');
      expect(loadConfig({ env: {}, file: writeConfig('service:\n  name: sniffed-yaml\n', 'conf') }).service.name).toBe('sniffed-yaml');
    });
  });
});

describe('parseConfigText', () => {
  it('returns only what the text sets, substituted and validated', () => {
    expect(parseConfigText('service:\n  name: ${NAME:-x}\nexporter:\n  timeoutMillis: ${T}\n', 'inline.yaml', { env: { T: '250' } })).toEqual({ service: { name: 'x' }, exporter: { timeoutMillis: 250 } });
    expect(parseConfigText('', 'empty.yaml')).toEqual({});
  });

  it('throws ConfigError naming the source', () => {
    expect(() => parseConfigText('sampling:\n  sampler: sometimes\n', 'node-red config')).toThrow(
      "node-red config:2:12 sampling.sampler: must be one of 'always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio' (got 'sometimes')",
    );
  });
});
