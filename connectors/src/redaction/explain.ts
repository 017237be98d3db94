// The dry run behind `threadline rules explain`: a span goes through the same code as in the
// pipeline, with an observer that hears every change; the result lists every name and
// attribute before and after, with the rule that changed it.
import type { Attributes } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { ruleSetOf, type CompiledRules } from './compile';
import { EVENT_NAME_KEY, SPAN_NAME_KEY, STATUS_MESSAGE_KEY } from './constants';
import { parseSpanInput, spanInputToReadable, type SpanInput } from './span-input';
import { redactSpan, type RedactionChange, type SpanPart, type SpanRedactionResult } from './span-redaction';

export type { SpanPart } from './span-redaction';

/** One name or attribute of the span, before and after. */
export interface ExplainedChange {
  part: SpanPart;
  /** Attribute key, or (span.name), (event.name), (status.message). */
  key: string;
  /** Event or link position, for their names and attributes. */
  index?: number;
  /** undefined for an attribute the rules added (body fields, the redaction summary). */
  before: unknown;
  /** undefined when removed. */
  after: unknown;
  changed: boolean;
  /** The rule that changed it; for unchanged entries, why it passed (`attributes.safe`, `no rule matched`). */
  rule: string;
}

export interface SpanExplanation {
  /** Where the rules came from. */
  rules: string;
  /** Every name and attribute, in span order (span, events, links, status, resource). */
  entries: ExplainedChange[];
  /** Only the entries that changed. */
  changes: ExplainedChange[];
  /** The span as it would be exported (its resource attributes included). */
  after: SpanInput;
}

function sameEntry(change: RedactionChange, part: SpanPart, key: string, index: number | undefined): boolean {
  return change.part === part && change.key === key && change.index === index;
}

function attributesToJson(attributes: Attributes | undefined): Record<string, unknown> {
  return { ...(attributes ?? {}) };
}

/** The span after redaction, in the input format. */
function outputOf(span: ReadableSpan, result: SpanRedactionResult): SpanInput {
  const output: SpanInput = {
    name: result.name,
    attributes: attributesToJson(result.attributes),
    events: result.events.map((event) => ({ name: event.name, attributes: attributesToJson(event.attributes) })),
    resource: attributesToJson(result.resource.attributes as Attributes),
  };
  if (result.links.length > 0) output.links = result.links.map((link) => ({ attributes: attributesToJson(link.attributes) }));
  if (result.status.message !== undefined) output.status = { message: result.status.message };
  output.kind = (['internal', 'server', 'client', 'producer', 'consumer'] as const)[span.kind];
  return output;
}

/**
 * Explains what `rules` do to a span (see parseSpanInput for the JSON format). Throws
 * ConfigError when `span` is not a valid span input.
 */
export function explainSpan(rules: CompiledRules, span: unknown): SpanExplanation {
  const readable = spanInputToReadable(parseSpanInput(span));
  const ruleSet = ruleSetOf(rules);
  const changes: RedactionChange[] = [];
  const result = redactSpan(ruleSet, readable, (change) => changes.push(change));
  const entries: ExplainedChange[] = [];
  const used = new Set<RedactionChange>();
  const entry = (part: SpanPart, key: string, before: unknown, index?: number, unchangedRule = 'no rule matched'): void => {
    const change = changes.find((candidate) => !used.has(candidate) && sameEntry(candidate, part, key, index));
    if (change !== undefined) used.add(change);
    entries.push({
      part,
      key,
      ...(index === undefined ? {} : { index }),
      before,
      after: change === undefined ? before : change.after,
      changed: change !== undefined,
      rule: change?.rule ?? unchangedRule,
    });
  };
  const attributeEntries = (part: SpanPart, attributes: Attributes | undefined, index?: number): void => {
    for (const [key, value] of Object.entries(attributes ?? {})) {
      const plan = ruleSet.profileFor(undefined).plan(key);
      entry(part, key, value, index, plan.kind === 'keep' ? plan.rule : 'no rule matched');
    }
  };
  entry('name', SPAN_NAME_KEY, readable.name);
  attributeEntries('attribute', readable.attributes);
  readable.events.forEach((event, index) => {
    entry('event-name', EVENT_NAME_KEY, event.name, index);
    attributeEntries('event-attribute', event.attributes, index);
  });
  readable.links.forEach((link, index) => attributeEntries('link-attribute', link.attributes, index));
  if (readable.status.message !== undefined) entry('status-message', STATUS_MESSAGE_KEY, readable.status.message);
  attributeEntries('resource-attribute', readable.resource.attributes as Attributes);
  // What the rules added: body fields, and the redaction summary on the span.
  for (const change of changes) {
    if (!used.has(change)) entries.push({ ...change, changed: true });
  }
  for (const [key, value] of Object.entries(result.attributes)) {
    if (!(key in readable.attributes) && !entries.some((item) => item.part === 'attribute' && item.key === key)) {
      entries.push({ part: 'attribute', key, before: undefined, after: value, changed: true, rule: 'redaction summary' });
    }
  }
  return { rules: rules.source, entries, changes: entries.filter((item) => item.changed), after: outputOf(readable, result) };
}
