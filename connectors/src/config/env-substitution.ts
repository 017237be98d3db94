// ${VAR} references in configuration values, as the OpenTelemetry configuration data model
// defines them: ${VAR}, ${env:VAR} and ${VAR:-default} (the default applies when VAR is unset or
// empty), '$$' escapes '$', only values are substituted (never keys), substituted text is never
// substituted again, and an unquoted value is typed after substitution (so ${PORT} can be a
// number) while a quoted one stays a string. One deliberate difference: the specification
// replaces an unset variable without default by an empty value; here it is an error, because a
// missing secret or endpoint must not pass silently.
import { isAlias, isMap, isScalar, isSeq } from 'yaml';
import type { Pair, Scalar, ScalarTag } from 'yaml';
import type { ConfigIssue } from './config-error';
import { childPointer, dottedPath } from './json-pointer';
import type { ParsedText } from './structured-text';

/** Environment variables by name, e.g. process.env. */
export type Environment = Readonly<Record<string, string | undefined>>;

const ANY_REFERENCE = /\$\{([^}]+)\}/g;
const VALID_REFERENCE = /^(?:env:)?([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?$/;

export interface ExpandResult {
  value: string;
  /** One message per reference that could not be substituted. */
  problems: string[];
}

/** Substitutes the references in one string. */
export function expandReferences(input: string, env: Environment): ExpandResult {
  const problems: string[] = [];
  const substitute = (chunk: string): string =>
    chunk.replace(ANY_REFERENCE, (whole, inner: string) => {
      const match = VALID_REFERENCE.exec(inner);
      if (match === null) {
        problems.push(`invalid environment reference '${whole}' (write \${NAME} or \${NAME:-default}; '$$' escapes '$')`);
        return whole;
      }
      const [, name, fallback] = match;
      const value = env[name];
      if (value !== undefined && value !== '') return value;
      if (fallback !== undefined) return fallback;
      if (value === undefined) {
        problems.push(`environment variable ${name} is not set (set it, or write \${${name}:-default} to give a default)`);
      }
      return '';
    });
  // Left to right: each '$$' is one literal '$', and only the text between escapes is searched
  // for references, so '$${X}' stays '${X}'.
  let output = '';
  let position = 0;
  for (;;) {
    const escape = input.indexOf('$$', position);
    output += substitute(input.slice(position, escape === -1 ? input.length : escape));
    if (escape === -1) break;
    output += '$';
    position = escape + 2;
  }
  return { value: output, problems };
}

/**
 * Substitutes references in every value of the parsed document, in place. Returns one issue per
 * reference that could not be substituted, at the line of its value. A plain value that becomes
 * empty leaves its field unset, as if it had not been written.
 */
export function substituteEnvReferences(parsed: ParsedText, env: Environment): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const data = parsed.document.toJS();
  const visit = (node: unknown, pointer: string, removeFromParent: () => void): void => {
    if (isAlias(node)) return; // its anchor is substituted where it is defined
    if (isMap(node)) {
      for (const pair of [...node.items] as Pair[]) {
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        visit(pair.value, childPointer(pointer, key), () => node.items.splice(node.items.indexOf(pair), 1));
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => visit(item, childPointer(pointer, index), () => undefined));
    } else if (isScalar(node) && typeof node.value === 'string' && node.value.includes('$')) {
      const { value, problems } = expandReferences(node.value, env);
      for (const problem of problems) {
        issues.push({ source: parsed.source, path: pointer, field: dottedPath(pointer, data), message: problem, ...parsed.locate(pointer) });
      }
      if (problems.length > 0 || value === node.value) return;
      if (node.type === 'PLAIN' && node.tag === undefined) {
        const typed = typePlainValue(parsed, value);
        if (typed === null) removeFromParent();
        else node.value = typed;
      } else {
        node.value = value;
      }
    }
  };
  visit(parsed.document.contents, '', () => {
    parsed.document.contents = null;
  });
  return issues;
}

// The value an unquoted scalar with this text would have had: the document schema's own tag
// tests (core schema for YAML: null, booleans, ints incl. 0x/0o, floats), else a string.
function typePlainValue(parsed: ParsedText, text: string): unknown {
  const tags = (parsed.document.schema?.tags ?? []) as ScalarTag[];
  for (const tag of tags) {
    if (tag.default !== true || tag.collection !== undefined || tag.test === undefined || !tag.test.test(text)) continue;
    let failed = false;
    const value = tag.resolve(text, () => (failed = true), parsed.document.options);
    if (failed) break;
    return isScalar(value) ? (value as Scalar).value : value;
  }
  return text;
}
