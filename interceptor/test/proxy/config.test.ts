// The interceptor's configuration: the schema through the connectors' loader (field paths and
// YAML lines), the checks a schema cannot make, defaults, OTEL_* variables, relative paths, the
// sample, and the redacted copy the admin surface shows.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError, SchemaValidator, parseValidatedText } from '@threadline/connectors';
import { INTERCEPTOR_CONFIG_SCHEMA_ID, loadInterceptorConfig } from '../../src/config/load-interceptor-config';
import { Interceptor, redactSecrets } from '../../src/interceptor';
import { TempFolder } from './support';

const SAMPLE = resolve(__dirname, '..', '..', '..', 'samples', 'interceptor', 'interceptor.yaml');
const SAMPLE_ENV = { THREADLINE_ADMIN_TOKEN: 'sample-admin-token-0123', THREADLINE_HASH_KEY: 'sample-hash-key-0123456789abcdef' };

let folder: TempFolder;
beforeAll(() => {
  folder = new TempFolder();
});
afterAll(() => folder.remove());

function loadError(text: string, env: Record<string, string> = {}): string[] {
  const file = folder.write(text);
  try {
    loadInterceptorConfig({ file, env });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues.map((issue) => `${issue.line ?? '-'} ${issue.field}: ${issue.message}`);
  }
  throw new Error('the configuration was accepted');
}

const MINIMAL = ['listen: { port: 8080 }', 'routes:', '  - { name: api, path: /api/, upstream: "http://127.0.0.1:9000/v1" }', 'admin: { enabled: false }', ''].join('\n');

