// The rule samples admins start from: each validates, each passes its own test cases, each
// explains every sample span, and strict-default.yaml is exactly the built-in default.
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { loadRulesFile, STRICT_DEFAULT_RULES } from '@threadline/connectors';
import { EXIT_OK } from '../../src/cli/io';
import { REPO_ROOT, runInProcess } from './cli-harness';

const RULES_DIR = 'samples/rules';
const ruleFiles = readdirSync(path.join(REPO_ROOT, RULES_DIR))
  .filter((name) => /\.(ya?ml|json)$/.test(name))
  .map((name) => `${RULES_DIR}/${name}`);
const spanFiles = readdirSync(path.join(REPO_ROOT, RULES_DIR, 'spans')).map((name) => `${RULES_DIR}/spans/${name}`);

test('the samples are there: a strict default, a GDPR-minded and a PCI-minded set, and sample spans', () => {
  expect(ruleFiles).toEqual(expect.arrayContaining([`${RULES_DIR}/strict-default.yaml`, `${RULES_DIR}/gdpr.yaml`, `${RULES_DIR}/pci.yaml`]));
  expect(spanFiles.length).toBeGreaterThanOrEqual(1);
});

describe.each(ruleFiles)('%s', (file) => {
  test('validates', async () => {
    const run = await runInProcess(['rules', 'validate', file]);
    expect(run.stdout).toMatch(/^valid /);
    expect(run.code).toBe(EXIT_OK);
  });

  test.each([
    ['without the HMAC key', {}],
    ['with the HMAC key', { THREADLINE_HASH_KEY: 'sample-key-for-tests-0123456789' }],
  ])('has test cases, and all pass %s', async (_label, env) => {
    const run = await runInProcess(['rules', 'test', '--json', file], { env });
    const report = JSON.parse(run.stdout) as { passed: number; failed: number; files: { cases: { name: string; ok: boolean; message?: string }[] }[] };
    expect(report.files[0]!.cases.filter((result) => !result.ok)).toEqual([]);
    expect(report.passed).toBeGreaterThanOrEqual(5);
    expect(run.code).toBe(EXIT_OK);
  });

  test.each(spanFiles)('explains %s', async (span) => {
    const run = await runInProcess(['rules', 'explain', file, '--span', span]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(EXIT_OK);
    expect(run.stdout).toMatch(/^\d+ changed, \d+ removed, \d+ added, \d+ kept$/m);
  });
});

test('strict-default.yaml holds exactly the built-in strict default rules', () => {
  const { document } = loadRulesFile(path.join(REPO_ROOT, RULES_DIR, 'strict-default.yaml'), { env: {} });
  expect(document).toEqual(STRICT_DEFAULT_RULES);
});
