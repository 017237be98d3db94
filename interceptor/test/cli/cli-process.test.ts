// The real `threadline` process: entry point, exit codes and streams as a shell or CI sees them.
import * as path from 'node:path';
import { FIXTURES, REPO_ROOT, runProcess } from './cli-harness';

const fixture = (name: string): string => path.relative(REPO_ROOT, path.join(FIXTURES, name));

test('validate: exit 1 with path and line for a bad file, exit 0 for a good one', async () => {
  const bad = await runProcess(['rules', 'validate', fixture('wrong-type.yaml')]);
  expect(bad.code).toBe(1);
  expect(bad.stdout).toMatch(/wrong-type\.yaml:6:15 attributes\.rules\[0\]\.action: /);
  expect(bad.stderr).toBe('');
  const good = await runProcess(['rules', 'validate', 'samples/rules/pci.yaml']);
  expect(good.code).toBe(0);
  expect(good.stdout).toMatch(/^valid {4}samples\/rules\/pci\.yaml/);
}, 60_000);

test('test: exit 1 on a failing case, with the closing count on stdout', async () => {
  const run = await runProcess(['rules', 'test', fixture('failing-tests.yaml')]);
  expect(run.code).toBe(1);
  expect(run.stdout.trimEnd().split('\n').at(-1)).toBe('1 passed, 2 failed');
}, 30_000);

test('explain --json on a pipe: one JSON document, no colour codes', async () => {
  const run = await runProcess(['rules', 'explain', 'samples/rules/pci.yaml', '--span', 'samples/rules/spans/payment-client.json', '--json']);
  expect(run.code).toBe(0);
  expect(run.stdout).not.toContain('\u001b[');
  const report = JSON.parse(run.stdout) as { rows: { key: string; status: string }[] };
  expect(report.rows).toContainEqual(expect.objectContaining({ key: 'payment.card.cvv', status: 'removed' }));
}, 30_000);

test('usage error: exit 2, help on stderr, nothing on stdout', async () => {
  const run = await runProcess(['rules', 'explain', 'samples/rules/pci.yaml']);
  expect(run.code).toBe(2);
  expect(run.stdout).toBe('');
  expect(run.stderr).toMatch(/^threadline rules explain: missing required option --span SPAN\.json\n\nUsage: threadline rules explain /);
}, 30_000);

test('--version', async () => {
  const run = await runProcess(['--version']);
  expect(run.code).toBe(0);
  expect(run.stdout).toMatch(/^threadline \d+\.\d+\.\d+\n$/);
}, 30_000);
