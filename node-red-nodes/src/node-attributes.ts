// The `node_red.*` span attributes that place a span in the flow view (docs/collector.md): the
// flow (tab) a node runs in and the node itself. For the manual nodes, and meant for the
// automatic-tracing plugin too, so both describe a node the same way.
//
// The flow is read through Node-RED's own settings lookup (`NR_FLOW_ID`, `NR_FLOW_NAME`), so a node
// inside a subflow instance or a group is placed in the tab it runs on. The answer is cached per
// flow and forgotten after every deploy (`flows:started`), when a tab may have been renamed.
import type { RecordAttributes } from '@threadline/connectors';

export const ATTR_FLOW_ID = 'node_red.flow.id';
export const ATTR_FLOW_NAME = 'node_red.flow.name';
export const ATTR_NODE_ID = 'node_red.node.id';
export const ATTR_NODE_NAME = 'node_red.node.name';
export const ATTR_NODE_TYPE = 'node_red.node.type';

/** The fields of a running node read here. */
export interface NodeIdentity {
  readonly id: string;
  readonly type: string;
  readonly name?: string;
  /** The flow (tab), subflow or subflow instance the node lives in. */
  readonly z?: string;
}

/** The parts of the `RED` object used here; both are optional so a stripped-down runtime still works. */
export interface FlowLookupApi {
  util?: { getSetting?(node: unknown, name: string): unknown };
  events?: { on(event: string, listener: (...args: unknown[]) => void): void };
}

interface FlowFacts {
  id?: string;
  name?: string;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** `node_red.node.*` of one node: fixed for the life of the node instance. */
export function nodeIdentityAttributes(node: NodeIdentity): RecordAttributes {
  const attributes: RecordAttributes = { [ATTR_NODE_ID]: String(node.id), [ATTR_NODE_TYPE]: String(node.type) };
  const name = text(node.name);
  if (name !== undefined) attributes[ATTR_NODE_NAME] = name;
  return attributes;
}

/** Flow facts by the `z` of the nodes asking, per runtime events object (one per process in practice). */
const caches = new WeakMap<object, Map<string, FlowFacts>>();
/** Undefined when the runtime has no events to subscribe to: nothing would invalidate a cache. */
function cacheFor(RED: FlowLookupApi): Map<string, FlowFacts> | undefined {
  const events = RED.events;
  if (events === undefined) return undefined;
  let cache = caches.get(events);
  if (cache === undefined) {
    const created = new Map<string, FlowFacts>();
    caches.set(events, created);
    // every deploy may rename a tab; the next span of each flow looks its name up again
    events.on('flows:started', () => created.clear());
    cache = created;
  }
  return cache;
}

function lookUpFlow(RED: FlowLookupApi, node: NodeIdentity): FlowFacts {
  const getSetting = RED.util?.getSetting;
  let id: string | undefined;
  let name: string | undefined;
  if (typeof getSetting === 'function') {
    try {
      id = text(getSetting.call(RED.util, node, 'NR_FLOW_ID'));
      name = text(getSetting.call(RED.util, node, 'NR_FLOW_NAME'));
    } catch {
      // a node outside any flow (a unit-test double): fall back to what the node says
    }
  }
  return { id: id ?? text(node.z), name };
}

/** `node_red.flow.*` of the flow the node runs in (id always when the node has a `z`; name when the tab has a label). */
export function flowAttributes(RED: FlowLookupApi, node: NodeIdentity): RecordAttributes {
  const key = text(node.z) ?? '';
  const cache = cacheFor(RED);
  let facts = cache?.get(key);
  if (facts === undefined) {
    facts = lookUpFlow(RED, node);
    cache?.set(key, facts);
  }
  const attributes: RecordAttributes = {};
  if (facts.id !== undefined) attributes[ATTR_FLOW_ID] = facts.id;
  if (facts.name !== undefined) attributes[ATTR_FLOW_NAME] = facts.name;
  return attributes;
}

/**
 * A function giving the full set of `node_red.*` attributes for one node: the node part is built
 * once, the flow part comes from the per-flow cache on each call.
 */
export function nodeAttributesOf(RED: FlowLookupApi, node: NodeIdentity): () => RecordAttributes {
  const own = nodeIdentityAttributes(node);
  return () => ({ ...flowAttributes(RED, node), ...own });
}
