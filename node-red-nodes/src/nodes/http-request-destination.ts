// Where a wired `http request` node will send the request, for the baggage rules. The node keeps
// the URL of its form to itself, so it is read from the deployed configuration (RED.nodes.eachNode,
// the flows as the editor saved them), once per running instance of that node: a redeploy of the
// http request node makes a new instance, and the next message reads its new URL.
import type { NodeDefinition, NodeRedApi, RuntimeNode } from './node-red';

/** What an `http request` node's form says about where it calls: a host (with port), msg.url, or unknown and why. */
export type FormDestination = { kind: 'host'; host: string } | { kind: 'msg.url' } | { kind: 'unknown'; reason: string };

const ENV_PROPERTY = /^\$\{[^}]+\}$/;

/**
 * The host of a URL as `http request` would call it: no scheme means http://; a mustache template
 * in the host (`http://{{host}}/x`) cannot be known before the message is rendered.
 */
export function hostOfFormUrl(url: string): FormDestination {
  const template = url.indexOf('{{');
  const fixed = template < 0 ? url : url.slice(0, template);
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(fixed) ? fixed : `http://${fixed}`;
  const authorityEnd = withScheme.slice(withScheme.indexOf('://') + 3).search(/[/?#]/);
  if (template >= 0 && authorityEnd < 0) return { kind: 'unknown', reason: 'its URL has a template in the host' };
  try {
    const host = new URL(withScheme).host;
    return host === '' ? { kind: 'unknown', reason: 'its URL has no host' } : { kind: 'host', host };
  } catch {
    return { kind: 'unknown', reason: 'its URL is not valid' };
  }
}

/** The definition of a running node: by id, or for a node in a subflow instance by its template's id. */
function definitionOf(RED: NodeRedApi, node: RuntimeNode): NodeDefinition | undefined {
  const ids = new Set([node.id, (node as RuntimeNode & { _alias?: unknown })._alias].filter((id): id is string => typeof id === 'string'));
  let found: NodeDefinition | undefined;
  RED.nodes.eachNode?.((definition) => {
    if (found === undefined && ids.has(definition.id)) found = definition;
  });
  return found;
}

function formDestinationOf(RED: NodeRedApi, node: RuntimeNode): FormDestination {
  const definition = definitionOf(RED, node);
  if (definition === undefined) return { kind: 'unknown', reason: 'its configuration could not be read' };
  let url = typeof definition.url === 'string' ? definition.url.trim() : '';
  if (ENV_PROPERTY.test(url)) {
    // Node-RED puts the variable's value in the running node; do the same lookup
    const value = RED.util?.evaluateEnvProperty?.(url, node);
    url = typeof value === 'string' ? value.trim() : '';
  }
  return url === '' ? { kind: 'msg.url' } : hostOfFormUrl(url);
}

/** Reads, per running instance, the form destination of the `http request` nodes wired after a node. */
export class WiredRequestDestinations {
  private readonly cache = new WeakMap<RuntimeNode, FormDestination>();

  constructor(
    private readonly RED: NodeRedApi,
    private readonly wired: readonly string[],
  ) {}

  /**
   * The destination of the wired `http request` nodes: one host when they agree, `msg.url` when
   * they all take the URL from the message, `unknown` when they differ or cannot be read (the rules
   * then treat the destination as external); undefined when none is wired.
   */
  current(): FormDestination | undefined {
    const found: FormDestination[] = [];
    for (const id of this.wired) {
      const node = this.RED.nodes.getNode(id);
      if (node === null || node.type !== 'http request') continue;
      let destination = this.cache.get(node);
      if (destination === undefined) {
        destination = formDestinationOf(this.RED, node);
        this.cache.set(node, destination);
      }
      found.push(destination);
    }
    if (found.length === 0) return undefined;
    const keys = new Set(found.map((destination) => (destination.kind === 'host' ? `host:${destination.host.toLowerCase()}` : destination.kind)));
    if (keys.size === 1) return found[0];
    return { kind: 'unknown', reason: 'the http request nodes wired after it call different hosts' };
  }
}
