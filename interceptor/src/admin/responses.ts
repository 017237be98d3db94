// Small response writers for the admin endpoints: every answer is JSON or Prometheus text, never cached.
import type { ServerResponse } from 'node:http';

const COMMON_HEADERS = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' } as const;

export function sendText(res: ServerResponse, status: number, contentType: string, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...COMMON_HEADERS, ...headers, 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  sendText(res, status, 'application/json; charset=utf-8', `${JSON.stringify(body, null, 2)}\n`, headers);
}

/** `{ "error": message }` with the given status. */
export function sendError(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  sendJson(res, status, { error: message }, headers);
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
