// `threadline-inject`: writes the current context (the innermost open span, else the trace on
// the message) into the headers of the next outbound node: msg.headers for `http request`,
// msg.userProperties for `mqtt out` (MQTT v5), msg.properties.headers for AMQP, or a property the
// user names. Baggage goes only as far as the rules forward it to that destination: the host in
// the form, else the URL in the wired `http request` node's own form, else msg.url. Put it right
// before the outbound node: `http request` replaces msg.headers with the response headers; when
// the request fails they stay, marked, and never reach an `http response` (injected-headers.ts).
// msg.headers that are still a previous response's (the node's own hash check) are replaced, not
// extended.
import type { TraceCarrier } from '@threadline/connectors';
import { headerMapSetter, injectCarrier, parseBaggage, serializeBaggage } from '@threadline/connectors';
import { currentParent } from '../message-context';
import { injectTraceHeaders } from '../auto/http-request-headers';
import { WiredRequestDestinations } from './http-request-destination';
import { guardHttpResponses, markInjectedHeaders } from './injected-headers';
import { getMessageProperty, setMessageProperty } from './message-path';
import type { NodeDefinition, NodeRedApi, RuntimeNode } from './node-red';
import { onTracedInput, requireEntry, showConfigProblem, showTrace } from './node-kit';

export const INJECT_TYPE = 'threadline-inject';

export type InjectTarget = 'http' | 'mqtt' | 'amqp' | 'property';
const TARGETS: readonly string[] = ['auto', 'http', 'mqtt', 'amqp', 'property'];

/** The target a wired node's type implies, if any. */
export function targetOfNodeType(type: string): InjectTarget | undefined {
  if (type === 'http request') return 'http';
  if (type === 'mqtt out') return 'mqtt';
  if (/amqp/i.test(type) && /out|publish|producer/i.test(type)) return 'amqp';
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The host of msg.url, '' when there is none or it is not a URL (http request complains itself). */
function hostOfMessageUrl(msg: Record<string, unknown>): string {
  if (typeof msg.url !== 'string') return '';
  try {
    return new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(msg.url) ? msg.url : `http://${msg.url}`).host;
  } catch {
    return '';
  }
}

/** Removes every header field the propagator writes (any case), so nothing stale goes along. */
function removeFields(headers: Record<string, unknown>, fields: readonly string[]): void {
  const names = new Set(fields.map((field) => field.toLowerCase()));
  for (const key of Object.keys(headers)) if (names.has(key.toLowerCase())) delete headers[key];
}

export default function register(RED: NodeRedApi): void {
  function InjectNode(this: RuntimeNode, definition: NodeDefinition): void {
    RED.nodes.createNode(this, definition);
    startInjectNode(this, definition);
  }

  function startInjectNode(node: RuntimeNode, definition: NodeDefinition): void {
    showConfigProblem(node, definition.config);
    const configuredTarget = TARGETS.includes(String(definition.target)) ? String(definition.target) : 'auto';
    const property = typeof definition.property === 'string' ? definition.property.trim() : '';
    const destination = typeof definition.destination === 'string' ? definition.destination.trim() : '';
    const wired = (definition.wires ?? []).flat();
    let resolvedTarget: InjectTarget | undefined = configuredTarget === 'auto' ? undefined : (configuredTarget as InjectTarget);
    const requestNodes = new WiredRequestDestinations(RED, wired);
    const releaseGuard = guardHttpResponses(RED);
    node.on('close', (_removed: boolean, done: () => void) => {
      releaseGuard?.();
      done();
    });

    /**
     * Where the headers go, for the baggage rules, as `http request` decides it: the Destination
     * field, else the URL in the wired http request node's form (it wins over msg.url there), else
     * msg.url's host; '' when unknown, which the rules treat as external.
     */
    function destinationOf(msg: Record<string, unknown>, where: InjectTarget): string {
      if (destination !== '' || where !== 'http') return destination;
      const fromForm = requestNodes.current();
      if (fromForm === undefined || fromForm.kind === 'msg.url') return hostOfMessageUrl(msg);
      return fromForm.kind === 'host' ? fromForm.host : '';
    }

    /** `auto`: the type of the nodes wired to the output, looked up when the first message comes. */
    function target(): InjectTarget {
      if (resolvedTarget !== undefined) return resolvedTarget;
      const types = wired.map((id) => RED.nodes.getNode(id)?.type ?? 'unknown');
      const found = types.map(targetOfNodeType).find((candidate) => candidate !== undefined);
      if (found === undefined) {
        throw new Error(
          `${INJECT_TYPE}: "auto" found no http request, mqtt out or AMQP node wired after it (wired: ${types.join(', ') || 'nothing'}); wire it straight to one or choose the target`,
        );
      }
      if (types.includes('http response')) node.warn(`${INJECT_TYPE}: an http response node is wired after it too; trace headers would reach the caller`);
      return (resolvedTarget = found);
    }

    onTracedInput(node, (msg) => {
      const started = performance.now();
      const { threadline } = requireEntry(node, definition.config);
      const parent = currentParent(msg);
      if (parent === undefined) throw new Error(`${INJECT_TYPE}: the message carries no trace (msg.threadline); put a trace in node first`);
      const where = target();
      const outgoing: TraceCarrier = { traceparent: parent.traceparent };
      if (parent.tracestate !== undefined) outgoing.tracestate = parent.tracestate;
      const baggage = parseBaggage(parent.baggage);
      if (baggage !== undefined) {
        const forwarded = serializeBaggage(threadline.pipeline.redactionRules.current.baggage.filterOutbound(baggage, destinationOf(msg, where)));
        if (forwarded !== '') outgoing.baggage = forwarded;
      }

      let headers: Record<string, unknown>;
      switch (where) {
        case 'http':
          // The decision about a previous response's headers (the `http request` hash logic) is
          // kept in one place, shared with the plugin; it leaves a fresh msg.headers object.
          injectTraceHeaders(msg, outgoing, threadline.propagator);
          headers = msg.headers as Record<string, unknown>;
          break;
        case 'mqtt':
          headers = isObject(msg.userProperties) ? { ...msg.userProperties } : {};
          msg.userProperties = headers;
          break;
        case 'amqp': {
          const properties = isObject(msg.properties) ? { ...msg.properties } : {};
          headers = isObject(properties.headers) ? { ...properties.headers } : {};
          properties.headers = headers;
          msg.properties = properties;
          break;
        }
        case 'property': {
          if (property === '') throw new Error(`${INJECT_TYPE}: target "property" needs a property name`);
          const current = getMessageProperty(msg, property);
          headers = isObject(current) ? { ...current } : {};
          setMessageProperty(msg, property, headers);
          break;
        }
      }
      // Trace fields already there (an old baggage the rules would not forward) must not go along.
      removeFields(headers, threadline.propagator.fields());
      injectCarrier(outgoing, headers as never, headerMapSetter, threadline.propagator);
      if (where === 'http') markInjectedHeaders(headers, threadline.propagator.fields());
      showTrace(node, parent.traceparent, performance.now() - started);
    });
  }
  RED.nodes.registerType(INJECT_TYPE, InjectNode);
}
