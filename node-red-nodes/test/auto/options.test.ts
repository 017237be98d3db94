import { AutoTraceSettingsError, DEFAULT_DEADLINE_MS, readAutoTraceSettings } from '../../src/auto/options';

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
