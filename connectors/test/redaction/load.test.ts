import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, createPipeline, defaultConfig, loadConfig } from '../../src';
import { loadRulesFile, parseRulesText, rulesFromRedactionConfig, RulesHolder, strictDefaultRules } from '../../src/redaction';
import { redactAttributes } from './support';
import { ScriptedExporter } from '../pipeline/test-spans';

let dir: string;
beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'rules-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

function issuesOf(action: () => unknown): ConfigError['issues'] {
  try {
    action();
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadRulesFile / parseRulesText', () => {
  test('YAML and JSON files load and compile', () => {
    const yaml = write('r.yaml', 'version: 1\ndetectors:\n  email: true\n');
    const json = write('r.json', '{"detectors": {"email": true}}');
    for (const file of [yaml, json]) expect(redactAttributes(loadRulesFile(file).rules, { a: 'bob@example.com' }).a).toBe('REDACTED');
  });

  test('schema problems come with the field path and the YAML line, all at once', () => {
    const text = ['version: 1', 'detectors:', '  email: yes please', 'attributes:', '  block: ["*pw*"]', '  rules:', '    - keys: [a]', '      action: shred', 'unknown: 1', ''].join('\n');
    const issues = issuesOf(() => parseRulesText(text, 'rules.yaml'));
    expect(issues.map((issue) => [issue.field, issue.line])).toEqual([
      ['detectors.email', 3],
      ['attributes.rules[0].action', 8],
      ['unknown', 9],
    ]);
    expect(issues.every((issue) => issue.source === 'rules.yaml')).toBe(true);
  });

  test('problems a schema cannot see (a bad regex) also have their path and line', () => {
    const issues = issuesOf(() => parseRulesText('patterns:\n  - name: broken\n    regex: "([a-z"\n', 'rules.yaml'));
    expect(issues).toEqual([expect.objectContaining({ field: 'patterns[0].regex', line: 3, message: expect.stringMatching(/not a valid regular expression/) })]);
  });

  test('YAML syntax errors, unreadable files and empty files', () => {
    expect(issuesOf(() => parseRulesText('detectors: [\n', 'x.yaml'))[0].message).toMatch(/YAML syntax/);
    expect(issuesOf(() => loadRulesFile(join(dir, 'missing.yaml')))[0].message).toBe('file not found');
    expect(loadRulesFile(write('empty.yaml', '# nothing\n')).rules.document).toEqual({});
  });

  test('${VAR} references are substituted, as in every Threadline file', () => {
    const { rules } = parseRulesText('hashing:\n  keyEnv: ${KEY_VAR:-REDACTION_KEY}\ndetectors:\n  email: { action: hash }\n', 'r.yaml', { env: { REDACTION_KEY: 'k'.repeat(16) } });
    expect(rules.document.hashing).toEqual({ keyEnv: 'REDACTION_KEY' });
  });
});

describe('RulesHolder: atomic reload', () => {
  test('a valid file replaces the rules; an invalid one is refused and the old rules stay', () => {
    const file = write('live.yaml', 'detectors:\n  email: true\n');
    const holder = new RulesHolder();
    expect(holder.current).toBe(strictDefaultRules());
    const changes: unknown[] = [];
    holder.onChange((rules) => changes.push(rules));
    const first = holder.load(file);
    expect(first.ok).toBe(true);
    const inForce = holder.current;
    expect(redactAttributes(inForce, { a: 'bob@example.com 4111111111111111' }).a).toBe('REDACTED 4111111111111111');

    writeFileSync(file, 'detectors:\n  email: 1\n');
    const refused = holder.reload();
    expect(refused.ok).toBe(false);
    if (!refused.ok) {
      expect(refused.errors).toEqual([expect.objectContaining({ source: file, field: 'detectors.email', line: 2 })]);
      expect(refused.message).toMatch(/detectors\.email/);
    }
    expect(holder.current).toBe(inForce);

    writeFileSync(file, 'detectors:\n  paymentCard: true\n');
    expect(holder.reload().ok).toBe(true);
    expect(redactAttributes(holder.current, { a: 'bob@example.com 4111111111111111' }).a).toBe('bob@example.com REDACTED');
    expect(changes).toHaveLength(2);
  });

  test('reload without a file keeps the rules in force', () => {
    const holder = new RulesHolder();
    expect(holder.reload()).toEqual({ ok: true, rules: strictDefaultRules() });
  });
});

describe('rules from the connectors configuration', () => {
  test('redaction.rulesFile and inline redaction.rules are validated with the config file', () => {
    const rulesFile = write('cfg-rules.yaml', 'detectors:\n  email: true\n');
    const config = loadConfig({ env: {}, file: write('cfg.yaml', `redaction:\n  rulesFile: ${rulesFile}\n`) });
    expect(config.redaction.rulesFile).toBe(rulesFile);
    expect(redactAttributes(rulesFromRedactionConfig(config.redaction), { a: 'bob@example.com' }).a).toBe('REDACTED');

    const inline = loadConfig({ env: {}, file: write('inline.yaml', 'redaction:\n  rules:\n    detectors:\n      paymentCard: true\n') });
    expect(redactAttributes(rulesFromRedactionConfig(inline.redaction), { a: '4111111111111111' }).a).toBe('REDACTED');

    const issues = issuesOf(() => loadConfig({ env: {}, file: write('bad.yaml', 'redaction:\n  rules:\n    detectors:\n      email: maybe\n') }));
    expect(issues).toEqual([expect.objectContaining({ field: 'redaction.rules.detectors.email', line: 4 })]);
  });

  test('without either, the strict default (with the config’s extra query keys)', () => {
    expect(rulesFromRedactionConfig(defaultConfig().redaction)).toBe(strictDefaultRules());
    const extra = rulesFromRedactionConfig({ urlQuerySensitiveKeys: ['page'] });
    expect(redactAttributes(extra, { 'url.query': 'page=2' })['url.query']).toBe('page=REDACTED');
  });

  test('createPipeline uses the configured rules, exposes them for reload, and refuses an invalid file', async () => {
    const file = write('pipe.yaml', 'summary: false\ndetectors:\n  email: true\n');
    const exporter = new ScriptedExporter();
    const config = { ...defaultConfig(), redaction: { urlQuerySensitiveKeys: [], rulesFile: file } };
    config.exporter.queue.scheduledDelayMillis = 1;
    const pipeline = createPipeline(config, { exporter });
    pipeline.tracer.startSpan('s', { attributes: { a: 'bob@example.com 4111111111111111' } }).end();
    writeFileSync(file, 'summary: false\ndetectors:\n  paymentCard: true\n');
    expect(pipeline.redactionRules.reload().ok).toBe(true);
    pipeline.tracer.startSpan('s', { attributes: { a: 'bob@example.com 4111111111111111' } }).end();
    await pipeline.forceFlush();
    expect(exporter.exported.map((span) => span.attributes.a)).toEqual(['REDACTED 4111111111111111', 'bob@example.com REDACTED']);
    await pipeline.shutdown();
    expect(() => createPipeline({ ...config, redaction: { urlQuerySensitiveKeys: [], rulesFile: join(dir, 'nope.yaml') } }, { exporter })).toThrow(ConfigError);
  });
});
