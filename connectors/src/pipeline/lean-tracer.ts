// A tracer for code that starts and ends one span per request with an explicit parent context, such
// as the interceptor's exchanges. It decides as the SDK tracer does (suppressed tracing, parent,
// ids, sampler, W3C random flag, span limits from the OTEL_*_LIMIT variables) and hands each span
// to the pipeline's span processor when it ends, so it takes the same redact → batch → export path.
// Written here because the SDK's span is built for every use: two clocks read and an offset kept,
// about 25 fields, a metrics hook and a processor call at start, per span. That was about a
// microsecond of a traced proxy request's six.
import type {
  Attributes,
  AttributeValue,
  Context,
  Exception,
  HrTime,
  Link,
  Span,
  SpanContext,
  SpanOptions,
  SpanStatus,
  TimeInput,
  Tracer,
} from '@opentelemetry/api';
import { context as contextApi, diag, INVALID_SPAN_CONTEXT, SpanKind, SpanStatusCode, trace, TraceFlags } from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import { getNumberFromEnv, hrTimeDuration, isAttributeValue, isTimeInput, isTracingSuppressed, sanitizeAttributes } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { IdGenerator, ReadableSpan, Sampler, SpanProcessor, TimedEvent } from '@opentelemetry/sdk-trace-base';
import { SamplingDecision } from '@opentelemetry/sdk-trace-base';
import { ATTR_EXCEPTION_MESSAGE, ATTR_EXCEPTION_STACKTRACE, ATTR_EXCEPTION_TYPE } from '@opentelemetry/semantic-conventions';
import { isValidSpanIdHex, isValidTraceIdHex } from '../propagation/hex';
import { FLAG_RANDOM } from '../propagation/traceparent';
import { activeSpanStarter } from './active-span';
import { toHrTime } from './time';

/** The OpenTelemetry span limits (specification "Span Limits"), each a count or a length. */
export interface SpanLimits {
  attributeCountLimit: number;
  attributeValueLengthLimit: number;
  eventCountLimit: number;
  linkCountLimit: number;
  attributePerEventCountLimit: number;
  attributePerLinkCountLimit: number;
}

const DEFAULT_COUNT_LIMIT = 128;

/** The limits the OTEL_*_LIMIT variables set, with the specification's defaults. */
export function spanLimitsFromEnv(): SpanLimits {
  const attributeCount = getNumberFromEnv('OTEL_ATTRIBUTE_COUNT_LIMIT') ?? DEFAULT_COUNT_LIMIT;
  const valueLength = getNumberFromEnv('OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT') ?? Infinity;
  return {
    attributeCountLimit: getNumberFromEnv('OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT') ?? attributeCount,
    attributeValueLengthLimit: getNumberFromEnv('OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT') ?? valueLength,
    eventCountLimit: getNumberFromEnv('OTEL_SPAN_EVENT_COUNT_LIMIT') ?? DEFAULT_COUNT_LIMIT,
    linkCountLimit: getNumberFromEnv('OTEL_SPAN_LINK_COUNT_LIMIT') ?? DEFAULT_COUNT_LIMIT,
    // the specification's names first, then the ones OpenTelemetry JS reads
    attributePerEventCountLimit: getNumberFromEnv('OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT') ?? getNumberFromEnv('OTEL_SPAN_ATTRIBUTE_PER_EVENT_COUNT_LIMIT') ?? DEFAULT_COUNT_LIMIT,
    attributePerLinkCountLimit: getNumberFromEnv('OTEL_LINK_ATTRIBUTE_COUNT_LIMIT') ?? getNumberFromEnv('OTEL_SPAN_ATTRIBUTE_PER_LINK_COUNT_LIMIT') ?? DEFAULT_COUNT_LIMIT,
  };
}

export interface LeanTracerOptions {
  sampler: Sampler;
  idGenerator: IdGenerator;
  /** New trace ids are random in their right-most 7 bytes: roots get the W3C random flag. */
  randomRoots: boolean;
  resource: Resource;
  scope: InstrumentationScope;
  /** Where ended spans go; none: spans are recorded and dropped (a disabled exporter). */
  processor: SpanProcessor | undefined;
  limits: SpanLimits;
}

const UNSET_STATUS: SpanStatus = Object.freeze({ code: SpanStatusCode.UNSET });
const NONE: never[] = Object.freeze([]) as unknown as never[];
/** Read once: an imported enum can be a getter call at every use once bundled. */
const RECORD_AND_SAMPLED = SamplingDecision.RECORD_AND_SAMPLED;
const NOT_RECORD = SamplingDecision.NOT_RECORD;

