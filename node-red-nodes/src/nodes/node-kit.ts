// What every Threadline node does the same way: find its config node's Threadline, show the
// short trace id and a duration in its status, and turn a thrown error into done(err) while the
// message still goes on (a tracing problem must not stop the flow it observes).
import { parseTraceparent } from '@threadline/connectors';
import { getThreadlineEntry, threadlineFailure } from '../threadline-registry';
import type { ThreadlineEntry } from '../threadline-registry';
import type { DoneFunction, NodeMessage, RuntimeNode, SendFunction } from './node-red';

/** Instrumentation scope of spans the nodes make. */
export const NODE_SCOPE = { name: '@threadline/node-red', version: '0.1.0' };

const SHORT_TRACE_ID_LENGTH = 8;

/** The first 8 hex digits of a trace id, or of the trace id in a traceparent. */
export function shortTraceId(traceIdOrTraceparent: string): string {
  const parsed = traceIdOrTraceparent.length === 32 ? undefined : parseTraceparent(traceIdOrTraceparent);
  return (parsed?.traceId ?? traceIdOrTraceparent).slice(0, SHORT_TRACE_ID_LENGTH);
}

export function formatDuration(ms: number): string {
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

/** Green dot: "4bf92f35 · 1.2 ms", or with a note instead of a duration. */
export function showTrace(node: RuntimeNode, traceId: string, durationOrNote: number | string): void {
  const tail = typeof durationOrNote === 'number' ? formatDuration(durationOrNote) : durationOrNote;
  node.status({ fill: 'green', shape: 'dot', text: `${shortTraceId(traceId)} · ${tail}` });
}

export function showProblem(node: RuntimeNode, text: string): void {
  node.status({ fill: 'red', shape: 'ring', text: text.length > 60 ? `${text.slice(0, 57)}...` : text });
}

/** The running config node this node uses; throws naming what is missing. */
export function requireEntry(node: RuntimeNode, configId: unknown): ThreadlineEntry {
  if (typeof configId !== 'string' || configId === '') {
    throw new Error(`${node.type}: no Threadline config node selected; open the node and pick one`);
  }
  const entry = getThreadlineEntry(configId);
  if (entry !== undefined) return entry;
  const failure = threadlineFailure(configId);
  throw new Error(
    failure !== undefined
      ? `${node.type}: the Threadline config node ${configId} did not start: ${failure}`
      : `${node.type}: the Threadline config node ${configId} is not deployed or not running`,
  );
}

/**
 * Registers the input handler. `work` changes the message in place and returns the status to
 * show; the message is then sent on. When `work` throws, the message is still sent on and the
 * error goes to done(err), so Catch nodes see it.
 */
export function onTracedInput(node: RuntimeNode, work: (msg: NodeMessage) => void): void {
  node.on('input', (msg: NodeMessage, send: SendFunction, done: DoneFunction) => {
    try {
      work(msg);
    } catch (error) {
      const err = error instanceof Error ? error : new Error(String(error));
      showProblem(node, err.message);
      send(msg);
      done(err);
      return;
    }
    send(msg);
    done();
  });
}

/** Nanoseconds since the epoch as a decimal string (the span record time format). */
export function nowUnixNano(): string {
  const micros = BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000));
  return (micros * 1000n).toString();
}

/** Milliseconds between a record's start (nanoseconds string) and now. */
export function msSince(startTimeUnixNano: string): number {
  return Number(BigInt(nowUnixNano()) - BigInt(startTimeUnixNano)) / 1e6;
}

/** At deploy: a red status right away when the config node is missing or did not start. */
export function showConfigProblem(node: RuntimeNode, configId: unknown): void {
  try {
    requireEntry(node, configId);
  } catch (error) {
    showProblem(node, (error as Error).message.replace(`${node.type}: `, ''));
  }
}
