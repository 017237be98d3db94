// `threadline rules explain FILE --span SPAN.json`: every value before and after, the rule that
// changed it, and --hide-values for output that goes to shared logs.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { EXIT_FAILURE, EXIT_OK } from '../../src/cli/io';
import { FIXTURES, REPO_ROOT, runInProcess } from './cli-harness';

const fixture = (name: string): string => path.relative(REPO_ROOT, path.join(FIXTURES, name));
const SPAN = 'samples/rules/spans/http-server.json';
const explain = (...argv: string[]) => runInProcess(['rules', 'explain', ...argv]);

/** Every string value in a JSON value (not the keys). */
function stringsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsOf);
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(stringsOf);
  return [];
}

/** Every key in a JSON value. */
function keysOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(keysOf);
  if (typeof value === 'object' && value !== null) return Object.entries(value).flatMap(([key, inner]) => [key, ...keysOf(inner)]);
  return [];
}

test('shows every attribute before and after, with the rule that changed it', async () => {
  const run = await explain('samples/rules/gdpr.yaml', '--span', SPAN);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(EXIT_OK);
  const lines = run.stdout.split('\n');
  expect(lines[0]).toBe(`explain samples/rules/gdpr.yaml on ${SPAN}`);
  for (const title of ['span name', 'attributes', 'status message', 'events[0] "exception"', 'resource']) expect(lines).toContain(title);
  expect(run.stdout).toMatch(/^ {2}kept {5}http\.request\.method +"POST" {2}by attributes\.safe$/m);
  expect(run.stdout).toMatch(/^ {2}kept {5}order\.id +"o-991"$/m);
  expect(run.stdout).toMatch(/^ {2}removed {2}customer\.name +"Alice Example" → \(removed\) {2}by attributes\.allow$/m);
  expect(run.stdout).toMatch(/^ {2}changed {2}url\.path +"\/customers\/48213\/orders" → "\/customers\/\{id\}\/orders" {2}by \S/m);
  expect(run.stdout).toMatch(/^ {2}changed {2}exception\.stacktrace +"PaymentError: card 4111 1111 1111 1111 declined\\n.*" → "PaymentError: card REDACTED declined\\n.*" {2}by detectors\.paymentCard$/m);
  expect(run.stdout).toMatch(/^ {2}added {4}http\.request\.body\/order\/id +→ "o-991" {2}by bodies\.request\[0\]/m);
  // Without the HMAC key a hashed value is dropped, and the output says why.
  expect(run.stdout).toContain('warning: environment variable THREADLINE_HASH_KEY is not set');
  expect(run.stdout).toMatch(/^ {2}removed {2}enduser\.id +"customer-48213" → \(removed\) {2}by .*no key/m);
  expect(lines.at(-2)).toMatch(/^\d+ changed, \d+ removed, \d+ added, \d+ kept$/);
});

test('--hide-values: keys, outcome and rule, and not one value of the span', async () => {
  const run = await explain('samples/rules/gdpr.yaml', '--span', SPAN, '--hide-values');
  expect(run.code).toBe(EXIT_OK);
  expect(run.stdout).toMatch(/^ {2}removed {2}customer\.name +by attributes\.allow$/m);
  const span = JSON.parse(readFileSync(path.join(REPO_ROOT, SPAN), 'utf8')) as { kind: string };
  // The values of the span, except the kind and words that are also part of a key ('exception').
  const keys = keysOf(span);
  const planted = stringsOf(span).filter((text) => text.length >= 4 && text !== span.kind && !keys.some((key) => key.includes(text)));
  expect(planted.length).toBeGreaterThan(15);
  for (const text of planted) expect(run.stdout).not.toContain(text);
  expect(run.stdout).not.toContain('values are shown');
});

test('--changes-only leaves out what was kept', async () => {
  const run = await explain('samples/rules/gdpr.yaml', '--span', SPAN, '--changes-only');
  expect(run.code).toBe(EXIT_OK);
  expect(run.stdout).not.toMatch(/^ {2}kept /m);
  expect(run.stdout).toMatch(/^ {2}removed /m);
  // The closing count still counts everything.
  expect(run.stdout).toMatch(/, [1-9]\d* kept\n$/);
});

test('with the HMAC key set, hashed values show as hmac: digests', async () => {
  const run = await runInProcess(['rules', 'explain', 'samples/rules/gdpr.yaml', '--span', SPAN, '--changes-only'], { env: { THREADLINE_HASH_KEY: 'a-test-key-of-32-bytes-for-hmac!' } });
  expect(run.code).toBe(EXIT_OK);
  expect(run.stdout).not.toContain('warning');
  expect(run.stdout).toMatch(/^ {2}changed {2}enduser\.id +"customer-48213" → "hmac:[0-9a-f]{32}"/m);
});

test('--json: one row per value; with --hide-values the rows carry no values', async () => {
  const run = await explain('samples/rules/gdpr.yaml', '--span', SPAN, '--json');
  expect(run.code).toBe(EXIT_OK);
  const report = JSON.parse(run.stdout) as { rows: { part: string; key: string; status: string; before?: unknown; after?: unknown; rule?: string }[] };
  const email = report.rows.find((row) => row.key === 'customer.name');
  expect(report.rows.filter((row) => row.status === 'kept').length).toBeGreaterThan(5);
  expect(email).toMatchObject({ part: 'attribute', status: 'removed', before: 'Alice Example', after: null });
  expect(typeof email!.rule).toBe('string');

  const hidden = await explain('samples/rules/gdpr.yaml', '--span', SPAN, '--json', '--hide-values');
  const hiddenReport = JSON.parse(hidden.stdout) as { valuesHidden: boolean; rows: object[] };
  expect(hiddenReport.valuesHidden).toBe(true);
  for (const row of hiddenReport.rows) expect(Object.keys(row)).not.toEqual(expect.arrayContaining(['before']));
  expect(hiddenReport.rows).toHaveLength(report.rows.length);
});

test('a span file with a JSON syntax error: exit 1 with its line', async () => {
  const run = await explain('samples/rules/gdpr.yaml', '--span', fixture('broken-span.json'));
  expect(run.code).toBe(EXIT_FAILURE);
  expect(run.stdout).toBe('');
  expect(run.stderr).toMatch(new RegExp(`^${fixture('broken-span.json').replace(/\./g, '\\.')}:[45]:\\d+: JSON syntax: `, 'm'));
});

test('a span that is not a span: exit 1 naming the field', async () => {
  const run = await explain('samples/rules/gdpr.yaml', '--span', fixture('invalid-span.json'));
  expect(run.code).toBe(EXIT_FAILURE);
  expect(run.stderr).toMatch(/invalid-span\.json(:3:\d+)? attributes: /);
});

test('invalid rules or a missing span file: exit 1, both reported', async () => {
  const run = await explain(fixture('unknown-field.yaml'), '--span', 'no-such-span.json');
  expect(run.code).toBe(EXIT_FAILURE);
  expect(run.stderr).toMatch(/unknown-field\.yaml:6:3 /);
  expect(run.stderr).toContain('no-such-span.json: file not found');
});
