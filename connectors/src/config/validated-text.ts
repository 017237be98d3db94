// The one path every user-written file takes (connector config, interceptor config, rule files):
// parse YAML/JSON → substitute ${VAR} references → validate against a schema in schemas/ → plain
// data. Every problem of every stage is collected with file, field, line and column, and thrown
// as one ConfigError.
import { readFileSync } from 'node:fs';
import { ConfigError, type ConfigIssue } from './config-error';
import { substituteEnvReferences, type Environment } from './env-substitution';
import { parseText, type ParsedText, type TextFormat } from './structured-text';
import { sharedSchemaValidator, type SchemaIssue, type SchemaValidator } from './schema-validator';

export interface ValidatedTextOptions {
  /** Variables for ${VAR} references. Default: process.env. */
  env?: Environment;
  /** Overrides detection by file extension and content. */
  format?: TextFormat;
  /** Data used when the text holds no document at all (empty or only comments). Default: null. */
  emptyValue?: unknown;
  /** What the file is, for the error message, e.g. 'redaction rules'. Default: 'configuration'. */
  subject?: string;
  /** Validator to use. Default: the shared one over @threadline/schemas. */
  validator?: SchemaValidator;
}

export interface ValidatedText<T> {
  data: T;
  /** The parsed document, to locate fields for later (semantic) checks. */
  parsed: ParsedText;
}

/** Parses, substitutes and validates text; throws ConfigError listing every problem. */
export function parseValidatedText<T = unknown>(text: string, sourceName: string, schemaRef: string, options: ValidatedTextOptions = {}): ValidatedText<T> {
  const subject = options.subject ?? 'configuration';
  const { parsed, issues } = parseText(text, sourceName, options.format);
  if (issues.length > 0) throw new ConfigError(issues, subject);
  const substitutionIssues = substituteEnvReferences(parsed, options.env ?? process.env);
  if (substitutionIssues.length > 0) throw new ConfigError(substitutionIssues, subject);
  const data: unknown = parsed.document.contents === null ? (options.emptyValue ?? null) : parsed.document.toJS({ maxAliasCount: 100 });
  const schemaIssues = (options.validator ?? sharedSchemaValidator()).validate(schemaRef, data);
  if (schemaIssues.length > 0) throw new ConfigError(locateIssues(schemaIssues, sourceName, parsed), subject);
  return { data: data as T, parsed };
}

/** Reads a file and parses it as parseValidatedText does; an unreadable file is a ConfigError too. */
export function readValidatedFile<T = unknown>(file: string, schemaRef: string, options: ValidatedTextOptions = {}): ValidatedText<T> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : `cannot read the file (${(error as Error).message})`;
    throw new ConfigError([{ source: file, path: '', field: '', message: reason }], options.subject ?? 'configuration');
  }
  return parseValidatedText<T>(text, file, schemaRef, options);
}

/** Schema issues as config issues of a source, with line and column when the source was parsed text. */
export function locateIssues(issues: readonly SchemaIssue[], source: string, parsed?: ParsedText): ConfigIssue[] {
  const located: ConfigIssue[] = issues.map((issue) => ({
    source,
    path: issue.path,
    field: issue.field,
    message: issue.message,
    ...(parsed === undefined ? {} : parsed.locate(issue.path, issue.atKey)),
  }));
  // In the order a reader meets them in the file (sort is stable for issues on one line).
  return located.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}
