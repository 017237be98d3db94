// Reads YAML or JSON text into a yaml Document that keeps every node's source range, so any
// problem found later (a bad value, an unknown field, a missing variable) is reported with its
// line and column. JSON goes through the same parser with the YAML JSON schema (JSON is YAML
// 1.2), so there is one reader and one way of locating fields.
import { LineCounter, isAlias, isCollection, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { Document, Node } from 'yaml';
import type { ConfigIssue } from './config-error';
import { pointerSegments } from './json-pointer';

export type TextFormat = 'yaml' | 'json';

export interface TextPosition {
  /** 1-based line. */
  line: number;
  /** 1-based column. */
  column: number;
}

export interface ParsedText {
  /** Name used in messages, usually the file path. */
  source: string;
  format: TextFormat;
  /** The parsed document; env-substitution edits it in place before toJS(). */
  document: Document.Parsed;
  /**
   * Where the value at a JSON Pointer starts (or its name, with atKey). A path that does not
   * exist is located at its nearest existing ancestor.
   */
  locate(pointer: string, atKey?: boolean): TextPosition;
}

/** YAML for .yaml/.yml, JSON for .json; otherwise JSON when the text starts with '{' or '['. */
export function detectFormat(sourceName: string, text: string): TextFormat {
  if (/\.ya?ml$/i.test(sourceName)) return 'yaml';
  if (/\.json$/i.test(sourceName)) return 'json';
  return /^\s*[[{]/.test(text.replace(/^\uFEFF/, '')) ? 'json' : 'yaml';
}

/** Parses text; syntax errors come back as issues with their positions (never thrown). */
export function parseText(text: string, sourceName: string, format: TextFormat = detectFormat(sourceName, text)): { parsed: ParsedText; issues: ConfigIssue[] } {
  const lineCounter = new LineCounter();
  const document = parseDocument(text.replace(/^\uFEFF/, ''), {
    lineCounter,
    prettyErrors: false,
    schema: format === 'json' ? 'json' : 'core',
    version: '1.2',
    uniqueKeys: true,
  });
  const position = (offset: number): TextPosition => {
    const { line, col } = lineCounter.linePos(offset);
    return line === 0 ? { line: 1, column: col + 1 } : { line, column: col };
  };
  const issues: ConfigIssue[] = [...document.errors, ...document.warnings].map((problem) => ({
    source: sourceName,
    path: '',
    field: '',
    message: `${format === 'json' ? 'JSON' : 'YAML'} syntax: ${problem.message}`,
    ...position(problem.pos[0]),
  }));
  const parsed: ParsedText = {
    source: sourceName,
    format,
    document,
    locate: (pointer, atKey = false) => position(offsetOf(document, pointer, atKey)),
  };
  return { parsed, issues };
}

function offsetOf(document: Document.Parsed, pointer: string, atKey: boolean): number {
  let node: unknown = document.contents;
  let offset = startOf(node) ?? 0;
  const segments = pointerSegments(pointer);
  for (let index = 0; index < segments.length; index++) {
    if (isAlias(node)) node = node.resolve(document);
    const last = index === segments.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((item) => keyText(item.key) === segments[index]);
      if (pair === undefined) return offset;
      const keyOffset = startOf(pair.key) ?? offset;
      if (last && atKey) return keyOffset;
      // A nested mapping or list is best pointed at by its key; a scalar by its value.
      offset = isCollection(pair.value) || pair.value === null ? keyOffset : (startOf(pair.value) ?? keyOffset);
      node = pair.value;
    } else if (isSeq(node)) {
      const item: unknown = node.items[Number(segments[index])];
      if (item === undefined) return offset;
      offset = startOf(item) ?? offset;
      node = item;
    } else {
      return offset;
    }
  }
  return offset;
}

function keyText(key: unknown): string {
  return isScalar(key) ? String(key.value) : String(key);
}

function startOf(node: unknown): number | undefined {
  const range = (node as Node | null)?.range;
  return Array.isArray(range) ? range[0] : undefined;
}
