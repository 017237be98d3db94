// `threadline rules validate`: exit 0 or 1, every problem with its field path and, for YAML and
// JSON files, its line and column.
import * as path from 'node:path';
import { EXIT_FAILURE, EXIT_OK } from '../../src/cli/io';
import { FIXTURES, REPO_ROOT, runInProcess } from './cli-harness';

const fixture = (name: string): string => path.relative(REPO_ROOT, path.join(FIXTURES, name));
const validate = (...argv: string[]) => runInProcess(['rules', 'validate', ...argv]);

test('a valid file: exit 0 and one line naming it', async () => {
  const run = await validate('samples/rules/pci.yaml');
  expect(run.code).toBe(EXIT_OK);
  expect(run.stderr).toBe('');
  expect(run.stdout).toMatch(/^valid {4}samples\/rules\/pci\.yaml \(\d+ test cases\)\n$/);
});

test('YAML syntax error: exit 1 with the line', async () => {
  const run = await validate(fixture('bad-syntax.yaml'));
  expect(run.code).toBe(EXIT_FAILURE);
  expect(run.stdout).toContain(`invalid  ${fixture('bad-syntax.yaml')}:`);
  expect(run.stdout).toMatch(new RegExp(`^  ${escape(fixture('bad-syntax.yaml'))}:[45]:\\d+: YAML syntax: `, 'm'));
});

test('unknown field: exit 1 with the field path, line and column', async () => {
  const run = await validate(fixture('unknown-field.yaml'));
  expect(run.code).toBe(EXIT_FAILURE);
  expect(run.stdout).toMatch(new RegExp(`^  ${escape(fixture('unknown-field.yaml'))}:6:3 detectors(\\.emial)?: .*emial`, 'm'));
});

test('wrong types: every problem at once, each with its path and line', async () => {
  const run = await validate(fixture('wrong-type.yaml'));
  expect(run.code).toBe(EXIT_FAILURE);
  expect(run.stdout).toContain(`invalid  ${fixture('wrong-type.yaml')}: 2 problems`);
  expect(run.stdout).toMatch(new RegExp(`^  ${escape(fixture('wrong-type.yaml'))}:6:15 attributes\\.rules\\[0\\]\\.action: `, 'm'));
  expect(run.stdout).toMatch(new RegExp(`^  ${escape(fixture('wrong-type.yaml'))}:10:18 url\\.query\\.allowedKeys: `, 'm'));
});

test('a JSON file gets paths and lines too', async () => {
  const run = await validate(fixture('wrong-type.json'));
  expect(run.code).toBe(EXIT_FAILURE);
  expect(run.stdout).toMatch(new RegExp(`^  ${escape(fixture('wrong-type.json'))}:4:14 detectors\\.email: `, 'm'));
});

test('a regular expression that does not compile is found by the engine, with its path and line', async () => {
  const run = await validate(fixture('bad-regex.yaml'));
  expect(run.code).toBe(EXIT_FAILURE);
  expect(run.stdout).toMatch(new RegExp(`^  ${escape(fixture('bad-regex.yaml'))}:6:\\d+ patterns\\[0\\]\\.regex: `, 'm'));
});

test('a missing file: exit 1, named', async () => {
  const run = await validate('no-such-rules.yaml');
  expect(run.code).toBe(EXIT_FAILURE);
  expect(run.stdout).toContain('no-such-rules.yaml: file not found');
});

test('several files: each reported, exit 1 when any is invalid', async () => {
  const run = await validate('samples/rules/gdpr.yaml', fixture('unknown-field.yaml'));
  expect(run.code).toBe(EXIT_FAILURE);
  expect(run.stdout).toMatch(/^valid {4}samples\/rules\/gdpr\.yaml/m);
  expect(run.stdout).toMatch(/^invalid {2}.*unknown-field\.yaml: 1 problem$/m);
});

test('--json: one document with every issue as data', async () => {
  const run = await validate('--json', 'samples/rules/gdpr.yaml', fixture('wrong-type.yaml'));
  expect(run.code).toBe(EXIT_FAILURE);
  const report = JSON.parse(run.stdout) as { valid: boolean; files: { file: string; valid: boolean; issues: { field: string; line: number; column: number; message: string }[] }[] };
  expect(report.valid).toBe(false);
  expect(report.files.map((file) => [file.file, file.valid])).toEqual([
    ['samples/rules/gdpr.yaml', true],
    [fixture('wrong-type.yaml'), false],
  ]);
  expect(report.files[1]!.issues.map((issue) => [issue.field, issue.line])).toEqual([
    ['attributes.rules[0].action', 6],
    ['url.query.allowedKeys', 10],
  ]);
});

test('a hash action without its key variable validates, with a warning (CI has no production secret)', async () => {
  const run = await validate('samples/rules/gdpr.yaml');
  expect(run.code).toBe(EXIT_OK);
  expect(run.stdout).toMatch(/warning: .*THREADLINE_HASH_KEY/);
});

test('colours only on a terminal, and never with NO_COLOR', async () => {
  const tty = await runInProcess(['rules', 'validate', 'samples/rules/pci.yaml'], { tty: true, env: {} });
  expect(tty.stdout).toContain('\u001b[32mvalid\u001b[39m');
  const noColour = await runInProcess(['rules', 'validate', 'samples/rules/pci.yaml'], { tty: true, env: { NO_COLOR: '1' } });
  expect(noColour.stdout).not.toContain('\u001b[');
  const pipe = await validate('samples/rules/pci.yaml');
  expect(pipe.stdout).not.toContain('\u001b[');
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