function validParent(context: Context, root: boolean | undefined): SpanContext | undefined {
  if (root) return undefined;
  const parent = trace.getSpanContext(context);
  return parent !== undefined && isValidTraceIdHex(parent.traceId) && isValidSpanIdHex(parent.spanId) ? parent : undefined;
}

export class LeanTracer implements Tracer {
  constructor(private readonly options: LeanTracerOptions) {}

  startSpan(name: string, spanOptions: SpanOptions = {}, context: Context = contextApi.active()): Span {
    if (isTracingSuppressed(context)) return trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
    const { sampler, idGenerator } = this.options;
    const parent = validParent(context, spanOptions.root);
    const samplingContext = spanOptions.root ? trace.deleteSpan(context) : context;
    const traceId = parent === undefined ? idGenerator.generateTraceId() : parent.traceId;
    const spanId = idGenerator.generateSpanId();
    const kind = spanOptions.kind ?? SpanKind.INTERNAL;
    const links = spanOptions.links ?? [];
    const attributes = sanitizeAttributes(spanOptions.attributes);
    const decision = sampler.shouldSample(samplingContext, traceId, name, kind, attributes, links);

    const random = parent === undefined ? this.options.randomRoots : (parent.traceFlags & FLAG_RANDOM) !== 0;
    const sampled = decision.decision === RECORD_AND_SAMPLED ? TraceFlags.SAMPLED : TraceFlags.NONE;
    const spanContext: SpanContext = {
      traceId,
      spanId,
      traceFlags: sampled | (random ? FLAG_RANDOM : 0),
      traceState: decision.traceState ?? parent?.traceState,
    };
    if (decision.decision === NOT_RECORD) return trace.wrapSpanContext(spanContext);

    if (decision.attributes !== undefined) Object.assign(attributes, sanitizeAttributes(decision.attributes));
    const span = new LeanSpan(name, kind, spanContext, parent, toHrTime(spanOptions.startTime), this.options);
    span.setAttributes(attributes);
    for (const link of links) span.addLink(link);
    return span;
  }

  readonly startActiveSpan: Tracer['startActiveSpan'] = activeSpanStarter(this);
}

/** Cuts strings (and the strings of arrays) to the value length limit. */
function truncated(value: AttributeValue, limit: number): AttributeValue {
  if (typeof value === 'string') return value.length > limit ? value.slice(0, limit) : value;
  if (Array.isArray(value)) return value.map((item: unknown) => (typeof item === 'string' && item.length > limit ? item.slice(0, limit) : item)) as AttributeValue;
  return value;
}

/** Attributes within a count and length limit; `dropped` counts what did not fit. */
function limitedAttributes(source: Attributes | undefined, countLimit: number, lengthLimit: number): { attributes: Attributes; dropped: number } {
  const attributes: Attributes = {};
  let count = 0;
  let dropped = 0;
  const sanitized = sanitizeAttributes(source);
  for (const key in sanitized) {
    if (count >= countLimit) {
      dropped++;
      continue;
    }
    attributes[key] = truncated(sanitized[key]!, lengthLimit);
    count++;
  }
  return { attributes, dropped };
}

/** A recording span that is its own finished-span record: what ReadableSpan asks for, nothing more. */
class LeanSpan implements Span, ReadableSpan {
  readonly attributes: Attributes = {};
  // Most spans have neither: they share one frozen empty array until their first one.
  links: Link[] = NONE;
  events: TimedEvent[] = NONE;
  status: SpanStatus = UNSET_STATUS;
  endTime: HrTime = [0, 0];
  duration: HrTime = [0, 0];
  ended = false;
  droppedAttributesCount = 0;
  droppedEventsCount = 0;
  droppedLinksCount = 0;
  private attributeCount = 0;

  constructor(
    public name: string,
    readonly kind: SpanKind,
    private readonly context: SpanContext,
    readonly parentSpanContext: SpanContext | undefined,
    readonly startTime: HrTime,
    private readonly owner: LeanTracerOptions,
  ) {}

  get resource(): Resource {
    return this.owner.resource;
  }

  get instrumentationScope(): InstrumentationScope {
    return this.owner.scope;
  }

  spanContext(): SpanContext {
    return this.context;
  }

  isRecording(): boolean {
    return !this.ended;
  }

