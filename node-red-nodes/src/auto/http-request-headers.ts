// Trace headers for one `http request` delivery, written at preDeliver into a copy of
// msg.headers (never into an object a clone or the caller may share, and never earlier in the
// flow, where `http response` would send them back to the caller).
//
// The `http request` node marks the response headers it puts on msg.headers with
// `x-node-red-request-node` = hash of those headers, and ignores msg.headers on the next request
// when the hash still matches (they are a previous response's headers). Adding a traceparent
// would break that match and send the old response headers out, so: when the mark is there and
// matches, start from no headers; when it does not match (the user changed them), keep them;
// either way drop the mark. The hash is the node's own `hash-sum`, loaded from the running
// Node-RED; if it cannot be found, marked headers are treated as response headers (never leak).
import type { TextMapPropagator } from '@opentelemetry/api';
import type { TraceCarrier } from '@threadline/connectors';
import { headerMapSetter, injectCarrier } from '@threadline/connectors';
import { createRequire } from 'node:module';
import * as path from 'node:path';

export const REQUEST_NODE_MARK = 'x-node-red-request-node';

type HashSum = (value: unknown) => string;
let hashSum: HashSum | null | undefined;

function loadHashSum(): HashSum | null {
  const main = require.main?.filename;
  if (main === undefined) return null;
  const attempts = [
    () => createRequire(main)('hash-sum') as HashSum,
    () => createRequire(require.resolve('@node-red/nodes/package.json', { paths: [path.dirname(main)] }))('hash-sum') as HashSum,
  ];
  for (const attempt of attempts) {
    try {
      const loaded = attempt();
      if (typeof loaded === 'function') return loaded;
    } catch {
      // try the next place
    }
  }
  return null;
}

/** Whether marked headers are still exactly the response headers the node put there. */
function isUntouchedResponse(headers: Record<string, unknown>): boolean {
  if (hashSum === undefined) hashSum = loadHashSum();
  if (hashSum === null) return true;
  const { [REQUEST_NODE_MARK]: mark, ...rest } = headers;
  return hashSum(rest) === mark;
}

/** Writes the carrier's headers (traceparent, tracestate, baggage) into a fresh msg.headers. */
export function injectTraceHeaders(msg: Record<string, unknown>, carrier: TraceCarrier, propagator: TextMapPropagator): void {
  const current = msg.headers;
  let headers: Record<string, string | string[] | undefined> = {};
  if (typeof current === 'object' && current !== null && !Array.isArray(current)) {
    const given = current as Record<string, unknown>;
    if (!(REQUEST_NODE_MARK in given) || !isUntouchedResponse(given)) {
      headers = { ...(given as Record<string, string>) };
      delete headers[REQUEST_NODE_MARK];
    }
  }
  injectCarrier(carrier, headers, headerMapSetter, propagator);
  msg.headers = headers;
}
