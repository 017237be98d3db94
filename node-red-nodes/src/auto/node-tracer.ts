// A span per node per message, driven by Node-RED's runtime hooks.
//
// The model (one trace per flow execution):
// - onReceive opens the receiving node's span. Its parent is the context on the message
//   (`msg.threadline`, the contract shared with the manual nodes: the innermost open span record
//   of a span start node, else the carrier); the new span's context is then written back to
//   `msg.threadline`, so whatever the node does with the message (send it, hand it to a link,
//   raise an error to a Catch node, a manual node) continues from this span.
// - preDeliver catches messages that left a node without a context: a Function node that returned
//   a new object, split parts, join output. They are matched to the sending node's open span by
//   `_msgid` (or the split's `parts.id`, see recent-spans.ts); a message with no match starts an execution at
//   its entry node (`http in` continues the caller's traceparent from the request headers).
// - onComplete (done()) ends the span. Nodes that never call done() end when their input handler
//   has returned (a microtask queued at onReceive); the `http in` span ends when an
//   `http response` answers that request.
//   Every span is tracked by the pipeline's sweeper: still open at the deadline, it is ended and
//   marked incomplete.
// - preDeliver opens the span of an `http request` node early and writes its traceparent into a
//   copy of msg.headers for that one delivery (see http-request-headers.ts).
//
// Hot path: three hooks (preDeliver, onReceive, onComplete: each registered hook costs Node-RED a
// dispatch per node per message), cheap lookups in WeakMaps keyed by the message objects Node-RED
// passes along, no parsing when the message still carries the object this tracer wrote.
import type { SpanContext, TextMapPropagator } from '@opentelemetry/api';
import { SpanStatusCode } from '@opentelemetry/api';
import type { EndRecordOptions, HeaderMap, Pipeline, RecordAttributes, SpanRecord, SpanRecordKind, TraceCarrier } from '@threadline/connectors';
import { extractCarrier, formatTraceparent, headerMapGetter } from '@threadline/connectors';
import { currentParent, MSG_PROPERTY } from '../message-context';
import { ATTR_FLOW_ID, nodeIdentityAttributes } from '../node-attributes';
import { injectTraceHeaders } from './http-request-headers';
import type { TracerOptions } from './options';
import { RecentSpans } from './recent-spans';
import { WrittenTrace } from './written-trace';
import type { CompleteEvent, ReceiveEvent, RuntimeNode, SendEvent } from './red-api';

export const AUTO_TRACE_SCOPE = { name: '@threadline/node-red/auto' };
/** Bound of one node's list of open spans (older ones are ended by the sweeper all the same). */
const MAX_OPEN_PER_NODE = 100_000;

/** Span attribute names (node_red.* for what OpenTelemetry has no convention for), shared with the manual nodes. */
export { ATTR_FLOW_ID, ATTR_FLOW_NAME, ATTR_NODE_ID, ATTR_NODE_NAME, ATTR_NODE_TYPE } from '../node-attributes';

interface NodeFacts {
  name: string;
  kind: SpanRecordKind;
  attributes: RecordAttributes;
  ignored: boolean;
  /** False for nodes whose input handlers take no `done`: they never complete. */
  callsDone: boolean;
  role: 'http in' | 'http response' | 'http request' | 'other';
  /** This node's open spans, for messages that leave it without a context. */
  open: RecentSpans<OpenSpan>;
  /** The tracer's flowsChanged() count when these facts were read. */
  generation: number;
}

interface OpenSpan {
  /** The span's record: the parent of the next node's span, handed to the pipeline as it is. */
  readonly record: SpanRecord;
  /** The record's traceparent, formatted once. */
  readonly traceparent: string;
  readonly nodeId: string;
  readonly facts: NodeFacts;
  /** `_msgid` of the message that opened it. */
  readonly msgid: unknown;
  readonly openedAt: number;
  ended: boolean;
}

type Message = Record<string, unknown>;

/** `msg.threadline`'s name, read once: in the bundle an imported binding costs a getter call at every use. */
const CONTEXT_PROPERTY = MSG_PROPERTY;

/** How most spans end: now, status unset, nothing added (shared: the pipeline only reads it). */
const PLAIN_END: EndRecordOptions = Object.freeze({});

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