  setAttribute(key: string, value?: AttributeValue): this {
    if (value == null || this.ended) return this;
    if (typeof key !== 'string' || key.length === 0) {
      diag.warn(`Invalid attribute key: ${String(key)}`);
      return this;
    }
    if (!isAttributeValue(value)) {
      diag.warn(`Invalid attribute value set for key: ${key}`);
      return this;
    }
    const limits = this.owner.limits;
    const isNew = !Object.prototype.hasOwnProperty.call(this.attributes, key);
    if (isNew && this.attributeCount >= limits.attributeCountLimit) {
      this.droppedAttributesCount++;
      return this;
    }
    this.attributes[key] = limits.attributeValueLengthLimit === Infinity ? value : truncated(value, limits.attributeValueLengthLimit);
    if (isNew) this.attributeCount++;
    return this;
  }

  setAttributes(attributes: Attributes): this {
    for (const key in attributes) {
      if (Object.prototype.hasOwnProperty.call(attributes, key)) this.setAttribute(key, attributes[key]);
    }
    return this;
  }

  addEvent(name: string, attributesOrStartTime?: Attributes | TimeInput, startTime?: TimeInput): this {
    if (this.ended) return this;
    const limits = this.owner.limits;
    if (limits.eventCountLimit <= 0) {
      this.droppedEventsCount++;
      return this;
    }
    if (this.events === NONE) this.events = [];
    if (this.events.length >= limits.eventCountLimit) {
      // the specification keeps the newest events
      this.events.shift();
      this.droppedEventsCount++;
    }
    let attributes: Attributes | undefined;
    let time = startTime;
    if (isTimeInput(attributesOrStartTime)) time ??= attributesOrStartTime;
    else attributes = attributesOrStartTime;
    const limited = limitedAttributes(attributes, limits.attributePerEventCountLimit, limits.attributeValueLengthLimit);
    this.events.push({ name, attributes: limited.attributes, time: toHrTime(time), droppedAttributesCount: limited.dropped });
    return this;
  }

  addLink(link: Link): this {
    if (this.ended) return this;
    const limits = this.owner.limits;
    if (this.links.length >= limits.linkCountLimit) {
      this.droppedLinksCount++;
      return this;
    }
    const limited = limitedAttributes(link.attributes, limits.attributePerLinkCountLimit, limits.attributeValueLengthLimit);
    const dropped = (link.droppedAttributesCount ?? 0) + limited.dropped;
    if (this.links === NONE) this.links = [];
    this.links.push(dropped === 0 ? { context: link.context, attributes: limited.attributes } : { context: link.context, attributes: limited.attributes, droppedAttributesCount: dropped });
    return this;
  }

  addLinks(links: Link[]): this {
    for (const link of links) this.addLink(link);
    return this;
  }

  setStatus(status: SpanStatus): this {
    // UNSET changes nothing and OK is final (specification "Set Status"); a message only goes with ERROR.
    if (this.ended || status.code === SpanStatusCode.UNSET || this.status.code === SpanStatusCode.OK) return this;
    this.status = status.code === SpanStatusCode.ERROR && typeof status.message === 'string' ? { code: status.code, message: status.message } : { code: status.code };
    return this;
  }

  updateName(name: string): this {
    if (!this.ended) this.name = name;
    return this;
  }

  recordException(exception: Exception, time?: TimeInput): void {
    const attributes: Attributes = {};
    if (typeof exception === 'string') {
      attributes[ATTR_EXCEPTION_MESSAGE] = exception;
    } else if (exception) {
      if (exception.code) attributes[ATTR_EXCEPTION_TYPE] = String(exception.code);
      else if (exception.name) attributes[ATTR_EXCEPTION_TYPE] = exception.name;
      if (exception.message) attributes[ATTR_EXCEPTION_MESSAGE] = exception.message;
      if (exception.stack) attributes[ATTR_EXCEPTION_STACKTRACE] = exception.stack;
    }
    if (attributes[ATTR_EXCEPTION_TYPE] === undefined && attributes[ATTR_EXCEPTION_MESSAGE] === undefined) {
      diag.warn(`Failed to record an exception ${String(exception)}`);
      return;
    }
    this.addEvent('exception', attributes, time);
  }

  end(endTime?: TimeInput): void {
    if (this.ended) {
      diag.error(`${this.name} ${this.context.traceId}-${this.context.spanId} - You can only call end() on a span once.`);
      return;
    }
    let end = toHrTime(endTime);
    let duration = hrTimeDuration(this.startTime, end);
    if (duration[0] < 0) {
      end = this.startTime;
      duration = [0, 0];
    }
    this.endTime = end;
    this.duration = duration;
    this.ended = true;
    this.owner.processor?.onEnd(this);
  }
}
