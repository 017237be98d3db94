// The admin endpoints, each a small handler. Health endpoints are open (probes carry no token);
// every other path, known or not, is behind the Bearer token, so an anonymous caller learns nothing.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ProxyMetrics } from '../metrics';
import type { InterceptorControl, ReloadResult } from '../runtime-contracts';
import { errorMessage, sendError, sendJson, sendText } from './responses';

export interface AdminContext {
  control: InterceptorControl;
  metrics: ProxyMetrics;
  /** Replaces any occurrence of the admin token in a text about to leave (belt and braces for /config). */
  scrubToken(text: string): string;
}

type Handler = (context: AdminContext, req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface Endpoint {
  method: 'GET' | 'POST';
  public: boolean;
  handle: Handler;
}

function healthz(_context: AdminContext, _req: IncomingMessage, res: ServerResponse): void {
  sendJson(res, 200, { status: 'ok' });
}

function readyz(context: AdminContext, _req: IncomingMessage, res: ServerResponse): void {
  if (context.control.ready) sendJson(res, 200, { status: 'ready' });
  else sendJson(res, 503, { status: 'not ready' });
}

async function metrics(context: AdminContext, _req: IncomingMessage, res: ServerResponse): Promise<void> {
  const text = await context.metrics.render(context.control);
  sendText(res, 200, context.metrics.contentType, text);
}

function config(context: AdminContext, _req: IncomingMessage, res: ServerResponse): void {
  const text = JSON.stringify(context.control.redactedConfig(), null, 2);
  sendText(res, 200, 'application/json; charset=utf-8', `${context.scrubToken(text)}\n`);
}

/** One admin reload at a time: a second request while one runs gets 409 rather than queueing. */
function reloadEndpoint(): Handler {
  let running = false;
  return async (context, _req, res) => {
    if (running) {
      sendJson(res, 409, { ok: false, errors: ['a reload is already in progress; try again when it has finished'] });
      return;
    }
    running = true;
    let result: ReloadResult;
    try {
      result = await context.control.reload();
    } catch (error) {
      sendJson(res, 500, { ok: false, errors: [`reload failed: ${errorMessage(error)}`] });
      return;
    } finally {
      running = false;
    }
    sendJson(res, result.ok ? 200 : 422, { ok: result.ok, errors: result.errors });
  };
}

export function adminEndpoints(): ReadonlyMap<string, Endpoint> {
  return new Map<string, Endpoint>([
    ['/healthz', { method: 'GET', public: true, handle: healthz }],
    ['/readyz', { method: 'GET', public: true, handle: readyz }],
    ['/metrics', { method: 'GET', public: false, handle: metrics }],
    ['/config', { method: 'GET', public: false, handle: config }],
    ['/reload', { method: 'POST', public: false, handle: reloadEndpoint() }],
  ]);
}

export function sendNotFound(res: ServerResponse): void {
  sendError(res, 404, 'no such admin endpoint: the endpoints are GET /healthz, /readyz, /metrics, /config and POST /reload');
}