export class NodeTracer {
  /** `http in` spans by the response wrapper the `http response` node gets (kept by message clones). */
  private readonly requests = new WeakMap<object, OpenSpan>();
  private readonly facts = new WeakMap<RuntimeNode, NodeFacts>();
  /** Lists of open spans that may hold something, pruned now and then (see recent-spans.ts). */
  private readonly lists = new Set<RecentSpans<OpenSpan>>();
  private pruneTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  /** Bumped by flowsChanged(): node facts older than this are read again (names may have changed). */
  private generation = 0;

  constructor(
    private readonly pipeline: Pipeline,
    private readonly propagator: TextMapPropagator,
    private readonly options: TracerOptions,
    private readonly onFailure: (error: unknown, count: number) => void = () => {},
  ) {}

  /** A deploy happened: node, tab and subflow names are read again as nodes are next seen. */
  flowsChanged(): void {
    this.generation++;
  }

  /** Stops the periodic prune (the tracer is being replaced or removed). */
  stop(): void {
    if (this.pruneTimer !== undefined) clearInterval(this.pruneTimer);
    this.pruneTimer = undefined;
    this.lists.clear();
  }

  private pruneLists(): void {
    const now = Date.now();
    for (const list of this.lists) {
      list.prune(now);
      if (list.size === 0) this.lists.delete(list);
    }
    if (this.lists.size === 0) this.stop();
  }

  // --- hook handlers: each one guards itself, so nothing ever reaches the flow ----------------

  /**
   * A message on its way from one node to the next (after any clone). A message without a
   * context gets one here; an `http request` node's span opens here, so its headers carry it.
   */
  preDeliver = (event: SendEvent): void => {
    try {
      this.contextForSent(event);
      const node = event.destination.node;
      if (node === undefined || node.type !== 'http request') return;
      const facts = this.factsOf(node);
      if (facts.ignored || this.findOpen(event.msg, node.id, facts) !== undefined) return;
      const span = this.openFor(event.msg, node, facts);
      injectTraceHeaders(event.msg, this.carrierOf(span, event.msg), this.propagator);
    } catch (error) {
      this.fail(error);
    }
  };

  onReceive = (event: ReceiveEvent): void => {
    try {
      const node = event.destination.node;
      const facts = this.factsOf(node);
      if (facts.ignored) return;
      const written = WrittenTrace.spanOf<OpenSpan>(event.msg[CONTEXT_PROPERTY]);
      const openedAtDelivery = written !== undefined && written.nodeId === node.id && !written.ended;
      const span = openedAtDelivery ? written : this.openFor(event.msg, node, facts);
      // A node that never calls done() ends once its input handler has returned: the handler runs
      // right after this hook, and microtasks run when it is through (no postReceive hook needed).
      if (!facts.callsDone) queueMicrotask(() => this.endAfterHandler(span));
    } catch (error) {
      this.fail(error);
    }
  };

  onComplete = (event: CompleteEvent): void => {
    try {
      const msg = event.msg;
      const facts = this.factsOf(event.node.node);
      if (facts.ignored) return;
      const span = this.findOpen(msg, event.node.id, facts);
      if (span === undefined) return;
      const role = span.facts.role;
      if (role === 'http response') this.endRequest(msg, event.node.node);
      let end = PLAIN_END;
      if (role === 'http request') {
        const status = Number(msg.statusCode);
        if (Number.isInteger(status) && status > 0) {
          end = { attributes: { 'http.response.status_code': status } };
          if (status >= 400) end.status = { code: SpanStatusCode.ERROR };
        }
      }
      if (event.error !== undefined && event.error !== null) end = { ...end, error: event.error };
      this.end(span, end);
    } catch (error) {
      this.fail(error);
    }
  };

  // --- spans ---------------------------------------------------------------------------------

  private openFor(msg: Message, node: RuntimeNode, facts: NodeFacts): OpenSpan {
    const span = this.openSpan(node, facts, this.parentOf(msg), msg._msgid);
    this.writeContext(msg, span, undefined, span);
    return span;
  }

