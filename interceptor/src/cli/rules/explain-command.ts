// `threadline rules explain FILE --span SPAN.json`: a dry run of the rules on one sample span.
// Values are shown by default because the admin runs it locally on sample spans; --hide-values
// keeps only keys, what happened and which rule did it, for output that goes to shared logs.
import { explainSpan, formatIssue, type ConfigIssue } from '@threadline/connectors';
import type { ParsedCommandLine } from '../command';
import { EXIT_FAILURE, EXIT_OK, type CliIo } from '../io';
import { styleFor, type Style } from '../style';
import { explainSections, NO_RULE, type ExplainRow, type ExplainSection, type RowStatus } from './explain-rows';
import { readRules } from './read-rules';
import { readSpanFile } from './span-file';
import { valueText } from './value-text';

export async function runExplain(args: ParsedCommandLine, io: CliIo): Promise<number> {
  const [rulesFile] = args.positionals as [string];
  const spanFile = args.values.span as string;
  const json = args.values.json === true;
  const hideValues = args.values['hide-values'] === true;

  const rules = readRules(rulesFile, io);
  const span = readSpanFile(spanFile, io);
  const issues = [...(rules.ok ? [] : rules.issues), ...(span.ok ? [] : span.issues)];
  if (!rules.ok || !span.ok) return reportInvalid(issues, json, io);

  const explanation = explainSpan(rules.loaded.rules, span.span);
  const changesOnly = args.values['changes-only'] === true;
  const allSections = explainSections(explanation);
  const counts = countRows(allSections);
  const sections = allSections
    .map((section) => ({ ...section, rows: changesOnly ? section.rows.filter((row) => row.status !== 'kept') : section.rows }))
    .filter((section) => section.rows.length > 0);
  const warnings = rules.loaded.rules.warnings;
  if (json) {
    const rows = sections.flatMap((section) => section.rows.map((row) => rowJson(row, hideValues)));
    const exported = hideValues ? {} : { exported: explanation.after };
    io.stdout.write(JSON.stringify({ rules: rulesFile, span: spanFile, valuesHidden: hideValues, warnings, counts, rows, ...exported }, null, 2) + '\n');
    return EXIT_OK;
  }
  const style = styleFor(io.stdout, io.env);
  const lines = [`${style.bold('explain')} ${rulesFile} on ${spanFile}`];
  if (!hideValues) lines.push(style.dim('values are shown as they are; use --hide-values when this output goes to a shared log'));
  for (const warning of warnings) lines.push(`warning: ${warning}`);
  for (const section of sections) lines.push('', sectionTitle(section, hideValues), ...sectionLines(section, hideValues, style));
  lines.push('', `${counts.changed} changed, ${counts.removed} removed, ${counts.added} added, ${counts.kept} kept`);
  io.stdout.write(lines.join('\n') + '\n');
  return EXIT_OK;
}

function reportInvalid(issues: readonly ConfigIssue[], json: boolean, io: CliIo): number {
  if (json) io.stdout.write(JSON.stringify({ valid: false, issues }, null, 2) + '\n');
  else io.stderr.write(issues.map((issue) => `${formatIssue(issue)}\n`).join(''));
  return EXIT_FAILURE;
}

function sectionTitle(section: ExplainSection, hideValues: boolean): string {
  return section.eventName === undefined || hideValues ? section.title : `${section.title} ${JSON.stringify(section.eventName)}`;
}

function sectionLines(section: ExplainSection, hideValues: boolean, style: Style): string[] {
  const width = Math.max(...section.rows.map((row) => row.key.length));
  return section.rows.map((row) => {
    const status = colourStatus(row.status, style)(row.status.padEnd(7));
    const label = row.key.padEnd(width);
    const rule = row.status === 'kept' && row.rule === NO_RULE ? '' : style.dim(`  by ${row.rule}`);
    return `  ${status}  ${label}${hideValues ? '' : `  ${valuesText(row)}`}${rule}`.trimEnd();
  });
}

function valuesText(row: ExplainRow): string {
  if (row.status === 'kept') return valueText(row.before);
  if (row.status === 'added') return `→ ${valueText(row.after)}`;
  return `${valueText(row.before)} → ${row.status === 'removed' ? '(removed)' : valueText(row.after)}`;
}

function colourStatus(status: RowStatus, style: Style): (text: string) => string {
  if (status === 'kept') return style.ok;
  if (status === 'removed') return style.bad;
  return style.changed;
}

function rowJson(row: ExplainRow, hideValues: boolean): object {
  const { part, key, index, status, rule, before, after } = row;
  const at = index === undefined ? {} : { index };
  // null stands for "absent" (JSON has no undefined): no value before (added) or after (removed).
  return hideValues ? { part, key, ...at, status, rule } : { part, key, ...at, status, rule, before: before ?? null, after: after ?? null };
}

function countRows(sections: ExplainSection[]): Record<RowStatus, number> {
  const counts: Record<RowStatus, number> = { kept: 0, changed: 0, removed: 0, added: 0 };
  for (const section of sections) for (const row of section.rows) counts[row.status]++;
  return counts;
}
