// Trace context on messages: inject into and extract from AMQP properties, Kafka headers, MQTT v5
// user properties and a JSON envelope, and PRODUCER / CONSUMER spans that do it for you.
//
// Parent or link (messaging semantic conventions): a consumer span always LINKS to the creation
// context of every message it covers. For one message it also takes that creation context as its
// PARENT, so producer → consumer reads as one chain, unless the caller passes an explicit
// `parent` (e.g. the span of the poll loop), which then wins and the message stays a link. A
// batch (several carriers) cannot have several parents: its parent is `parent` or the active
// context, and each message is a link.

import type { Attributes, Context, Link, Span, TextMapPropagator, TextMapSetter } from '@opentelemetry/api';
import { ROOT_CONTEXT, SpanKind, context, isSpanContextValid, trace } from '@opentelemetry/api';
import type { MessageHeaders, MqttUserProperties } from '../propagation/carriers';
import {
  DEFAULT_ENVELOPE_FIELD,
  jsonEnvelopeCarrier,
  messageHeadersGetter,
  messageHeadersSetter,
  mqttUserPropertiesGetter,
  mqttUserPropertiesSetter,
} from '../propagation/carriers';
import type { ConsumerOperationType, MessagingSystem, ProducerOperationType } from '../semconv/messaging';
import { messagingAttributes, messagingSpanName } from '../semconv/messaging';
import { resolveParentContext } from './parent';
import { removePropagatorFields } from './stale-fields';
import type { ParentContext, TracingSeams } from './types';

const jsonEnvelope = jsonEnvelopeCarrier(DEFAULT_ENVELOPE_FIELD);

/**
 * Where a message carries its context. The containers are the client library's own objects and are
 * written in place; a missing `headers` / `userProperties` / `_trace` is created on inject.
 */
export type MessageCarrier =
  /** AMQP 0-9-1 (RabbitMQ): the message properties; context goes in `properties.headers`. */
  | { format: 'amqp'; properties: { headers?: Record<string, unknown> } }
  /** Kafka: the message (record); context goes in `message.headers` (string or Buffer values). */
  | { format: 'kafka'; message: { headers?: MessageHeaders } }
  /** MQTT v5: the PUBLISH properties; context goes in `properties.userProperties`. */
  | { format: 'mqtt'; properties: { userProperties?: MqttUserProperties } }
  /** Any JSON payload object; context goes in its `_trace` field as a TraceCarrier. */
  | { format: 'json'; payload: Record<string, unknown> };

/** Writes the context into the message carrier, replacing any trace fields already there. */
export function injectMessageContext(propagator: TextMapPropagator, ctx: Context, carrier: MessageCarrier): void {
  switch (carrier.format) {
    case 'amqp':
      return injectInto(propagator, ctx, (carrier.properties.headers ??= {}), messageHeadersSetter);
    case 'kafka':
      return injectInto(propagator, ctx, (carrier.message.headers ??= {}), messageHeadersSetter);
    case 'mqtt':
      return injectInto(propagator, ctx, (carrier.properties.userProperties ??= {}), mqttUserPropertiesSetter);
    case 'json':
      delete carrier.payload[DEFAULT_ENVELOPE_FIELD]; // a forwarded payload gets a fresh envelope
      propagator.inject(ctx, carrier.payload, jsonEnvelope.setter);
      return;
  }
}

function injectInto<C extends object>(propagator: TextMapPropagator, ctx: Context, record: C, setter: TextMapSetter<C>): void {
  removePropagatorFields(propagator, record);
  propagator.inject(ctx, record, setter);
}

/** Reads the context a message carries onto `base` (root by default); no context → `base`. */
export function extractMessageContext(
  propagator: TextMapPropagator,
  carrier: MessageCarrier,
  base: Context = ROOT_CONTEXT,
): Context {
  switch (carrier.format) {
    case 'amqp':
      return propagator.extract(base, carrier.properties.headers, messageHeadersGetter);
    case 'kafka':
      return propagator.extract(base, carrier.message.headers, messageHeadersGetter);
    case 'mqtt':
      return propagator.extract(base, carrier.properties.userProperties, mqttUserPropertiesGetter);
    case 'json':
      return propagator.extract(base, carrier.payload, jsonEnvelope.getter);
  }
}

