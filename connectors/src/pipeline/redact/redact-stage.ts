import type { Attributes, Context, HrTime, Link, SpanContext, SpanKind, SpanStatus } from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import { diag, TraceFlags } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor, TimedEvent } from '@opentelemetry/sdk-trace-base';
import type { PipelineCounters } from '../stats';
import type { RedactableParts, Redactor } from './redactor';
import type { RedactedSpan, RedactedSpanSink } from './redacted-span';

/** Set on a span whose attributes were removed because the redactor failed on it. */
export const ATTR_REDACTION_FAILED = 'threadline.redaction.failed';

/**
 * What to do with a span the redactor fails on: `strip` exports it without any attribute, event
 * attribute, link attribute or status message (name, ids and times stay, marked
 * threadline.redaction.failed=true); `drop` does not export it at all.
 */
export type RedactionFailureMode = 'strip' | 'drop';

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

function checkParts(parts: RedactableParts): void {
  if (!isObject(parts)) throw new TypeError('redactor returned no parts');
  if (typeof parts.name !== 'string') throw new TypeError('redactor returned a name that is not a string');
  if (!isObject(parts.attributes)) throw new TypeError('redactor returned attributes that are not an object');
  if (!Array.isArray(parts.events)) throw new TypeError('redactor returned events that are not an array');
  if (!Array.isArray(parts.links)) throw new TypeError('redactor returned links that are not an array');
  if (!isObject(parts.status) || typeof parts.status.code !== 'number') throw new TypeError('redactor returned no status');
  if (parts.resource !== undefined && (!isObject(parts.resource) || !isObject(parts.resource.attributes))) throw new TypeError('redactor returned a resource without attributes');
}

/**
 * The export snapshot: the redacted parts over the original's identity and timing, in a new
 * object so nothing but the redacted parts can reach the exporter. The parts are not copied: a
 * span cannot change after it ended, and a Redactor returns new objects for what it changes. A
 * class, so spanContext() is a method rather than a closure per span.
 */
class SealedSpan implements ReadableSpan {
  readonly kind: SpanKind;
  readonly parentSpanContext: SpanContext | undefined;
  readonly startTime: HrTime;
  readonly endTime: HrTime;
  readonly duration: HrTime;
  readonly ended = true;
  readonly resource: Resource;
  readonly instrumentationScope: InstrumentationScope;
  readonly droppedAttributesCount: number;
  readonly droppedEventsCount: number;
  readonly droppedLinksCount: number;
  readonly #context: SpanContext;

  constructor(
    original: ReadableSpan,
    readonly name: string,
    readonly status: SpanStatus,
    readonly attributes: Attributes,
    readonly links: Link[],
    readonly events: TimedEvent[],
    // The same Resource object for every span of a resource: the OTLP encoder groups spans by Resource identity.
    resource: Resource | undefined,
    droppedAttributes: number,
  ) {
    this.#context = original.spanContext();
    this.kind = original.kind;
    this.parentSpanContext = original.parentSpanContext;
    this.startTime = original.startTime;
    this.endTime = original.endTime;
    this.duration = original.duration;
    this.resource = resource ?? original.resource;
    this.instrumentationScope = original.instrumentationScope;
    this.droppedAttributesCount = original.droppedAttributesCount + droppedAttributes;
    this.droppedEventsCount = original.droppedEventsCount;
    this.droppedLinksCount = original.droppedLinksCount;
  }

  spanContext(): SpanContext {
    return this.#context;
  }
}

function seal(original: ReadableSpan, parts: RedactableParts, droppedAttributes = 0): RedactedSpan {
  checkParts(parts);
  const status: SpanStatus = parts.status.message === undefined ? { code: parts.status.code } : { code: parts.status.code, message: String(parts.status.message) };
  return new SealedSpan(original, parts.name, status, parts.attributes, parts.links as Link[], parts.events as TimedEvent[], parts.resource as Resource | undefined, droppedAttributes) as unknown as RedactedSpan;
}

function countAttributes(attributes: Attributes | undefined): number {
  return attributes ? Object.keys(attributes).length : 0;
}

/** Fail closed: nothing the redactor could not check leaves, and the removal is counted as dropped attributes. */
function strippedParts(span: ReadableSpan): { parts: RedactableParts; droppedAttributes: number } {
  return {
    parts: {
      name: span.name,
      attributes: { [ATTR_REDACTION_FAILED]: true },
      events: span.events.map((event) => ({
        name: event.name,
        time: event.time,
        attributes: {},
        droppedAttributesCount: (event.droppedAttributesCount ?? 0) + countAttributes(event.attributes),
      })),
      links: span.links.map((link) => ({
        context: link.context,
        attributes: {},
        droppedAttributesCount: (link.droppedAttributesCount ?? 0) + countAttributes(link.attributes),
      })),
      status: { code: span.status.code },
    },
    droppedAttributes: countAttributes(span.attributes),
  };
}

/**
 * The redact stage, the pipeline's only span processor: span end → redact → batch queue. It is
 * the only code that turns a span into a RedactedSpan, so no path reaches the exporter around it.
 */
export class RedactStage implements SpanProcessor {
  private failureLogged = false;

  constructor(
    private readonly redactor: Redactor,
    private readonly sink: RedactedSpanSink,
    private readonly counters: PipelineCounters,
    private readonly failureMode: RedactionFailureMode = 'strip',
  ) {}

  onStart(_span: Span, _parentContext: Context): void {}

  onEnd(span: ReadableSpan): void {
    this.accept(span);
  }

  /** Redacts a finished span and queues it; false when it was not sampled or not accepted. */
  accept(span: ReadableSpan): boolean {
    if ((span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return false;
    // A full queue refuses the span anyway: do not spend a redaction on it.
    if (!this.sink.canAccept()) {
      this.sink.countDropped();
      return false;
    }
    const redacted = this.redact(span);
    if (redacted === undefined) {
      this.sink.countDropped();
      return false;
    }
    return this.sink.push(redacted);
  }

  forceFlush(): Promise<void> {
    return this.sink.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.sink.shutdown();
  }

  private redact(span: ReadableSpan): RedactedSpan | undefined {
    try {
      const parts = this.redactor.redact(span);
      const sealed = seal(span, parts);
      // Failures the redactor handled itself (by dropping what it could not check) still count.
      if (typeof parts.failures === 'number' && parts.failures > 0) {
        this.counters.redactionFailures += parts.failures;
        this.logFailure(new Error(`${parts.failures} rule application(s) failed; the values were dropped`), 'partial');
      }
      return sealed;
    } catch (error) {
      this.counters.redactionFailures++;
      this.logFailure(error);
    }
    if (this.failureMode === 'drop') return undefined;
    try {
      const { parts, droppedAttributes } = strippedParts(span);
      return seal(span, parts, droppedAttributes);
    } catch {
      return undefined;
    }
  }

  private logFailure(error: unknown, scope: 'span' | 'partial' = 'span'): void {
    if (this.failureLogged) return;
    this.failureLogged = true;
    const reason = error instanceof Error ? error.message : String(error);
    const outcome = scope === 'partial' ? 'exported without those values' : this.failureMode === 'strip' ? 'exported without attributes' : 'dropped';
    diag.error(`Threadline redaction failed (${reason}); the span is ${outcome}. Further failures are only counted.`);
  }
}
