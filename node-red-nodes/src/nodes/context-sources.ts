// Where a message arriving in a flow carries the caller's context, and how to read it with the
// configured propagator (W3C, plus B3 or Jaeger when the config node lists them).
import type { Threadline, TraceCarrier } from '@threadline/connectors';
import { extractCarrier, headerMapGetter, incomingMessageGetter, messageHeadersGetter, mqttUserPropertiesGetter } from '@threadline/connectors';
import { currentParent } from '../message-context';
import { getMessageProperty } from './message-path';

export type ContextSource = 'auto' | 'message' | 'http' | 'headers' | 'mqtt' | 'amqp' | 'property';

export const CONTEXT_SOURCES: readonly ContextSource[] = ['auto', 'message', 'http', 'headers', 'mqtt', 'amqp', 'property'];

/** The order `auto` tries: a trace already on the message, then the transports. */
const AUTO_ORDER: readonly Exclude<ContextSource, 'auto' | 'property'>[] = ['message', 'http', 'headers', 'mqtt', 'amqp'];

export interface FoundContext {
  carrier: TraceCarrier;
  source: Exclude<ContextSource, 'auto'>;
}

type TextMapPropagator = Threadline['propagator'];

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function fromSource(msg: Record<string, unknown>, source: Exclude<ContextSource, 'auto'>, property: string, propagator: TextMapPropagator): TraceCarrier | undefined {
  switch (source) {
    case 'message':
      return currentParent(msg);
    case 'http': {
      // `http in` puts the express request on msg.req
      const req = msg.req;
      return isObject(req) && isObject(req.headers) ? extractCarrier(req as never, incomingMessageGetter, propagator) : undefined;
    }
    case 'headers':
      return isObject(msg.headers) ? extractCarrier(msg.headers as never, headerMapGetter, propagator) : undefined;
    case 'mqtt':
      // MQTT v5 user properties as the `mqtt in` node delivers them
      return isObject(msg.userProperties) ? extractCarrier(msg.userProperties as never, mqttUserPropertiesGetter, propagator) : undefined;
    case 'amqp': {
      const properties = msg.properties;
      return isObject(properties) && isObject(properties.headers) ? extractCarrier(properties.headers as never, messageHeadersGetter, propagator) : undefined;
    }
    case 'property': {
      const value = getMessageProperty(msg, property);
      // a bare traceparent string, or an object of header fields / a TraceCarrier
      if (typeof value === 'string') return extractCarrier({ traceparent: value }, headerMapGetter, propagator);
      return isObject(value) ? extractCarrier(value as never, headerMapGetter, propagator) : undefined;
    }
  }
}

/** The caller's context, or undefined when the message carries none that is valid. */
export function findContext(msg: Record<string, unknown>, source: ContextSource, property: string, propagator: TextMapPropagator): FoundContext | undefined {
  const order = source === 'auto' ? AUTO_ORDER : [source];
  for (const candidate of order) {
    const carrier = fromSource(msg, candidate, property, propagator);
    if (carrier !== undefined) return { carrier, source: candidate };
  }
  return undefined;
}
