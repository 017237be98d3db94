import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createThreadline } from '@threadline/connectors';
import { autoTraceEnvironment } from '../src/auto/options';
import { configNodeSettings, describeStartProblem, parseHeaderLines } from '../src/config-node/options';
import threadlineConfig from '../src/nodes/threadline-config';
import traceIn from '../src/nodes/trace-in';
import { autoTracingEntry, getThreadline, getThreadlineEntry, onThreadlineChange } from '../src/threadline-registry';
import { helper, nextError, nextMessage } from './support/flow-harness';

const CLOSED_PORT_ENDPOINT = 'http://127.0.0.1:9/v1/traces';

describe('threadline-config: from the form to createThreadline options', () => {
  it('maps the fields to overrides and the credentials to headers', () => {
    const settings = configNodeSettings(
      { serviceName: ' orders ', endpoint: CLOSED_PORT_ENDPOINT, protocol: 'http/json', sampler: 'parentbased_traceidratio', ratio: '0.25', autoTracing: true, deadline: '30' },
      { token: 's3cret', headers: 'X-Tenant: acme\n\n# comment\nx-other:  a:b ' },
    );
    expect(settings.options.overrides).toEqual({
      service: { name: 'orders' },
      exporter: { tracesEndpoint: CLOSED_PORT_ENDPOINT, protocol: 'http/json', headers: { 'x-tenant': 'acme', 'x-other': 'a:b', authorization: 'Bearer s3cret' } },
      sampling: { sampler: 'parentbased_traceidratio', ratio: 0.25 },
    });
    expect(settings.autoTracing).toBe(true);
    expect(settings.spanDeadlineMs).toBe(30_000);
    // tracing every node: the deeper export queue, as the lowest layer above the defaults
    expect(settings.options.env).toEqual(autoTraceEnvironment());
  });

  it('defaults: service node-red, strict default rules, automatic tracing off, 300 s deadline', () => {
    const settings = configNodeSettings({});
    expect(settings.options.overrides).toEqual({ service: { name: 'node-red' } });
    expect(settings.options.rules).toBeUndefined();
    expect(settings).toMatchObject({ autoTracing: false, spanDeadlineMs: 300_000 });
    expect(settings.options.env).toBeUndefined(); // the exporter's usual queue
  });

  it('compiles inline rules and resolves a rules file against the user folder', () => {
    expect(configNodeSettings({ rulesSource: 'inline', rules: 'baggage:\n  accept: ["tenant"]\n' }).options.rules).toBeDefined();
    expect(configNodeSettings({ rulesSource: 'file', rulesFile: 'rules.yaml' }, {}, path.join(os.tmpdir(), 'u')).options.overrides?.redaction).toEqual({
      rulesFile: path.join(os.tmpdir(), 'u', 'rules.yaml'),
    });
  });

  it.each([
    [{ protocol: 'grpc' }, {}, /protocol: expected http\/protobuf or http\/json, got "grpc"/],
    [{ sampler: 'sometimes' }, {}, /sampler: expected one of always_on/],
    [{ ratio: 'half' }, {}, /sampling ratio: expected a number, got "half"/],
    [{ deadline: '0' }, {}, /span deadline: expected more than 0 seconds/],
    [{ rulesSource: 'inline', rules: '' }, {}, /no rules are written/],
    [{ rulesSource: 'inline', rules: 'baggage:\n  accept: 3\n' }, {}, /inline rules.yaml:2:\d+ baggage.accept/],
    [{ rulesSource: 'file' }, {}, /no file is named/],
    [{}, { headers: 'no colon here' }, /collector headers, line 1: expected "name: value"/],
  ])('rejects %j %j naming the field', (fields, credentials, pattern) => {
    expect(() => configNodeSettings(fields, credentials)).toThrow(pattern);
  });

  it('names the form field when the configuration schema rejects a value', () => {
    const start = (fields: Record<string, unknown>): string => {
      try {
        createThreadline({ env: {}, ...configNodeSettings(fields).options }).shutdown();
        return 'started';
      } catch (error) {
        return describeStartProblem(error);
      }
    };
    expect(start({ ratio: '5' })).toMatch(/^Ratio: must be a number from 0 to 1/);
    expect(start({ endpoint: 'not a url' })).toMatch(/^Collector: /);
    expect(describeStartProblem(new Error('plain'))).toBe('plain');
  });

  it('parses header lines', () => {
    expect(parseHeaderLines(undefined)).toEqual({});
    expect(parseHeaderLines('A: 1\r\nb:2')).toEqual({ a: '1', b: '2' });
  });
});

describe('threadline-config node', () => {
  afterEach(() => helper.unload());

  it('registers its Threadline with the automatic-tracing flag and shuts it down on close', async () => {
    const events: string[] = [];
    const unsubscribe = onThreadlineChange((event) => events.push(`${event.type}:${event.entry.id}`));
    await helper.load(
      [threadlineConfig],
      [{ id: 'cfg', type: 'threadline-config', name: 'main', serviceName: 'flows', endpoint: CLOSED_PORT_ENDPOINT, autoTracing: true, deadline: '10' }],
      { cfg: { token: 'tok' } },
    );
    const entry = getThreadlineEntry('cfg');
    expect(entry).toMatchObject({ id: 'cfg', label: 'main', autoTracing: true, spanDeadlineMs: 10_000 });
    expect(autoTracingEntry()?.id).toBe('cfg');
    expect(entry?.threadline.config.service.name).toBe('flows');
    expect(entry?.threadline.config.exporter.headers.authorization).toBe('Bearer tok');
    const threadline = getThreadline('cfg');
    await helper.unload();
    unsubscribe();
    expect(getThreadline('cfg')).toBeUndefined();
    expect(events).toEqual(['added:cfg', 'removed:cfg']);
    // shut down: records opened now are not exported, and shutdown resolves at once
    await expect(threadline?.shutdown()).resolves.toBeUndefined();
  });

  it('an invalid form logs the problem, and nodes using it report why', async () => {
    const rulesFile = path.join(os.tmpdir(), `threadline-missing-${process.pid}.yaml`);
    expect(fs.existsSync(rulesFile)).toBe(false);
    await helper.load(
      [threadlineConfig, traceIn],
      [
        { id: 'cfg', type: 'threadline-config', rulesSource: 'file', rulesFile },
        { id: 'in', type: 'threadline-trace-in', config: 'cfg', wires: [['out']] },
        { id: 'out', type: 'helper' },
      ],
    );
    expect(getThreadline('cfg')).toBeUndefined();
    const error = nextError('in');
    const received = nextMessage('out');
    helper.getNode('in').receive({});
    await received;
    expect(await error).toMatch(new RegExp(`config node cfg did not start: .*${path.basename(rulesFile)}`));
  });
});
