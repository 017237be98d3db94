// One error type for every configuration or rule file problem, so a user always sees the file,
// the field, the line and what is wrong, for all problems at once rather than one per attempt.

export interface ConfigIssue {
  /** Where the value came from: a file name, 'overrides' or 'environment'. */
  source: string;
  /** JSON Pointer of the field, e.g. '/exporter/queue/maxSize'; '' is the whole document. */
  path: string;
  /** The same field in dotted form, e.g. 'exporter.queue.maxSize' or 'sampling.rules[0].ratio'; '' for syntax errors. */
  field: string;
  /** What is wrong, in plain words. */
  message: string;
  /** 1-based line and column in the source text, when the source is a file. */
  line?: number;
  column?: number;
  /** The environment variable the value came from, for issues found in the environment. */
  variable?: string;
}

/** "threadline.yaml:12:5 exporter.queue.maxSize: must be an integer ≥ 1 (got 0)" */
export function formatIssue(issue: ConfigIssue): string {
  let where = issue.variable !== undefined ? `${issue.variable} (${issue.source})` : issue.source;
  if (issue.line !== undefined) where += `:${issue.line}:${issue.column ?? 1}`;
  return issue.field === '' ? `${where}: ${issue.message}` : `${where} ${issue.field}: ${issue.message}`;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  /** Every problem found, in source order. */
  readonly issues: readonly ConfigIssue[];

  /** `subject` names what was being read, e.g. 'Threadline configuration' or 'redaction rules'. */
  constructor(issues: readonly ConfigIssue[], subject = 'configuration') {
    const sources = [...new Set(issues.map((issue) => issue.source))].join(', ');
    const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
    super(`Invalid ${subject}${sources === '' ? '' : ` in ${sources}`}, ${count}:\n` + issues.map((issue) => `  - ${formatIssue(issue)}`).join('\n'));
    this.issues = issues;
  }
}
