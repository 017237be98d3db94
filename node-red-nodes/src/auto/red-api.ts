// The slice of Node-RED's runtime API the automatic-tracing plugin uses. Node-RED publishes no
// types; these describe what 4.x and 5.x pass to plugins and hook handlers.

/** A running node as hook events carry it (only the fields read here). */
export interface RuntimeNode {
  id: string;
  type: string;
  name?: string;
  /** The flow (tab) or subflow the node lives in. */
  z?: string;
  /** Internal: how many input handlers take a `done` argument (0: the node never completes). */
  _expectedDoneCount?: number;
}

export interface SendEvent {
  msg: Record<string, unknown>;
  source: { id: string; node?: RuntimeNode; port?: number };
  destination: { id: string; node?: RuntimeNode };
  cloneMessage?: boolean;
}

export interface ReceiveEvent {
  msg: Record<string, unknown>;
  destination: { id: string; node: RuntimeNode };
}

export interface CompleteEvent {
  msg: Record<string, unknown>;
  node: { id: string; node: RuntimeNode };
  error?: unknown;
}

export interface RuntimeHooks {
  add(label: string, handler: (event: never) => unknown): void;
  remove(label: string): void;
}

export interface RuntimeLog {
  info(message: unknown): void;
  warn(message: unknown): void;
  error(message: unknown): void;
}

/** RED.util: getSetting(node, name) answers a node's flow settings, e.g. NR_FLOW_NAME. */
export interface RuntimeUtil {
  getSetting?(node: unknown, name: string): unknown;
}

export interface RuntimeEvents {
  on(event: string, listener: (...args: unknown[]) => void): void;
  removeListener(event: string, listener: (...args: unknown[]) => void): void;
}

export interface PluginDefinition {
  type?: string;
  onadd?: () => void;
  onremove?: () => void;
}

/** The `RED` object a plugin module receives. */
export interface PluginRED {
  hooks: RuntimeHooks;
  log: RuntimeLog;
  events?: RuntimeEvents;
  util?: RuntimeUtil;
  settings: Record<string, unknown>;
  plugins: { registerPlugin(id: string, definition: PluginDefinition): void };
}
