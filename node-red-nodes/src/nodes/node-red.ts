// The part of Node-RED's runtime API these nodes use. Node-RED ships no types of its own, and
// the nodes need only this much, so it is written down here rather than pulled in as a package.

export type NodeMessage = Record<string, unknown> & { _msgid?: string };

export interface NodeStatus {
  fill?: 'red' | 'green' | 'yellow' | 'blue' | 'grey';
  shape?: 'ring' | 'dot';
  text?: string;
}

export type SendFunction = (msg: NodeMessage | (NodeMessage | NodeMessage[] | null)[] | null) => void;
export type DoneFunction = (err?: Error) => void;

export interface RuntimeNode {
  readonly id: string;
  readonly type: string;
  readonly z?: string;
  name?: string;
  credentials?: Record<string, string | undefined>;
  status(status: NodeStatus): void;
  error(err: unknown, msg?: NodeMessage): void;
  warn(message: unknown): void;
  log(message: unknown): void;
  send(msg: NodeMessage | null): void;
  on(event: 'input', handler: (msg: NodeMessage, send: SendFunction, done: DoneFunction) => void): void;
  on(event: 'close', handler: (removed: boolean, done: () => void) => void): void;
}

/** A node definition as the editor saved it: the fields of the node's `defaults`. */
export type NodeDefinition = Record<string, unknown> & { id: string; type: string; name?: string; wires?: string[][] };

/** A delivery as the `preDeliver` message hook sees it (after any clone for this destination). */
export interface DeliveryEvent {
  msg: NodeMessage;
  destination: { id: string; node?: { id: string; type: string } };
}

export interface NodeRedApi {
  nodes: {
    createNode(node: object, definition: NodeDefinition): void;
    registerType(type: string, constructor: (this: RuntimeNode, definition: NodeDefinition) => void, options?: { credentials?: Record<string, { type: 'text' | 'password' }> }): void;
    getNode(id: string): RuntimeNode | null;
    /** Every node of the deployed configuration, as the editor saved it. */
    eachNode?(callback: (definition: NodeDefinition) => void): void;
  };
  settings?: { userDir?: string; [key: string]: unknown };
  util?: {
    getSetting?(node: unknown, name: string): unknown;
    evaluateEnvProperty?(value: string, node: unknown): unknown;
  };
  events?: { on(event: string, listener: (...args: unknown[]) => void): void };
  hooks?: { add(label: string, handler: (event: DeliveryEvent) => void): void; remove(label: string): void };
}
