// Groups the engine's dry run (one entry per name and attribute, in span order) into the sections
// an admin reads — span name, attributes, events, links, status message, resource — and names
// what happened to each value: kept, changed, removed or added.
import type { ExplainedChange, SpanExplanation, SpanPart } from '@threadline/connectors';

export type RowStatus = 'kept' | 'changed' | 'removed' | 'added';

export interface ExplainRow extends ExplainedChange {
  status: RowStatus;
}

export interface ExplainSection {
  /** 'span name', 'attributes', 'events[0]', 'links[0]', 'status message', 'resource'. */
  title: string;
  /** The event's name, for event sections (a value: not shown when values are hidden). */
  eventName?: string;
  rows: ExplainRow[];
}

/** Why a value passed unchanged when no rule said anything about it. */
export const NO_RULE = 'no rule matched';

export function rowStatus(entry: ExplainedChange): RowStatus {
  if (!entry.changed) return 'kept';
  if (entry.before === undefined) return 'added';
  return entry.after === undefined ? 'removed' : 'changed';
}

function sectionTitle(part: SpanPart, index: number | undefined): string {
  switch (part) {
    case 'name':
      return 'span name';
    case 'attribute':
      return 'attributes';
    case 'event-name':
    case 'event-attribute':
      return `events[${index ?? 0}]`;
    case 'link-attribute':
      return `links[${index ?? 0}]`;
    case 'status-message':
      return 'status message';
    case 'resource-attribute':
      return 'resource';
    default:
      return String(part);
  }
}

/** Sections in the order their first entry appears; values the rules added join their part's section. */
export function explainSections(explanation: SpanExplanation): ExplainSection[] {
  const sections = new Map<string, ExplainSection>();
  for (const entry of explanation.entries) {
    const title = sectionTitle(entry.part, entry.index);
    let section = sections.get(title);
    if (section === undefined) {
      section = { title, rows: [] };
      sections.set(title, section);
    }
    if (entry.part === 'event-name' && typeof entry.before === 'string') section.eventName = entry.before;
    section.rows.push({ ...entry, status: rowStatus(entry) });
  }
  return [...sections.values()];
}
