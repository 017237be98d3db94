import { ConfigError, expandReferences, parseText, parseValidatedText, substituteEnvReferences } from '../../src/config';

// The environment of the OpenTelemetry configuration data model's substitution table.
const env = {
  STRING_VALUE: 'value',
  BOOL_VALUE: 'true',
  INT_VALUE: '1',
  FLOAT_VALUE: '1.1',
  HEX_VALUE: '0xdeadbeef',
  INVALID_MAP_VALUE: 'value\nkey:value',
  DO_NOT_REPLACE_ME: 'Never use this value',
  REPLACE_ME: '${DO_NOT_REPLACE_ME}',
  VALUE_WITH_ESCAPE: 'value$$',
  EMPTY: '',
};

/** Substitutes in `key: <input>` and returns the value of key, or the issues' messages. */
function substituted(yamlValue: string): unknown {
  const { parsed, issues } = parseText(`key: ${yamlValue}\n`, 'test.yaml');
  expect(issues).toEqual([]);
  const problems = substituteEnvReferences(parsed, env);
  if (problems.length > 0) return problems.map((problem) => problem.message);
  return (parsed.document.toJS() as Record<string, unknown>).key;
}

describe('${VAR} substitution, as the OpenTelemetry configuration data model specifies', () => {
  it.each<[string, unknown]>([
    ['${STRING_VALUE}', 'value'],
    ['${BOOL_VALUE}', true],
    ['${INT_VALUE}', 1],
    ['${FLOAT_VALUE}', 1.1],
    ['${HEX_VALUE}', 3735928559],
    ['"${STRING_VALUE}"', 'value'],
    ['"${BOOL_VALUE}"', 'true'],
    ['"${INT_VALUE}"', '1'],
    ['"${FLOAT_VALUE}"', '1.1'],
    ['"${HEX_VALUE}"', '0xdeadbeef'],
    ["'${INT_VALUE}'", '1'],
    ['${env:STRING_VALUE}', 'value'],
    ['${INVALID_MAP_VALUE}', 'value\nkey:value'],
    ['foo ${STRING_VALUE} ${FLOAT_VALUE}', 'foo value 1.1'],
    ['${UNDEFINED_KEY:-fallback}', 'fallback'],
    ['${UNDEFINED_KEY:-0x10}', 16],
    ['${EMPTY:-fallback}', 'fallback'],
    ['${REPLACE_ME}', '${DO_NOT_REPLACE_ME}'],
    ['${UNDEFINED_KEY:-${STRING_VALUE}}', '${STRING_VALUE}'],
    ['$${STRING_VALUE}', '${STRING_VALUE}'],
    ['$$${STRING_VALUE}', '$value'],
    ['$$$${STRING_VALUE}', '$${STRING_VALUE}'],
    ['$${STRING_VALUE:-fallback}', '${STRING_VALUE:-fallback}'],
    ['$${STRING_VALUE:-${STRING_VALUE}}', '${STRING_VALUE:-value}'],
    ['${UNDEFINED_KEY:-$${UNDEFINED_KEY}}', '${UNDEFINED_KEY:-${UNDEFINED_KEY}}'],
    ['${VALUE_WITH_ESCAPE}', 'value$$'],
    ['a $$ b', 'a $ b'],
    ['a $ b', 'a $ b'],
    ['"${EMPTY}"', ''],
    ['!!str ${INT_VALUE}', '1'],
  ])('key: %s → %j', (input, expected) => {
    expect(substituted(input)).toEqual(expected);
  });

  it('leaves a plain value that becomes empty unset, as if it had not been written', () => {
    const { parsed } = parseText('a: ${EMPTY}\nb: ${UNDEFINED_KEY:-}\nc: [x, "${EMPTY}"]\n', 'test.yaml');
    expect(substituteEnvReferences(parsed, env)).toEqual([]);
    expect(parsed.document.toJS()).toEqual({ c: ['x', ''] });
  });

  it('never substitutes keys', () => {
    const { parsed } = parseText('${STRING_VALUE}: ${STRING_VALUE}\n', 'test.yaml');
    substituteEnvReferences(parsed, env);
    expect(parsed.document.toJS()).toEqual({ '${STRING_VALUE}': 'value' });
  });

  it('substitutes nested values, list items and anchored values once', () => {
    const { parsed } = parseText('a:\n  b: &shared ${INT_VALUE}\n  c:\n    - ${BOOL_VALUE}\n    - "${INT_VALUE}"\nd: *shared\n', 'test.yaml');
    expect(substituteEnvReferences(parsed, env)).toEqual([]);
    expect(parsed.document.toJS()).toEqual({ a: { b: 1, c: [true, '1'] }, d: 1 });
  });

  it('keeps JSON strings strings', () => {
    const { parsed } = parseText('{"a": "${INT_VALUE}", "b": 2}', 'test.json');
    substituteEnvReferences(parsed, env);
    expect(parsed.document.toJS()).toEqual({ a: '1', b: 2 });
  });

  it('reports an unset variable without default with its field path and line (not an empty value)', () => {
    const text = 'exporter:\n  headers:\n    authorization: Bearer ${COLLECTOR_TOKEN}\n  tracesEndpoint: ${ENDPOINT}\n';
    const { parsed } = parseText(text, 'threadline.yaml');
    expect(substituteEnvReferences(parsed, env)).toEqual([
      {
        source: 'threadline.yaml',
        path: '/exporter/headers/authorization',
        field: 'exporter.headers.authorization',
        message: 'environment variable COLLECTOR_TOKEN is not set (set it, or write ${COLLECTOR_TOKEN:-default} to give a default)',
        line: 3,
        column: 20,
      },
      {
        source: 'threadline.yaml',
        path: '/exporter/tracesEndpoint',
        field: 'exporter.tracesEndpoint',
        message: 'environment variable ENDPOINT is not set (set it, or write ${ENDPOINT:-default} to give a default)',
        line: 4,
        column: 19,
      },
    ]);
  });

  it('accepts a variable that is set but empty', () => {
    expect(expandReferences('a${EMPTY}b', env)).toEqual({ value: 'ab', problems: [] });
  });

  it.each(['${1API_KEY}', '${API_$KEY}', '${STRING_VALUE:?error}', '${ STRING_VALUE }'])('rejects the invalid reference %s', (reference) => {
    const result = expandReferences(reference, env);
    expect(result.problems).toEqual([`invalid environment reference '${reference}' (write \${NAME} or \${NAME:-default}; '$$' escapes '$')`]);
  });

  it('throws one ConfigError listing every substitution problem', () => {
    const text = 'service:\n  name: ${A}\n  version: ${B}\n';
    expect(() => parseValidatedText(text, 'x.yaml', 'threadline-config', { env: {} })).toThrow(ConfigError);
    try {
      parseValidatedText(text, 'x.yaml', 'threadline-config', { env: {} });
    } catch (error) {
      expect((error as ConfigError).issues.map((issue) => `${issue.line}:${issue.column} ${issue.field}`)).toEqual(['2:9 service.name', '3:12 service.version']);
      expect((error as Error).message).toContain('x.yaml:3:12 service.version: environment variable B is not set');
    }
  });
});
