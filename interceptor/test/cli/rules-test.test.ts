// `threadline rules test`: pass/fail per case, expected vs actual for failures, a closing count,
// exit 1 on any failure.
import * as path from 'node:path';
import { EXIT_FAILURE, EXIT_OK } from '../../src/cli/io';
import { FIXTURES, REPO_ROOT, runInProcess } from './cli-harness';

const fixture = (name: string): string => path.relative(REPO_ROOT, path.join(FIXTURES, name));
const ruleTest = (...argv: string[]) => runInProcess(['rules', 'test', ...argv]);

test('a failing case: FAIL with the path, expected and actual; the closing count; exit 1', async () => {
  const run = await ruleTest(fixture('failing-tests.yaml'));
  expect(run.code).toBe(EXIT_FAILURE);
  expect(run.stdout).toContain('  PASS  e-mail addresses are replaced\n');
  expect(run.stdout).toContain('  FAIL  e-mail addresses are dropped (wrong on purpose)\n');
  expect(run.stdout).toMatch(/attributes\.note\n {10}- expected \(absent\)\n {10}\+ actual {3}"write to REDACTED"/);
  // Only the value that differs is shown, not the one that matched.
  expect(run.stdout).not.toMatch(/attributes\.kept/);
  expect(run.stdout).toContain('  FAIL  free text is not checked by any detector (wrong on purpose)\n        notContains: "Alice" still appears in the redacted span\n');
  expect(run.stdout.trimEnd().split('\n').at(-1)).toBe('1 passed, 2 failed');
});

test('all cases pass: exit 0', async () => {
  const run = await ruleTest('samples/rules/pci.yaml');
  expect(run.stdout).not.toContain('FAIL');
  expect(run.code).toBe(EXIT_OK);
  expect(run.stdout.trimEnd().split('\n').at(-1)).toMatch(/^[1-9]\d* passed, 0 failed$/);
});

test('an invalid file counts as a failure and shows its problems', async () => {
  const run = await ruleTest('samples/rules/pci.yaml', fixture('unknown-field.yaml'));
  expect(run.code).toBe(EXIT_FAILURE);
  expect(run.stdout).toContain(`${fixture('unknown-field.yaml')}: invalid`);
  expect(run.stdout).toMatch(/unknown-field\.yaml:6:3 /);
  expect(run.stdout.trimEnd().split('\n').at(-1)).toMatch(/^\d+ passed, 0 failed, 1 invalid file$/);
});

test('a file without tests passes with a note', async () => {
  const run = await ruleTest(fixture('no-tests.yaml'));
  expect(run.code).toBe(EXIT_OK);
  expect(run.stdout).toContain('no test cases');
  expect(run.stdout.trimEnd().split('\n').at(-1)).toBe('0 passed, 0 failed');
});

test('--json: counts and every case as data', async () => {
  const run = await ruleTest('--json', fixture('failing-tests.yaml'));
  expect(run.code).toBe(EXIT_FAILURE);
  const report = JSON.parse(run.stdout) as { ok: boolean; passed: number; failed: number; files: { cases: { name: string; ok: boolean }[] }[] };
  expect([report.ok, report.passed, report.failed]).toEqual([false, 1, 2]);
  expect(report.files[0]!.cases.map((result) => result.ok)).toEqual([true, false, false]);
});