describe('a minimal file', () => {
  test('gets every default', () => {
    const config = loadInterceptorConfig({ file: folder.write(MINIMAL), env: {} });
    expect(config.listen).toEqual({ host: '127.0.0.1', port: 8080, headersTimeoutMillis: 10000, requestTimeoutMillis: 300000, keepAliveTimeoutMillis: 5000, maxHeaderBytes: 16384 });
    expect(config.routes).toEqual([
      {
        name: 'api',
        path: '/api',
        upstream: 'http://127.0.0.1:9000/v1',
        direction: 'ingress',
        stripPrefix: false,
        tracing: true,
        traceResponse: false,
        timeouts: { connectMillis: 5000, responseHeadersMillis: 30000, idleMillis: 60000 },
        tls: {},
        captureHeaders: { request: [], response: [] },
        captureBody: { request: false, response: false, maxBytes: 16384 },
        maxConnections: 256,
        redaction: config.telemetry.redaction,
      },
    ]);
    expect(config.forwardProxy).toMatchObject({ enabled: false, allowedHosts: [], tracing: true });
    expect(config.tracing).toEqual({ traceResponse: false, trustedCallers: [] });
    expect(config.accessLog).toEqual({ enabled: true, destination: 'stdout' });
    expect(config.shutdown).toEqual({ drainTimeoutMillis: 10000 });
    expect(config.admin).toEqual({ enabled: false, host: '127.0.0.1', port: 0 });
    expect(config.telemetry.service.name).toBe('unknown_service:node');
    expect(config.telemetry.propagation).toEqual({ inbound: ['tracecontext', 'baggage'], outbound: ['tracecontext', 'baggage'] });
  });

  test('OTEL_* variables fill the telemetry fields the file leaves out; the file wins where it sets them', () => {
    const env = { OTEL_SERVICE_NAME: 'from-env', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.25', OTEL_PROPAGATORS: 'tracecontext,baggage,b3' };
    const fromEnv = loadInterceptorConfig({ file: folder.write(MINIMAL), env });
    expect(fromEnv.telemetry.service.name).toBe('from-env');
    expect(fromEnv.telemetry.exporter.tracesEndpoint).toBe('http://collector:4318/v1/traces');
    expect(fromEnv.telemetry.sampling).toMatchObject({ sampler: 'parentbased_traceidratio', ratio: 0.25 });
    expect(fromEnv.telemetry.propagation.outbound).toEqual(['tracecontext', 'baggage', 'b3']);
    const fileWins = loadInterceptorConfig({ file: folder.write(`${MINIMAL}service: { name: from-file }\n`), env });
    expect(fileWins.telemetry.service.name).toBe('from-file');
  });
});

describe('problems', () => {
  test('every schema problem at once, with field path and line', () => {
    const text = [
      'listen:',
      '  port: 8080',
      '  hots: x',
      'routes:',
      '  - name: a',
      '    path: /a',
      '    upstream: ftp://x',
      '  - name: b',
      '    path: b',
      '    upstream: http://x',
      '    direction: sideways',
      'admin: { enabled: false, token: short }',
      '',
    ].join('\n');
    expect(loadError(text)).toEqual([
      "3 listen.hots: unknown field 'hots'",
      '7 routes[0].upstream: must be an http:// or https:// URL with a host',
      "9 routes[1].path: must start with '/' and hold no spaces, '?' or '#'",
      "11 routes[1].direction: must be one of 'ingress', 'egress' (got 'sideways')",
      '12 admin.token: must be at least 16 characters long',
    ]);
  });

  test('what a schema cannot say: unique names and paths, a token unless admin is off, an allow list, CIDR blocks, telemetry cross-checks', () => {
    const text = [
      'listen: { port: 8080 }',
      'routes:',
      '  - { name: a, path: /a, upstream: "http://x" }',
      '  - { name: a, path: /b, upstream: "http://x" }',
      '  - { name: c, path: /a/, upstream: "http://x" }',
      'forwardProxy: { enabled: true }',
      'tracing: { trustedCallers: [10.0.0.0/33, "::1/64"] }',
      'exporter: { queue: { maxSize: 10, maxBatchSize: 20 } }',
      'admin: { port: 9000 }',
      '',
    ].join('\n');
    expect(loadError(text)).toEqual([
      "4 routes[1].name: 'a' is already the name of routes[0]; route names must be unique",
      "5 routes[2].path: '/a/' is already the path of routes[0], so this route could never match",
      "6 forwardProxy: needs 'allowedHosts' when enabled: the forward proxy is never open",
      '7 tracing.trustedCallers[0]: must be an IP address or a CIDR block such as 10.0.0.0/8',
      '8 exporter.queue.maxBatchSize: must not exceed exporter.queue.maxSize (10), got 20',
      "9 admin: missing required field 'token' (write it as ${VAR}, or set enabled: false to run without the admin surface)",
    ]);
  });

  test('listen, routes and admin are required; an unset variable is named', () => {
    expect(loadError('exporter: { enabled: false }\n')).toEqual(["1 listen: missing required field 'listen'", "1 routes: missing required field 'routes'", "1 admin: missing required field 'admin'"]);
    expect(loadError(MINIMAL.replace('admin: { enabled: false }', 'admin: { port: 1, token: "${ADMIN_TOKEN}" }'))).toEqual([
      '4 admin.token: environment variable ADMIN_TOKEN is not set (set it, or write ${ADMIN_TOKEN:-default} to give a default)',
    ]);
  });

  test('a rules file that does not exist is refused when the proxy is built, naming it', () => {
    const file = folder.write(`${MINIMAL}redaction: { rulesFile: missing-rules.yaml }\n`);
    expect(() => new Interceptor({ file, env: {} })).toThrow(/missing-rules\.yaml: file not found/);
  });
});

describe('paths and overrides', () => {
  test('files named in the config are relative to it; route sections override the top level', () => {
    const text = [
      'listen: { port: 8080 }',
      'timeouts: { connectMillis: 100, idleMillis: 0 }',
      'tracing: { traceResponse: true, correlationIdHeader: X-Request-Trace }',
      'routes:',
      '  - name: a',
      '    path: /a',
      '    upstream: https://x',
      '    traceResponse: false',
      '    timeouts: { responseHeadersMillis: 7 }',
      '    tls: { caFile: certs/ca.pem }',
      '    captureHeaders: { request: [X-Tenant] }',
      '    redaction: { urlQuerySensitiveKeys: [route_key] }',
      '  - name: b',
      '    path: /b',
      '    upstream: http://x',
      '    redaction: { rulesFile: rules/b.yaml }',
      'accessLog: { destination: logs/access.log }',
      'redaction: { rulesFile: rules/top.yaml, urlQuerySensitiveKeys: [top_key] }',
      'admin: { enabled: false }',
      '',
    ].join('\n');
    const file = folder.write(text);
    const config = loadInterceptorConfig({ file, env: {} });
    const [a, b] = config.routes;
    expect(config.accessLog.destination).toBe(join(folder.path, 'logs', 'access.log'));
    expect(config.telemetry.redaction.rulesFile).toBe(join(folder.path, 'rules', 'top.yaml'));
    expect(a!.timeouts).toEqual({ connectMillis: 100, responseHeadersMillis: 7, idleMillis: 0 });
    expect(a!.traceResponse).toBe(false);
    expect(a!.tls.caFile).toBe(join(folder.path, 'certs', 'ca.pem'));
    expect(a!.captureHeaders.request).toEqual(['x-tenant']);
    expect(a!.redaction.rulesFile).toBe(join(folder.path, 'rules', 'top.yaml'));
    expect(a!.redaction.urlQuerySensitiveKeys).toEqual(expect.arrayContaining(['top_key', 'route_key', 'sig']));
    expect(b!.redaction.rulesFile).toBe(join(folder.path, 'rules', 'b.yaml'));
    expect(b!.traceResponse).toBe(true);
    expect(config.tracing.correlationIdHeader).toBe('x-request-trace');
  });
});

describe('samples/interceptor/interceptor.yaml', () => {
  test('loads, and the proxy builds from it', async () => {
    const config = loadInterceptorConfig({ file: SAMPLE, env: SAMPLE_ENV });
    expect(config.routes.map((route) => route.name)).toEqual(['node-red', 'n8n-webhooks', 'payments', 'health']);
    const interceptor = new Interceptor({ file: SAMPLE, env: SAMPLE_ENV });
    await interceptor.close(0);
  });

  test('shows every field of the interceptor schema somewhere', () => {
    const schema = JSON.parse(readFileSync(require.resolve('@threadline/schemas/interceptor-config.schema.json'), 'utf8')) as { $defs: Record<string, Record<string, unknown>> } & Record<string, unknown>;
    const data = loadRaw();
    expect(new SchemaValidator().validate(INTERCEPTOR_CONFIG_SCHEMA_ID, data)).toEqual([]);
    // For each object definition reached: which of its fields the sample sets, anywhere.
    const seen = new Map<string, Set<string>>();
    const walk = (node: Record<string, unknown>, value: unknown, name: string): void => {
      const ref = typeof node.$ref === 'string' ? node.$ref : undefined;
      // Sections shared with the connectors are checked by the connectors' own sample test.
      if (ref !== undefined && !ref.startsWith('#/$defs/')) return;
      const defName = ref === undefined ? name : ref.slice(8);
      const target = ref === undefined ? node : schema.$defs[defName]!;
      if (Array.isArray(value)) return value.forEach((item) => walk((target.items as Record<string, unknown>) ?? {}, item, `${defName}[]`));
      if (typeof target.properties !== 'object' || typeof value !== 'object' || value === null) return;
      const fields = seen.get(defName) ?? new Set<string>();
      seen.set(defName, fields);
      for (const [field, property] of Object.entries(target.properties as Record<string, Record<string, unknown>>)) {
        if (field === '$schema') continue;
        const child = (value as Record<string, unknown>)[field];
        if (child === undefined) continue;
        fields.add(field);
        walk(property, child, `${defName}.${field}`);
      }
    };
    walk(schema, data, '(top level)');
    const unset: string[] = [];
    for (const [defName, fields] of seen) {
      const target = defName === '(top level)' ? schema : (schema.$defs[defName] ?? {});
      for (const field of Object.keys((target.properties as object) ?? {})) if (field !== '$schema' && !fields.has(field)) unset.push(`${defName}.${field}`);
    }
    expect(unset).toEqual([]);
  });

  function loadRaw(): Record<string, unknown> {
    // The file's own values, substituted and validated (what the loader reads before defaults).
    return parseValidatedText<Record<string, unknown>>(readFileSync(SAMPLE, 'utf8'), SAMPLE, INTERCEPTOR_CONFIG_SCHEMA_ID, { env: { ...SAMPLE_ENV, PAYMENTS_CA_FILE: 'ca.pem' } }).data;
  }
});

test('the redacted config hides the admin token, exporter headers and credentials in URLs', () => {
  const text = [
    'listen: { port: 8080 }',
    'routes:',
    '  - { name: a, path: /a, upstream: "https://user:secret-pw@partner.example/v1?api_key=k-1&page=2" }',
    'exporter: { tracesEndpoint: "https://u:p@collector.example/v1/traces", headers: { x-api-key: collector-secret } }',
    'redaction: { urlQuerySensitiveKeys: [api_key] }',
    'admin: { port: 9000, token: "admin-token-0123456789" }',
    '',
  ].join('\n');
  const config = loadInterceptorConfig({ file: folder.write(text), env: {} });
  const shown = JSON.stringify(redactSecrets(config));
  for (const secret of ['secret-pw', 'k-1', 'collector-secret', 'admin-token-0123456789', 'u:p@']) expect(shown).not.toContain(secret);
  expect(shown).toContain('https://REDACTED:REDACTED@partner.example/v1?api_key=REDACTED&page=2');
  expect(config.admin.token).toBe('admin-token-0123456789');
});
