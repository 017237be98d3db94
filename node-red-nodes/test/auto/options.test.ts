import type { ConfigWarning, ThreadlineConfigInput } from '@threadline/connectors';
import { loadConfig } from '@threadline/connectors';
import {
  AUTO_TRACE_BATCH_SIZE,
  AUTO_TRACE_QUEUE_SIZE,
  AutoTraceSettingsError,
  autoTraceEnvironment,
  autoTraceWarnings,
  DEFAULT_DEADLINE_MS,
  readAutoTraceSettings,
} from '../../src/auto/options';

describe('readAutoTraceSettings', () => {
  test('off without a threadline.autoTrace section', () => {
    expect(readAutoTraceSettings({})).toEqual({ enabled: false, deadlineMs: DEFAULT_DEADLINE_MS, ignoreTypes: [] });
    expect(readAutoTraceSettings(undefined).enabled).toBe(false);
    expect(readAutoTraceSettings({ threadline: {} }).enabled).toBe(false);
  });

  test('reads every field', () => {
    const settings = readAutoTraceSettings({
      threadline: { autoTrace: { enabled: true, configFile: 'threadline.yaml', config: { service: { name: 'flows' } }, deadlineMs: 5000, ignoreTypes: ['debug'] } },
    });
    expect(settings).toEqual({ enabled: true, configFile: 'threadline.yaml', config: { service: { name: 'flows' } }, deadlineMs: 5000, ignoreTypes: ['debug'] });
  });

  test('names every wrong field', () => {
    let error: unknown;
    try {
      readAutoTraceSettings({ threadline: { autoTrace: { enabled: 'yes', deadlineMs: -1, ignoreTypes: 'debug', colour: 'red', config: [] } } });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(AutoTraceSettingsError);
    const problems = (error as AutoTraceSettingsError).problems;
    expect(problems).toEqual(
      expect.arrayContaining([
        'threadline.autoTrace.colour: unknown field',
        'threadline.autoTrace.enabled: expected true or false',
        'threadline.autoTrace.config: expected an object',
        'threadline.autoTrace.ignoreTypes: expected an array of node type names',
        'threadline.autoTrace.deadlineMs: expected a positive integer, got -1',
      ]),
    );
    expect(() => readAutoTraceSettings({ threadline: { autoTrace: true } })).toThrow('threadline.autoTrace: expected an object');
  });
});

describe('the export queue of automatic tracing', () => {
  const queueOf = (options: { env?: Record<string, string | undefined>; overrides?: ThreadlineConfigInput }) => {
    const warnings: ConfigWarning[] = [];
    const shown = autoTraceWarnings(options.env ?? {});
    const onWarning = (warning: ConfigWarning): void => {
      warnings.push(warning);
      if (warning.variable === undefined) shown(warning); // keep the test's output clean of the rest
    };
    const queue = loadConfig({ env: autoTraceEnvironment(options.env ?? {}), overrides: options.overrides, onWarning }).exporter.queue;
    return { queue, warnings };
  };

  test(`is ${AUTO_TRACE_QUEUE_SIZE} spans, exported ${AUTO_TRACE_BATCH_SIZE} at a time, unless something sets them`, () => {
    expect(queueOf({}).queue).toMatchObject({ maxSize: AUTO_TRACE_QUEUE_SIZE, maxBatchSize: AUTO_TRACE_BATCH_SIZE });
    expect(loadConfig({ env: {} }).exporter.queue.maxSize).toBeLessThan(AUTO_TRACE_QUEUE_SIZE); // connectors' own default is left alone
  });

  test('an explicit OTEL_BSP_* variable, or a value in the configuration, still decides', () => {
    expect(queueOf({ env: { OTEL_BSP_MAX_QUEUE_SIZE: '4096', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '100' } }).queue).toMatchObject({ maxSize: 4096, maxBatchSize: 100 });
    expect(queueOf({ overrides: { exporter: { queue: { maxSize: 3000, maxBatchSize: 256 } } } }).queue).toMatchObject({ maxSize: 3000, maxBatchSize: 256 });
    expect(queueOf({ env: { OTEL_BSP_MAX_QUEUE_SIZE: '4096' }, overrides: { exporter: { queue: { maxSize: 1000 } } } }).queue.maxSize).toBe(1000);
  });

  test('a queue set smaller than the default batch takes the batch down to its size', () => {
    const { queue, warnings } = queueOf({ overrides: { exporter: { queue: { maxSize: 1000 } } } });
    expect(queue).toMatchObject({ maxSize: 1000, maxBatchSize: 1000 });
    // the clamp is reported by the loader, but not shown: it names a variable the user never set
    const clamp = warnings.find((warning) => warning.variable === 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE');
    expect(clamp).toBeDefined();
    const emitted = jest.spyOn(process, 'emitWarning').mockImplementation(() => {});
    try {
      autoTraceWarnings({})(clamp!);
      expect(emitted).not.toHaveBeenCalled();
      autoTraceWarnings({ OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '2048' })(clamp!); // the user's own variable: shown
      expect(emitted).toHaveBeenCalledTimes(1);
    } finally {
      emitted.mockRestore();
    }
  });

  test('the rest of the environment is passed on unchanged', () => {
    const env = { OTEL_SERVICE_NAME: 'flows', OTEL_BSP_MAX_QUEUE_SIZE: ' ' };
    expect(autoTraceEnvironment(env)).toEqual({
      OTEL_SERVICE_NAME: 'flows',
      OTEL_BSP_MAX_QUEUE_SIZE: String(AUTO_TRACE_QUEUE_SIZE),
      OTEL_BSP_MAX_EXPORT_BATCH_SIZE: String(AUTO_TRACE_BATCH_SIZE),
    });
    expect(env.OTEL_BSP_MAX_QUEUE_SIZE).toBe(' ');
  });
});
