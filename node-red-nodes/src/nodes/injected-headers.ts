// Trace headers an inject node writes into msg.headers are for the `http request` after it only.
// On success that node replaces msg.headers with the response headers; when the request fails the
// message goes on (to its output or a Catch node) with the request headers still there, and an
// `http response` on that path would send the flow's traceparent and baggage to the caller.
//
// So inject marks what it wrote: a symbol key on the headers object holding the names and values.
// A symbol is invisible to `http request` and `http response` (they walk string keys), to JSON and
// to the debug sidebar, but Node-RED's message clone and object spread keep it. A `preDeliver`
// hook, registered while an inject node is deployed, removes the marked fields (when they still
// hold what inject wrote) from every message delivered to an `http response` node.
import type { DeliveryEvent, NodeRedApi } from './node-red';

/** Shared through the global symbol registry, so any copy of this module (or the plugin) sees the same key. */
export const INJECTED_HEADERS = Symbol.for('threadline.injectedHeaders');

const HOOK_LABEL = 'preDeliver.threadline-inject-headers';

type Headers = Record<string | symbol, unknown>;

function isHeaders(value: unknown): value is Headers {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Marks the trace fields (any case) present in `headers` as written by inject, with their values. */
export function markInjectedHeaders(headers: Headers, fields: readonly string[]): void {
  const names = new Set(fields.map((field) => field.toLowerCase()));
  const written: Record<string, unknown> = {};
  for (const key of Object.keys(headers)) if (names.has(key.toLowerCase())) written[key] = headers[key];
  headers[INJECTED_HEADERS] = written;
}

/**
 * A copy of `headers` without the marked fields (a field the flow changed since is kept: it is the
 * flow's own); undefined when nothing is marked.
 */
export function withoutInjectedHeaders(headers: unknown): Headers | undefined {
  if (!isHeaders(headers)) return undefined;
  const written = headers[INJECTED_HEADERS];
  if (!isHeaders(written)) return undefined;
  const kept: Headers = {};
  for (const key of Object.keys(headers)) {
    if (!(Object.prototype.hasOwnProperty.call(written, key) && written[key] === headers[key])) kept[key] = headers[key];
  }
  return kept;
}

/** Removes the marked fields from msg.headers (as a new object: a clone elsewhere may share the old one). */
export function stripInjectedHeaders(msg: Record<string, unknown>): boolean {
  const kept = withoutInjectedHeaders(msg.headers);
  if (kept === undefined) return false;
  msg.headers = kept;
  return true;
}

/** The hook: runs for every delivery while an inject node is deployed, so it does as little as it can. */
function onDeliver(event: DeliveryEvent): void {
  try {
    if (event.destination.node?.type !== 'http response') return;
    const kept = withoutInjectedHeaders(event.msg.headers);
    // A new message for this delivery: when it was not cloned, the object is the one the next
    // destinations' clones are taken from, and they must keep the headers.
    if (kept !== undefined) event.msg = { ...event.msg, headers: kept };
  } catch {
    // a hook must never throw into the flow; the worst case is the old behaviour
  }
}

const users = new WeakMap<object, number>();

/**
 * Registers the hook for one more inject node; the returned function (call it from the node's
 * close handler) removes it when the last one goes. Undefined when the runtime has no message hooks
 * or the hook is registered already by another copy of this package.
 */
export function guardHttpResponses(RED: NodeRedApi): (() => void) | undefined {
  const hooks = RED.hooks;
  if (hooks === undefined) return undefined;
  const count = users.get(hooks) ?? 0;
  if (count === 0) {
    try {
      hooks.add(HOOK_LABEL, onDeliver);
    } catch {
      return undefined; // already there (another copy of the package): that one strips the headers
    }
  }
  users.set(hooks, count + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const left = (users.get(hooks) ?? 1) - 1;
    users.set(hooks, left);
    if (left === 0) hooks.remove(HOOK_LABEL);
  };
}
