// Finding an item's trace when a node in between replaced the item's data (HTTP Request, Set,
// Code, Merge keep no `threadline` field): n8n's paired-item lineage leads from this item back to
// the item of an earlier node, `$('Node').item`, which still has it. Nearer nodes are tried first,
// Threadline nodes before others. A node whose item cannot be paired (lineage broken, node not run
// in this execution) is skipped.
import type { IExecuteFunctions, NodeTypeAndVersion } from 'n8n-workflow';
import type { ItemTrace } from './item-trace';
import { ITEM_TRACE_FIELD, readItemTrace } from './item-trace';

/** How far back the lineage is followed. */
const MAX_DEPTH = 25;

function isThreadlineNode(node: NodeTypeAndVersion): boolean {
  return /(^|\.)threadline$/i.test(node.type);
}

/** Per execute() call (n8n makes a new context object for each): the graph does not change within one. */
const ancestorsByCall = new WeakMap<IExecuteFunctions, string[]>();

/** Ancestors of the running node, nearest first, Threadline nodes first within a distance. */
export function ancestorsNearestFirst(fn: IExecuteFunctions): string[] {
  const cached = ancestorsByCall.get(fn);
  if (cached) return cached;
  const self = fn.getNode().name;
  const seen = new Set<string>();
  const ordered: string[] = [];
  for (let depth = 1; depth <= MAX_DEPTH; depth++) {
    const atDepth = fn.getParentNodes(self, { depth }).filter((node) => !seen.has(node.name) && !node.disabled);
    if (atDepth.length === 0 && depth > 1) break;
    atDepth.sort((a, b) => Number(isThreadlineNode(b)) - Number(isThreadlineNode(a)));
    for (const node of atDepth) {
      seen.add(node.name);
      ordered.push(node.name);
    }
  }
  ancestorsByCall.set(fn, ordered);
  return ordered;
}

/** `$('name').item.json` for this item, or undefined when n8n cannot pair it. */
export function pairedJson(fn: IExecuteFunctions, itemIndex: number, nodeName: string): Record<string, unknown> | undefined {
  try {
    const proxy = fn.getWorkflowDataProxy(itemIndex);
    const item: unknown = proxy.$(nodeName).item;
    const json = typeof item === 'object' && item !== null ? (item as { json?: unknown }).json : undefined;
    return typeof json === 'object' && json !== null ? (json as Record<string, unknown>) : undefined;
  } catch (error) {
    fn.logger.debug(`Threadline: no paired item of "${nodeName}" for item ${itemIndex}: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}

/** The first value `pick` finds in the paired items of the ancestors, nearest first. */
export function findInLineage<T>(fn: IExecuteFunctions, itemIndex: number, pick: (json: Record<string, unknown>) => T | undefined): T | undefined {
  for (const name of ancestorsNearestFirst(fn)) {
    const json = pairedJson(fn, itemIndex, name);
    const found = json === undefined ? undefined : pick(json);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** The trace of the nearest ancestor item that carries one. */
export function traceFromLineage(fn: IExecuteFunctions, itemIndex: number): ItemTrace | undefined {
  return findInLineage(fn, itemIndex, (json) => readItemTrace(json[ITEM_TRACE_FIELD]));
}
