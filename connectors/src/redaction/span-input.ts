// The span JSON that explain and rule tests take: the `testSpan` shape of the rules schema (a
// test case's `given.span`). Span records and spans as the OTLP test receiver decodes them fit
// it too (their ids and times are ignored). It becomes a ReadableSpan so the engine redacts it
// exactly as it redacts live spans.
import { SpanKind, SpanStatusCode, type Attributes, type AttributeValue, type Link } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { ConfigError } from '../config/config-error';
import { sharedSchemaValidator } from '../config/schema-validator';
import { parseText } from '../config/structured-text';
import { locateIssues } from '../config/validated-text';
import { isRecordKind, toSpanKind } from '../pipeline/record-span';
import { RULES_SCHEMA_ID, type RuleTestSpan } from './rules-document';

/** A span to explain or test; see the module comment. */
export type SpanInput = RuleTestSpan;

export const SPAN_INPUT_SCHEMA_REF = `${RULES_SCHEMA_ID}#/$defs/testSpan`;
const SUBJECT = 'span';

/** OTLP numbers kinds from 1 (internal); the OpenTelemetry JS enum from 0. */
const OTLP_KINDS = [SpanKind.INTERNAL, SpanKind.INTERNAL, SpanKind.SERVER, SpanKind.CLIENT, SpanKind.PRODUCER, SpanKind.CONSUMER];
const STATUS: Readonly<Record<string, SpanStatusCode>> = { unset: SpanStatusCode.UNSET, ok: SpanStatusCode.OK, error: SpanStatusCode.ERROR };

/** Checks span JSON against the schema; throws ConfigError with field paths. */
export function parseSpanInput(json: unknown, source = 'span'): SpanInput {
  const issues = sharedSchemaValidator().validate(SPAN_INPUT_SCHEMA_REF, json);
  if (issues.length > 0) throw new ConfigError(locateIssues(issues, source), SUBJECT);
  return json as SpanInput;
}

/** Parses span text (JSON or YAML); problems come with field paths and lines. */
export function parseSpanText(text: string, sourceName: string): SpanInput {
  const { parsed, issues } = parseText(text, sourceName);
  if (issues.length > 0) throw new ConfigError(issues, SUBJECT);
  const data: unknown = parsed.document.toJS({ maxAliasCount: 100 });
  const schemaIssues = sharedSchemaValidator().validate(SPAN_INPUT_SCHEMA_REF, data);
  if (schemaIssues.length > 0) throw new ConfigError(locateIssues(schemaIssues, sourceName, parsed), SUBJECT);
  return data as SpanInput;
}

function attributesOf(values: Record<string, unknown> | undefined): Attributes {
  return { ...(values ?? {}) } as Record<string, AttributeValue>;
}

/** A ReadableSpan with the input's parts (ids and times are placeholders). */
export function spanInputToReadable(input: SpanInput): ReadableSpan {
  const kind = typeof input.kind === 'number' ? (OTLP_KINDS[input.kind] ?? SpanKind.INTERNAL) : isRecordKind(input.kind) ? toSpanKind(input.kind) : SpanKind.INTERNAL;
  const code = input.status?.code;
  const status = {
    code: typeof code === 'number' ? code : STATUS[code ?? 'unset'],
    ...(input.status?.message === undefined ? {} : { message: input.status.message }),
  };
  const resourceAttributes = attributesOf(input.resource);
  if (input.service !== undefined || resourceAttributes[ATTR_SERVICE_NAME] === undefined) resourceAttributes[ATTR_SERVICE_NAME] = input.service ?? 'test';
  const context = { traceId: '0'.repeat(31) + '1', spanId: '0'.repeat(15) + '1', traceFlags: 1 };
  const events: TimedEvent[] = (input.events ?? []).map((event) => ({ name: event.name, time: [0, 0], attributes: attributesOf(event.attributes) }));
  const links: Link[] = (input.links ?? []).map((link) => ({ context, attributes: attributesOf(link.attributes) }));
  return {
    name: input.name ?? 'test',
    kind,
    spanContext: () => context,
    parentSpanContext: undefined,
    startTime: [0, 0],
    endTime: [0, 0],
    status,
    attributes: attributesOf(input.attributes),
    links,
    events,
    duration: [0, 0],
    ended: true,
    resource: resourceFromAttributes(resourceAttributes),
    instrumentationScope: { name: 'threadline-rules' },
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  };
}
