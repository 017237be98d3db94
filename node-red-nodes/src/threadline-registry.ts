// The Threadline instances the `threadline-config` nodes own, for the nodes and the automatic
// tracing plugin. One module instance per process: the build puts this file in the shared chunk
// (dist/shared.js) that every node file and the plugin load, so they all see the same map.
import type { Threadline } from '@threadline/connectors';

/** What a config node registers: its Threadline and the settings other parts read. */
export interface ThreadlineEntry {
  /** Id of the config node. */
  readonly id: string;
  /** Its name, or its service name, for messages. */
  readonly label: string;
  readonly threadline: Threadline;
  /** The "automatic tracing" checkbox: a span per node per message (read by the plugin). */
  readonly autoTracing: boolean;
  /** How long an open span record may stay open before it is ended as incomplete. */
  readonly spanDeadlineMs: number;
}

export type RegistryEvent = { type: 'added' | 'removed'; entry: ThreadlineEntry };

const entries = new Map<string, ThreadlineEntry>();
/** Why a config node could not start, by id, so the nodes using it can say so. */
const failures = new Map<string, string>();
const listeners = new Set<(event: RegistryEvent) => void>();

function idOf(configNode: unknown): string | undefined {
  if (typeof configNode === 'string') return configNode;
  if (typeof configNode === 'object' && configNode !== null && typeof (configNode as { id?: unknown }).id === 'string') {
    return (configNode as { id: string }).id;
  }
  return undefined;
}

function notify(event: RegistryEvent): void {
  for (const listener of [...listeners]) {
    try {
      listener(event);
    } catch {
      // a listener's failure must not stop a config node from starting or closing
    }
  }
}

/** Called by a config node once its Threadline is built; replaces an entry with the same id. */
export function registerThreadline(entry: ThreadlineEntry): void {
  const previous = entries.get(entry.id);
  if (previous !== undefined && previous !== entry) notify({ type: 'removed', entry: previous });
  failures.delete(entry.id);
  entries.set(entry.id, entry);
  notify({ type: 'added', entry });
}

/** Called by a config node whose settings are invalid, with what is wrong. */
export function reportThreadlineFailure(id: string, reason: string): void {
  failures.set(id, reason);
}

/** What kept a config node from starting, if it did not. */
export function threadlineFailure(configNode: unknown): string | undefined {
  const id = idOf(configNode);
  return id === undefined ? undefined : failures.get(id);
}

/** Called by a config node's close handler (before it shuts its Threadline down). */
export function unregisterThreadline(configNode: unknown): void {
  const id = idOf(configNode);
  if (id !== undefined) failures.delete(id);
  const entry = id === undefined ? undefined : entries.get(id);
  if (entry === undefined) return;
  entries.delete(entry.id);
  notify({ type: 'removed', entry });
}

/** The Threadline of a config node (the node object or its id); undefined when it is not running. */
export function getThreadline(configNode: unknown): Threadline | undefined {
  return getThreadlineEntry(configNode)?.threadline;
}

export function getThreadlineEntry(configNode: unknown): ThreadlineEntry | undefined {
  const id = idOf(configNode);
  return id === undefined ? undefined : entries.get(id);
}

/** Every running config node, in the order they started. */
export function listThreadlineEntries(): ThreadlineEntry[] {
  return [...entries.values()];
}

/** The first running config node with automatic tracing switched on. */
export function autoTracingEntry(): ThreadlineEntry | undefined {
  for (const entry of entries.values()) if (entry.autoTracing) return entry;
  return undefined;
}

/** Calls `listener` whenever a config node starts or closes; returns the unsubscribe function. */
export function onThreadlineChange(listener: (event: RegistryEvent) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
