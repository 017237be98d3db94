// The collector's one HTTP server: OTLP on /v1/traces, the JSON query API under /api, Prometheus
// metrics, health, and the viewer's static files. Every route answers; an unexpected failure in a
// handler answers 500 and is reported, it never brings the server down.
import * as http from 'node:http';
import type { ApiError, HealthResponse, StoreStats } from '../api/contract';
import { ExportRequestError, MAX_EXPORT_BYTES, readExport } from '../otlp/read-export';
import { errorStatusBody, jsonExportResponse, protobufExportResponse, type PartialSuccess } from '../otlp/export-response';
import type { ReceivedSpan } from '../otlp/decode';
import { QueryError, parseTraceFilter } from '../query/trace-filter';
import type { TraceQueries } from '../query/trace-queries';
import type { BearerTokenVerifier } from '@threadline/connectors';
import { metricsText, PROMETHEUS_CONTENT_TYPE } from './metrics-text';
import { readStaticFile } from './static-files';

export interface CollectorServerOptions {
  queries: TraceQueries;
  /**
   * Stores accepted spans (and persists and forwards them); returns how many were refused because
   * their trace alone fills the store.
   */
  ingest(spans: ReceivedSpan[]): number;
  stats(): StoreStats;
  /** Counts spans rejected as malformed. */
  onRejected(count: number): void;
  token?: BearerTokenVerifier;
  staticRoot: string;
  version: string;
  onError(message: string): void;
}

const TRACE_ID_PATH = /^\/api\/traces\/([0-9a-fA-F]{32})(\/audit|\/flow)?$/;

function send(res: http.ServerResponse, status: number, body: string | Buffer, contentType: string, extra: http.OutgoingHttpHeaders = {}): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store', ...extra });
  res.end(body);
}

function sendJson(res: http.ServerResponse, status: number, value: unknown): void {
  send(res, status, JSON.stringify(value), 'application/json; charset=utf-8');
}

function sendError(res: http.ServerResponse, status: number, message: string, extra?: http.OutgoingHttpHeaders): void {
  const body: ApiError = { error: message };
  send(res, status, JSON.stringify(body), 'application/json; charset=utf-8', extra);
}