  private openSpan(node: RuntimeNode, facts: NodeFacts, parent: SpanRecord | SpanContext | TraceCarrier | undefined, msgid: unknown): OpenSpan {
    const record = this.pipeline.openRecord({ name: facts.name, kind: facts.kind, parent, attributes: facts.attributes, scope: AUTO_TRACE_SCOPE });
    this.pipeline.trackRecord(record, this.options.deadlineMs);
    const traceparent = formatTraceparent({ traceId: record.traceId, parentId: record.spanId, traceFlags: record.traceFlags }) ?? '';
    const openedAt = Date.now();
    const span: OpenSpan = { record, traceparent, nodeId: node.id, facts, msgid, openedAt, ended: false };
    facts.open.add(span, openedAt);
    if (!this.lists.has(facts.open)) {
      this.lists.add(facts.open);
      if (this.pruneTimer === undefined) {
        this.pruneTimer = setInterval(() => this.pruneLists(), Math.min(1000, this.options.deadlineMs));
        this.pruneTimer.unref();
      }
    }
    return span;
  }

  /** The end of a span of a node that never calls done(), from a microtask: guarded like a hook. */
  private endAfterHandler(span: OpenSpan): void {
    try {
      this.end(span, PLAIN_END);
    } catch (error) {
      this.fail(error);
    }
  }

  private end(span: OpenSpan, options: EndRecordOptions): void {
    if (span.ended) return;
    span.ended = true;
    span.facts.open.remove(span);
    this.pipeline.endRecord(span.record, options);
  }

  /** Ends the `http in` span of the request an `http response` node just answered. */
  private endRequest(msg: Message, node: RuntimeNode): void {
    const response = msg.res;
    if (!isObject(response)) return;
    const span = this.requests.get(response);
    if (span === undefined) return;
    this.requests.delete(response);
    const configured = (node as RuntimeNode & { statusCode?: unknown }).statusCode;
    const status = Number(msg.statusCode ?? configured) || 200;
    this.end(span, {
      attributes: { 'http.response.status_code': status },
      ...(status >= 500 ? { status: { code: SpanStatusCode.ERROR } } : {}),
    });
  }

  /** A message leaving `source` without a context gets one: its own execution's, or a new one. */
  private contextForSent(event: SendEvent): void {
    const msg = event.msg;
    if (!isObject(msg)) return;
    const carried = msg[CONTEXT_PROPERTY];
    if (isObject(carried) && typeof carried.traceparent === 'string') return;
    const source = event.source.node;
    if (source === undefined) return;
    const facts = this.factsOf(source);
    if (facts.ignored) return;
    const now = Date.now();
    const parts = msg.parts;
    const known = facts.open.find(msg._msgid, now) ?? (isObject(parts) ? facts.open.find(parts.id, now) : undefined);
    if (known !== undefined) this.writeContext(msg, known);
    else this.startExecution(msg, source, facts);
  }

  /** The span of an entry node (`http in`, `inject`, …): the root of this execution, or the caller's child. */
  private startExecution(msg: Message, source: RuntimeNode, facts: NodeFacts): void {
    const request = msg.req;
    // request.headers, not the IncomingMessage: its headersDistinct would be built for this one read
    // (two traceparent fields, joined with ", " in headers, are refused all the same)
    const headers = facts.role === 'http in' && isObject(request) ? request.headers : undefined;
    const caller = isObject(headers) ? extractCarrier(headers as HeaderMap, headerMapGetter, this.propagator) : undefined;
    const span = this.openSpan(source, facts, caller, msg._msgid);
    this.writeContext(msg, span, caller?.baggage);
    const response = msg.res;
    if (facts.role === 'http in' && isObject(response)) this.requests.set(response, span);
    else this.end(span, PLAIN_END);
  }

  // --- context on the message ----------------------------------------------------------------

  /** The parent of a span opened for `msg`: what the message carries, else its execution, else none. */
  private parentOf(msg: Message): SpanRecord | SpanContext | TraceCarrier | undefined {
    const carried = msg[CONTEXT_PROPERTY];
    if (isObject(carried)) {
      const ours = WrittenTrace.parentOf(carried);
      if (ours !== undefined) return ours;
      const parent = currentParent(msg);
      if (parent !== undefined) return parent;
    }
    return undefined;
  }