interface MessageSpanInfoBase {
  system: MessagingSystem;
  /** Topic, queue or exchange name (messaging.destination.name). */
  destination: string;
  /** System-specific operation name (messaging.operation.name), e.g. `publish`. */
  operationName?: string;
  messageId?: string;
  /** Extra attributes for the span. */
  attributes?: Attributes;
}

export interface ProducerSpanInfo extends MessageSpanInfoBase {
  /** messaging.operation.type; `send` by default. */
  operation?: ProducerOperationType;
  /** Outgoing message carrier(s) to inject the producer span's context into. */
  carrier?: MessageCarrier | readonly MessageCarrier[];
  /** Parent of the producer span; the active context by default. */
  parent?: ParentContext;
}

export interface ConsumerSpanInfo extends MessageSpanInfoBase {
  /** messaging.operation.type; `process` by default. */
  operation?: ConsumerOperationType;
  /** The incoming message's carrier, or several for a batch. */
  carrier: MessageCarrier | readonly MessageCarrier[];
  /** An explicit parent (the message context then becomes a link only). */
  parent?: ParentContext;
}

export interface MessageSpan {
  span: Span;
  /** Context holding the span: run the send or the message handler in it. */
  context: Context;
}

/** Starts a PRODUCER span and injects its context into the outgoing carrier(s). End it when sent. */
export function startProducerSpan(opts: TracingSeams, info: ProducerSpanInfo): MessageSpan {
  const parent = resolveParentContext(opts.propagator, info.parent);
  const operationType = info.operation ?? 'send';
  const carriers = asList(info.carrier);
  const spanInfo = { ...info, operationType, batchSize: carriers.length > 1 ? carriers.length : undefined };
  const span = opts.tracer.startSpan(
    messagingSpanName(spanInfo),
    { kind: SpanKind.PRODUCER, attributes: { ...messagingAttributes(spanInfo), ...info.attributes } },
    parent,
  );
  const spanContext = trace.setSpan(parent, span);
  for (const carrier of carriers) injectMessageContext(opts.propagator, spanContext, carrier);
  return { span, context: spanContext };
}

/** Starts a CONSUMER span for incoming message(s); see the top of this file for parent vs link. */
export function startConsumerSpan(opts: TracingSeams, info: ConsumerSpanInfo): MessageSpan {
  const carriers = asList(info.carrier);
  const creationContexts = carriers.map((carrier) => extractMessageContext(opts.propagator, carrier));
  const links: Link[] = [];
  for (const creation of creationContexts) {
    const linked = trace.getSpanContext(creation);
    if (linked && isSpanContextValid(linked)) links.push({ context: linked });
  }

  let parent: Context;
  if (info.parent !== undefined) parent = resolveParentContext(opts.propagator, info.parent);
  else if (carriers.length === 1 && links.length === 1) parent = creationContexts[0]!;
  else parent = context.active(); // a batch, or a message that carries no (valid) context

  const operationType = info.operation ?? 'process';
  const spanInfo = { ...info, operationType, batchSize: carriers.length > 1 ? carriers.length : undefined };
  const span = opts.tracer.startSpan(
    messagingSpanName(spanInfo),
    { kind: SpanKind.CONSUMER, attributes: { ...messagingAttributes(spanInfo), ...info.attributes }, links },
    parent,
  );
  return { span, context: trace.setSpan(parent, span) };
}

function asList(carrier: MessageCarrier | readonly MessageCarrier[] | undefined): readonly MessageCarrier[] {
  if (carrier === undefined) return [];
  return isCarrierList(carrier) ? carrier : [carrier];
}

function isCarrierList(carrier: MessageCarrier | readonly MessageCarrier[]): carrier is readonly MessageCarrier[] {
  return Array.isArray(carrier);
}
