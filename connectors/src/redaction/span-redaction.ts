// Redacts the parts of one span under compiled rules: name, attributes, events, links, status
// message and (once per Resource object) resource attributes. The same code serves the pipeline
// and the dry-run explainer, which passes an observer to hear about every change.
// Fail closed: when applying a rule throws, the value it was applied to is dropped (a name or
// status message becomes REDACTED), the failure is counted and the span marked; nothing raw leaves.
import type { Attributes, AttributeValue, Link } from '@opentelemetry/api';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace-base';
import { ATTR_HTTP_ROUTE, ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { ATTR_REDACTION_FAILED } from '../pipeline/redact/redact-stage';
import type { RedactableParts } from '../pipeline/redact/redactor';
import { bodyFields, type BodyField } from './body-fields';
import type { CompiledRuleSet, KeyPlan, Profile } from './compile';
import {
  ATTR_REDACTION_COUNT,
  ATTR_REDACTION_KEYS,
  EVENT_NAME_KEY,
  MAX_SUMMARY_KEYS,
  REDACTED,
  REDACTED_KEY_NAME,
  SPAN_NAME_KEY,
  STATUS_MESSAGE_KEY,
} from './constants';
import { DROPPED, type ScanResult } from './value-scanner';

export type SpanPart = 'name' | 'attribute' | 'event-name' | 'event-attribute' | 'link-attribute' | 'status-message' | 'resource-attribute';

export interface RedactionChange {
  part: SpanPart;
  /** The attribute key, or (span.name), (event.name), (status.message). */
  key: string;
  /** For event and link attributes and event names: the position of the event or link. */
  index?: number;
  before: unknown;
  /** undefined when the value was removed. */
  after: unknown;
  /** What changed it: `detectors.email`, `attributes.block`, a rule's name… */
  rule: string;
}

export type ChangeObserver = (change: RedactionChange) => void;

/** The redacted parts, the resource to export with them, and how many rule applications failed. */
export interface SpanRedactionResult extends RedactableParts {
  resource: Resource;
  failures: number;
}

const KIND_NAMES = ['internal', 'server', 'client', 'producer', 'consumer'];
const ENGINE_FAILURE = 'engine failure (value dropped)';

type PlanResult = AttributeValue | typeof DROPPED | BodyField[];

function isPlainText(value: unknown): value is string {
  return typeof value === 'string';
}

class SpanRedaction {
  count = 0;
  failures = 0;
  private keys: string[] | undefined;

  constructor(
    private readonly rules: CompiledRuleSet,
    private readonly profile: Profile,
    private readonly observer: ChangeObserver | undefined,
  ) {}

  summaryAttributes(): Attributes | undefined {
    if (this.count === 0 && this.failures === 0) return undefined;
    const summary: Attributes = {};
    if (this.rules.summary && this.count > 0) {
      summary[ATTR_REDACTION_COUNT] = this.count;
      summary[ATTR_REDACTION_KEYS] = this.keys ?? [];
    }
    if (this.failures > 0) summary[ATTR_REDACTION_FAILED] = true;
    return summary;
  }

  /** A span name, event name or status message; never removed (REDACTED instead). */
  text(value: string, part: SpanPart, key: string, index?: number): string {
    if (this.observer === undefined && this.profile.isCleanName(value)) return value;
    const fired = this.observer === undefined ? undefined : [];
    let result: ScanResult;
    let rule: string | undefined;
    try {
      const structured = part === 'name' || part === 'event-name' ? this.urlsInName(value) : value;
      if (structured !== value) rule = 'url';
      result = this.profile.scanner.scan(structured, fired);
    } catch {
      this.failures++;
      result = DROPPED;
      rule = ENGINE_FAILURE;
    }
    if (result === value) {
      if (rule === undefined) this.profile.rememberCleanName(value);
      return value;
    }
    const after = result === DROPPED ? REDACTED : result;
    this.record(part, key, key, value, after, rule ?? this.firedRule(fired), index);
    return after;
  }

  /** Attributes after the rules; the same object when nothing changed. */
  attributes(attributes: Attributes | undefined, part: SpanPart, scanValues: boolean, index?: number): Attributes | undefined {
    if (attributes === undefined) return undefined;
    let result: Attributes | undefined;
    for (const key in attributes) {
      const value = attributes[key];
      if (value === undefined) continue;
      const plan = this.profile.plan(key);
      let after: PlanResult;
      let rule: string | undefined;
      const fired = this.observer === undefined ? undefined : [];
      try {
        after = this.applyPlan(plan, value, key.startsWith('exception.') ? this.rules.apply.exceptions : scanValues, fired);
      } catch {
        this.failures++;
        after = DROPPED;
        rule = ENGINE_FAILURE;
      }
      if (after === value) continue;
      result ??= { ...attributes };
      delete result[key];
      if (plan.kind === 'own') continue;
      const summaryKey = plan.kind === 'drop' && plan.hideKey === true ? REDACTED_KEY_NAME : key;
      rule ??= this.planRule(plan, fired);
      if (Array.isArray(after) && plan.kind === 'body') {
        this.record(part, key, summaryKey, value, undefined, rule, index);
        for (const field of after as BodyField[]) this.bodyField(result, field, part, index);
      } else if (after === DROPPED) {
        this.record(part, key, summaryKey, value, undefined, rule, index);
      } else {
        result[key] = after as AttributeValue;
        this.record(part, key, summaryKey, value, after, rule, index);
      }
    }
    return result ?? attributes;
  }

  private bodyField(into: Attributes, field: BodyField, part: SpanPart, index: number | undefined): void {
    const fired = this.observer === undefined ? undefined : [];
    let value: ScanResult | AttributeValue;
    try {
      value = field.field.action !== undefined ? this.mapText(field.value, (text) => field.field.action!.apply(text) ?? DROPPED) : this.scanValue(field.value, fired);
    } catch {
      this.failures++;
      value = DROPPED;
    }
    if (value === DROPPED) {
      this.record(part, field.key, field.key, field.value, undefined, field.field.action?.label ?? this.firedRule(fired), index);
      return;
    }
    into[field.key] = value;
    if (value !== field.value) this.record(part, field.key, field.key, field.value, value, field.field.action !== undefined ? `${field.field.rule}: ${field.field.action.label}` : this.firedRule(fired), index);
    else this.observer?.({ part, key: field.key, index, before: undefined, after: value, rule: `${field.field.rule} (field kept)` });
  }

  private applyPlan(plan: KeyPlan, value: AttributeValue, scanValues: boolean, fired: string[] | undefined): PlanResult {
    switch (plan.kind) {
      case 'own':
      case 'drop':
        return DROPPED;
      case 'keep':
        return value;
      case 'action':
        return this.mapText(value, (text) => plan.action.apply(text) ?? DROPPED);
      case 'scan':
        return scanValues ? this.scanValue(value, fired) : value;
      case 'url': {
        if (!scanValues) return value;
        if (typeof value === 'string') return this.urlValue(plan.part, value, fired);
        return this.mapText(value, (text) => this.urlValue(plan.part, text, fired), true);
      }
      case 'body': {
        const fields = bodyFields(plan.spec === this.rules.requestBody ? 'http.request.body' : 'http.response.body', value, plan.spec);
        return typeof fields === 'string' ? DROPPED : fields;
      }
    }
  }

  /** URL rules, then detectors and patterns. */
  private urlValue(part: 'full' | 'query' | 'target' | 'path', text: string, fired: string[] | undefined): ScanResult {
    const url = this.profile.url;
    const structured = part === 'full' ? url.full(text) : part === 'query' ? url.query(text) : part === 'target' ? url.target(text) : url.path(text);
    if (structured !== text) fired?.push('url');
    return this.profile.scanner.scan(structured, fired);
  }

  /** Detectors and patterns over a value: strings, large integers (card and phone numbers), arrays. */
  private scanValue(value: AttributeValue, fired: string[] | undefined): AttributeValue | typeof DROPPED {
    if (typeof value === 'string') {
      // the scan is a function of the value under these rules; with an observer every decision is reported
      if (fired === undefined && this.profile.isCleanValue(value)) return value;
      const result = this.profile.scanner.scan(value, fired);
      if (result === value && fired === undefined) this.profile.rememberCleanValue(value);
      return result;
    }
    if (typeof value === 'number') {
      if (!Number.isInteger(value) || Math.abs(value) < 1e7) return value;
      const text = String(value);
      const result = this.profile.scanner.scan(text, fired);
      return result === text ? value : result;
    }
    if (typeof value === 'boolean') return value;
    return this.mapText(value, (text) => this.profile.scanner.scan(text, fired), true);
  }

  /**
   * Applies `change` to a string, or to each string of an array; numbers and booleans are
   * changed as text unless `textOnly`. A dropped element drops the whole attribute.
   */
  private mapText(value: AttributeValue, change: (text: string) => ScanResult, textOnly = false): AttributeValue | typeof DROPPED {
    if (typeof value === 'string') return change(value);
    if (!Array.isArray(value)) return textOnly ? value : change(String(value));
    let changed: (string | number | boolean | null | undefined)[] | undefined;
    for (let index = 0; index < value.length; index++) {
      const item = value[index];
      if (item === null || item === undefined || (textOnly && !isPlainText(item))) continue;
      const after = change(String(item));
      if (after === DROPPED) return DROPPED;
      if (after === item) continue;
      changed ??= value.slice();
      changed[index] = after;
    }
    if (changed === undefined) return value;
    // Attribute arrays are homogeneous: once one element became text, all are text.
    return changed.map((item) => (item === null || item === undefined ? item : String(item))) as AttributeValue;
  }

  /** URLs and paths inside a span or event name (`GET /users/42?token=x`). */
  private urlsInName(name: string): string {
    if (!name.includes('/')) return name;
    const url = this.profile.url;
    const tokens = name.split(' ');
    let changed = false;
    for (let index = 0; index < tokens.length; index++) {
      const token = tokens[index];
      const after = token.includes('://') ? url.full(token) : token.startsWith('/') ? url.target(token) : token;
      if (after === token) continue;
      tokens[index] = after;
      changed = true;
    }
    return changed ? tokens.join(' ') : name;
  }

  private planRule(plan: KeyPlan, fired: string[] | undefined): string {
    switch (plan.kind) {
      case 'drop':
      case 'keep':
        return plan.rule;
      case 'action':
        return `${plan.rule}: ${plan.action.label}`;
      case 'body':
        return `${plan.rule} (the body attribute never leaves)`;
      default:
        return this.firedRule(fired);
    }
  }

  private firedRule(fired: string[] | undefined): string {
    return fired === undefined || fired.length === 0 ? 'rules' : fired.join(', ');
  }

  private record(part: SpanPart, key: string, summaryKey: string, before: unknown, after: unknown, rule: string, index: number | undefined): void {
    this.count++;
    this.keys ??= [];
    if (this.keys.length < MAX_SUMMARY_KEYS && !this.keys.includes(summaryKey)) this.keys.push(summaryKey);
    this.observer?.({ part, key, ...(index === undefined ? {} : { index }), before, after, rule });
  }
}

function subjectOf(span: ReadableSpan): { service: string; spanName: string; kind: string; route: string | undefined } {
  const route = span.attributes[ATTR_HTTP_ROUTE];
  const service = span.resource?.attributes[ATTR_SERVICE_NAME];
  return {
    service: typeof service === 'string' ? service : '',
    spanName: span.name,
    kind: KIND_NAMES[span.kind] ?? 'internal',
    route: typeof route === 'string' ? route : undefined,
  };
}

function redactResource(rules: CompiledRuleSet, resource: Resource, observer: ChangeObserver | undefined): { resource: Resource; failures: number } {
  if (!rules.apply.resourceAttributes && observer === undefined) return { resource, failures: 0 };
  const cached = observer === undefined ? rules.resources.get(resource) : undefined;
  if (cached !== undefined) return { resource: cached, failures: 0 };
  const redaction = new SpanRedaction(rules, rules.globalProfile, observer);
  const { [ATTR_SERVICE_NAME]: serviceName, ...others } = resource.attributes;
  const attributes = rules.apply.resourceAttributes ? redaction.attributes(others, 'resource-attribute', true) : others;
  const redacted =
    attributes === others ? resource : resourceFromAttributes({ ...(serviceName === undefined ? {} : { [ATTR_SERVICE_NAME]: serviceName }), ...attributes }, { schemaUrl: resource.schemaUrl });
  if (observer === undefined) rules.resources.set(resource, redacted);
  return { resource: redacted, failures: redaction.failures };
}

/** Redacts `span` under `rules`; never throws for a rule that fails (see the module comment). */
export function redactSpan(rules: CompiledRuleSet, span: ReadableSpan, observer?: ChangeObserver): SpanRedactionResult {
  const profile = rules.profileFor(rules.scoped ? subjectOf(span) : undefined);
  const redaction = new SpanRedaction(rules, profile, observer);
  const apply = rules.apply;

  const name = apply.spanNames ? redaction.text(span.name, 'name', SPAN_NAME_KEY) : span.name;
  let attributes = redaction.attributes(span.attributes, 'attribute', true) ?? {};

  let events: TimedEvent[] | undefined;
  span.events.forEach((event, index) => {
    const eventName = apply.events ? redaction.text(event.name, 'event-name', EVENT_NAME_KEY, index) : event.name;
    const eventAttributes = redaction.attributes(event.attributes, 'event-attribute', apply.events, index);
    if (eventName === event.name && eventAttributes === event.attributes) return;
    events ??= span.events.slice();
    events[index] = { ...event, name: eventName, ...(eventAttributes === undefined ? {} : { attributes: eventAttributes }) };
  });

  let links: Link[] | undefined;
  span.links.forEach((link, index) => {
    const linkAttributes = redaction.attributes(link.attributes, 'link-attribute', apply.links, index);
    if (linkAttributes === link.attributes) return;
    links ??= span.links.slice();
    links[index] = { ...link, ...(linkAttributes === undefined ? {} : { attributes: linkAttributes }) };
  });

  let status = span.status;
  if (apply.statusMessages && status.message !== undefined && status.message !== '') {
    const message = redaction.text(status.message, 'status-message', STATUS_MESSAGE_KEY);
    if (message !== status.message) status = { ...status, message };
  }

  const resource = span.resource === undefined ? span.resource : redactResource(rules, span.resource, observer);
  const failures = redaction.failures + (resource?.failures ?? 0);
  const summary = redaction.summaryAttributes();
  if (summary !== undefined || (resource?.failures ?? 0) > 0) {
    attributes = attributes === span.attributes ? { ...attributes } : attributes;
    Object.assign(attributes, summary);
    if (failures > 0) attributes[ATTR_REDACTION_FAILED] = true;
  }
  return {
    name,
    attributes,
    events: events ?? span.events,
    links: links ?? span.links,
    status,
    resource: resource?.resource as Resource,
    failures,
  };
}
