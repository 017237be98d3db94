// `threadline rules test FILE...`: runs the `tests:` cases of each rules file, so a rule change
// is checked in CI. Exit 1 when any case fails or a file is invalid.
import { formatIssue, runRuleTests, type RuleTestReport, type RuleTestResult } from '@threadline/connectors';
import type { ParsedCommandLine } from '../command';
import { EXIT_FAILURE, EXIT_OK, type CliIo } from '../io';
import { styleFor, type Style } from '../style';
import { readRules, type RulesReadResult } from './read-rules';
import { valueDifferences } from './value-diff';
import { pathText, valueText } from './value-text';

interface FileOutcome {
  read: RulesReadResult;
  report?: RuleTestReport;
}

export async function runRuleTestsCommand(args: ParsedCommandLine, io: CliIo): Promise<number> {
  const outcomes: FileOutcome[] = args.positionals.map((file) => {
    const read = readRules(file, io);
    return read.ok ? { read, report: runRuleTests(read.loaded.rules) } : { read };
  });
  const passed = sum(outcomes, (outcome) => outcome.report?.passed ?? 0);
  const failed = sum(outcomes, (outcome) => outcome.report?.failed ?? 0);
  const invalidFiles = outcomes.filter((outcome) => !outcome.read.ok).length;
  const ok = failed === 0 && invalidFiles === 0;

  if (args.values.json === true) {
    io.stdout.write(JSON.stringify({ ok, passed, failed, invalidFiles, files: outcomes.map(outcomeJson) }, null, 2) + '\n');
    return ok ? EXIT_OK : EXIT_FAILURE;
  }
  const style = styleFor(io.stdout, io.env);
  const lines: string[] = [];
  for (const outcome of outcomes) lines.push(...outcomeLines(outcome, style), '');
  const closing = `${passed} passed, ${failed} failed`;
  lines.push(invalidFiles > 0 ? `${closing}, ${invalidFiles} invalid file${invalidFiles === 1 ? '' : 's'}` : closing);
  io.stdout.write(lines.join('\n') + '\n');
  return ok ? EXIT_OK : EXIT_FAILURE;
}

function outcomeLines({ read, report }: FileOutcome, style: Style): string[] {
  if (!read.ok) return [`${read.file}: ${style.bad('invalid')}`, ...read.issues.map((issue) => `  ${formatIssue(issue)}`)];
  const lines = [style.bold(read.file), ...read.loaded.rules.warnings.map((warning) => `  warning: ${warning}`)];
  if (report === undefined || report.cases.length === 0) return [...lines, style.dim('  no test cases (add them under tests:)')];
  for (const result of report.cases) {
    lines.push(`  ${result.ok ? style.ok('PASS') : style.bad('FAIL')}  ${result.name}`);
    if (!result.ok) lines.push(...failureLines(result, style));
  }
  return lines;
}

/**
 * Where the actual result differs from the expected one, "- expected" / "+ actual" per field, and
 * the texts of `notContains` that were found. The engine's own message when there is nothing
 * structured to show (a case that could not run).
 */
function failureLines(result: RuleTestResult, style: Style): string[] {
  const { notContains: _expectedTexts, ...expected } = asRecord(result.expected);
  const { notContains: found, ...actual } = asRecord(result.actual);
  const lines: string[] = [];
  for (const difference of valueDifferences(expected, actual)) {
    lines.push(
      `        ${pathText(difference.path)}`,
      `          ${style.bad(`- expected ${shown(difference.expected)}`)}`,
      `          ${style.ok(`+ actual   ${shown(difference.actual)}`)}`,
    );
  }
  // On failure the engine lists the texts it found as "found: <text>".
  for (const entry of Array.isArray(found) ? found : []) {
    if (typeof entry === 'string' && entry.startsWith(FOUND_PREFIX)) lines.push(`        notContains: ${style.bad(`${valueText(entry.slice(FOUND_PREFIX.length))} still appears in the redacted span`)}`);
  }
  if (lines.length === 0 && result.message !== undefined) lines.push(...result.message.split('\n').map((line) => `        ${line}`));
  return lines;
}

const FOUND_PREFIX = 'found: ';

/** In test expectations null means "gone"; show it so. */
function shown(value: unknown): string {
  return value === null || value === undefined ? '(absent)' : valueText(value);
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function outcomeJson({ read, report }: FileOutcome): object {
  if (!read.ok) return { file: read.file, valid: false, issues: read.issues };
  return { file: read.file, valid: true, warnings: read.loaded.rules.warnings, passed: report?.passed ?? 0, failed: report?.failed ?? 0, cases: report?.cases ?? [] };
}

function sum<T>(items: readonly T[], count: (item: T) => number): number {
  return items.reduce((total, item) => total + count(item), 0);
}