  /**
   * Puts `span` on the message as the context it is in: a new object (never mutating one a clone
   * may share), keeping the baggage and the manual nodes' open span records already there.
   */
  private writeContext(msg: Message, span: OpenSpan, baggage?: string, open?: OpenSpan): void {
    const { traceparent, record } = span;
    if (traceparent === '') return;
    const previous = msg[CONTEXT_PROPERTY];
    const next = new WrittenTrace(traceparent, record, open);
    if (record.tracestate) next.tracestate = record.tracestate;
    const keptBaggage = baggage ?? (isObject(previous) ? previous.baggage : undefined);
    if (typeof keptBaggage === 'string' && keptBaggage !== '') next.baggage = keptBaggage;
    if (isObject(previous) && Array.isArray(previous.spans) && previous.spans.length > 0) next.spans = previous.spans;
    msg[CONTEXT_PROPERTY] = next;
  }

  /** The span as the parent of an outgoing call, with the message's baggage. */
  private carrierOf(span: OpenSpan, msg: Message): TraceCarrier {
    const carrier: TraceCarrier = { traceparent: span.traceparent };
    if (span.record.tracestate) carrier.tracestate = span.record.tracestate;
    const carried = msg[CONTEXT_PROPERTY];
    if (isObject(carried) && typeof carried.baggage === 'string' && carried.baggage !== '') carrier.baggage = carried.baggage;
    return carrier;
  }

  // --- bookkeeping ---------------------------------------------------------------------------

  /**
   * The span `nodeId` has open for this message: the one written on it when nothing has replaced
   * msg.threadline since, else the node's newest open span of the same execution (`_msgid`).
   */
  private findOpen(msg: Message, nodeId: string, facts: NodeFacts): OpenSpan | undefined {
    const written = WrittenTrace.spanOf<OpenSpan>(msg[CONTEXT_PROPERTY]);
    if (written !== undefined && written.nodeId === nodeId && !written.ended) return written;
    return facts.open.find(msg._msgid, Date.now());
  }

  private factsOf(node: RuntimeNode): NodeFacts {
    let facts = this.facts.get(node);
    if (facts === undefined || facts.generation !== this.generation) {
      // a node that outlived a deploy keeps its list of open spans
      facts = describeNode(node, this.options, this.generation, facts?.open);
      this.facts.set(node, facts);
    }
    return facts;
  }

  private fail(error: unknown): void {
    this.failures++;
    try {
      this.onFailure(error, this.failures);
    } catch {
      // reporting must not throw either
    }
  }
}

function describeNode(node: RuntimeNode, options: TracerOptions, generation: number, open?: RecentSpans<OpenSpan>): NodeFacts {
  const type = String(node.type);
  const name = typeof node.name === 'string' && node.name !== '' ? node.name : '';
  const flow = options.flowAttributes?.(node) ?? (typeof node.z === 'string' ? { [ATTR_FLOW_ID]: node.z } : {});
  const attributes: RecordAttributes = { ...flow, ...nodeIdentityAttributes(node) };
  const role: NodeFacts['role'] = type === 'http in' || type === 'http response' || type === 'http request' ? type : 'other';
  let spanName = name || type;
  let kind: SpanRecordKind = 'internal';
  if (role === 'http in') {
    const { method, url } = node as RuntimeNode & { method?: unknown; url?: unknown };
    const verb = typeof method === 'string' ? method.toUpperCase() : 'GET';
    const route = typeof url === 'string' ? url : '';
    spanName = route ? `${verb} ${route}` : verb;
    kind = 'server';
    attributes['http.request.method'] = verb;
    if (route) attributes['http.route'] = route;
  } else if (role === 'http request') {
    kind = 'client';
  }
  const expected = node._expectedDoneCount;
  return {
    name: spanName,
    kind,
    attributes,
    ignored: options.ignoreTypes.has(type),
    callsDone: typeof expected === 'number' ? expected > 0 : true,
    role,
    open: open ?? new RecentSpans<OpenSpan>(options.deadlineMs, MAX_OPEN_PER_NODE),
    generation,
  };
}