/** The body, or undefined past `limit` bytes (the rest is drained, not kept). */
function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > limit ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export class CollectorServer {
  readonly server: http.Server;
  readonly requestsByStatus = new Map<number, number>();

  constructor(private readonly options: CollectorServerOptions) {
    this.server = http.createServer((req, res) => {
      this.route(req, res).catch((error: unknown) => {
        options.onError(`internal error on ${req.method} ${req.url}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        if (!res.headersSent) sendError(res, 500, 'internal error');
        else res.destroy();
      });
    });
    // An exporter keeps its connection; the server must not hold a shutdown on it for long.
    this.server.keepAliveTimeout = 5000;
  }

  private authorised(req: http.IncomingMessage): boolean {
    return this.options.token === undefined || this.options.token.check(req.headers.authorization) === 'ok';
  }

  private async route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://collector');
    const pathname = url.pathname;
    const method = req.method ?? 'GET';

    if (pathname === '/healthz') {
      const health: HealthResponse = { ok: true, version: this.options.version };
      return sendJson(res, 200, health);
    }
    if (pathname === '/' || pathname === '/viewer' || pathname.startsWith('/viewer/')) {
      if (method !== 'GET' && method !== 'HEAD') return sendError(res, 405, `${method} is not allowed on ${pathname}: GET only`, { allow: 'GET' });
      const file = await readStaticFile(this.options.staticRoot, pathname);
      if (file === undefined) return sendError(res, 404, `no viewer file at ${pathname}`);
      return send(res, 200, file.body, file.contentType);
    }
    if (!this.authorised(req)) {
      if (pathname === '/v1/traces') this.count(401);
      return sendError(res, 401, 'missing or wrong token: send "Authorization: Bearer <token>"', { 'www-authenticate': 'Bearer realm="threadline-collector"' });
    }
    if (pathname === '/v1/traces') {
      if (method !== 'POST') return sendError(res, 405, `${method} is not allowed on /v1/traces: OTLP exports are POSTed`, { allow: 'POST' });
      return this.receive(req, res);
    }
    if (method !== 'GET') return sendError(res, 405, `${method} is not allowed on ${pathname}: GET only`, { allow: 'GET' });
    return this.query(url, res);
  }

  private count(status: number): void {
    this.requestsByStatus.set(status, (this.requestsByStatus.get(status) ?? 0) + 1);
  }

  private async receive(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const body = await readBody(req, MAX_EXPORT_BYTES);
    if (body === undefined) {
      this.count(413);
      const answer = errorStatusBody(undefined, `body larger than ${MAX_EXPORT_BYTES} bytes`);
      return send(res, 413, answer.body, answer.contentType);
    }
    let read;
    try {
      read = await readExport(body, req.headers['content-type'], req.headers['content-encoding']);
    } catch (error) {
      if (!(error instanceof ExportRequestError)) throw error;
      this.count(error.status);
      const answer = errorStatusBody(error.encoding, error.message);
      return send(res, error.status, answer.body, answer.contentType);
    }
    const refused = this.options.ingest(read.spans);
    let partial: PartialSuccess | undefined;
    if (read.rejected > 0) this.options.onRejected(read.rejected);
    if (read.rejected + refused > 0) {
      const reasons = [
        ...(read.rejected > 0 ? [`${read.rejected} malformed (${read.rejectReason ?? 'bad ids'})`] : []),
        ...(refused > 0 ? [`${refused} refused: their trace alone fills the store's bound of spans`] : []),
      ];
      partial = { rejectedSpans: read.rejected + refused, errorMessage: `spans dropped: ${reasons.join('; ')}` };
    }
    this.count(200);
    if (read.encoding === 'json') return send(res, 200, jsonExportResponse(partial), 'application/json');
    return send(res, 200, protobufExportResponse(partial), 'application/x-protobuf');
  }

  private query(url: URL, res: http.ServerResponse): void {
    const { queries } = this.options;
    const pathname = url.pathname;
    try {
      if (pathname === '/api/traces') return sendJson(res, 200, queries.listTraces(parseTraceFilter(url.searchParams)));
      const match = TRACE_ID_PATH.exec(pathname);
      if (match !== null) {
        const traceId = match[1]!.toLowerCase();
        const answer = match[2] === '/audit' ? queries.traceAudit(traceId) : match[2] === '/flow' ? queries.flowView(traceId) : queries.traceDetail(traceId);
        return answer === undefined ? sendError(res, 404, `no trace ${traceId} in the store`) : sendJson(res, 200, answer);
      }
      if (pathname.startsWith('/api/traces/')) return sendError(res, 400, `"${pathname.slice('/api/traces/'.length)}" is not a trace id (32 hex digits)`);
      if (pathname === '/api/services') return sendJson(res, 200, queries.services());
      if (pathname === '/api/audit') {
        const windowMs = positiveParam(url.searchParams, 'windowMs');
        const limit = positiveParam(url.searchParams, 'limit');
        return sendJson(res, 200, queries.auditReport(windowMs, limit));
      }
      if (pathname === '/api/stats') return sendJson(res, 200, this.options.stats());
      if (pathname === '/metrics') return send(res, 200, metricsText(this.options.stats(), this.requestsByStatus, queries.auditReport()), PROMETHEUS_CONTENT_TYPE);
    } catch (error) {
      if (error instanceof QueryError) return sendError(res, 400, error.message);
      throw error;
    }
    return sendError(res, 404, `no endpoint ${pathname} (see docs/collector.md)`);
  }
}

function positiveParam(params: URLSearchParams, name: string): number | undefined {
  const raw = params.get(name);
  if (raw === null || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new QueryError(`${name}: "${raw}" is not a positive whole number`);
  return value;
}
