// A small OTLP/HTTP trace receiver for tests and benchmarks, run as its OWN PROCESS so the code
// under test never shares an event loop or memory with the collector it talks to:
//
//   node --import tsx test/support/otlp-receiver.ts [--port N] [--tls-cert F --tls-key F [--tls-client-ca F]] [--keep-alive] [--keep-raw]
//
// It listens on 127.0.0.1 only (port 0 = any free port) and prints one JSON line on stdout once
// ready: {"port":N,"adminPort":M,"tls":false}. It exits on SIGTERM/SIGINT and, unless --keep-alive
// is given, when its stdin closes, so it never outlives the test that started it. Use it through
// otlp-receiver-client.ts (startReceiver) rather than directly.
//
// Traces endpoint (on `port`):
//   POST /v1/traces  application/json or application/x-protobuf, optionally Content-Encoding: gzip.
//                    Spans are stored normalised (see otlp-decode.ts). Answers 200 with an empty
//                    ExportTraceServiceResponse, 400 for an undecodable body, 415 for an unknown
//                    content type or encoding, 413 past 32 MiB.
// Admin endpoints (on `adminPort`; the same port unless TLS is on, then a plain-HTTP one):
//   GET    /spans[?traceId=…]  stored spans as a JSON array
//   DELETE /spans              forget stored spans and the request log
//   GET    /requests           one entry per export request: content type, encoding, headers, span count, status
//   GET    /stats              {"spans":N,"requests":M}
//   GET    /raw                with --keep-raw: every stored export body as received (after gzip),
//                              [{"contentType":…,"body":base64}], for tests that check raw bytes
//   POST   /control            {"status":503,"times":2,"delayMs":100,"retryAfterSeconds":1}: answer the
//                              next `times` exports (all, without `times`) with `status` instead of
//                              storing them, and/or delay every answer; {} restores normal service
//   GET    /health             200
import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import { parseArgs } from 'node:util';
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import type { ReceivedRequest, ReceivedSpan, ReceiverBehaviour } from './otlp-decode';
import { DecodeError, decodeJsonRequest, decodeProtobufRequest } from './otlp-decode';

const HOST = '127.0.0.1';
const MAX_BODY_BYTES = 32 * 1024 * 1024;
const MAX_REQUEST_LOG = 10_000;
const gunzipAsync = promisify(gunzip);

const spans: ReceivedSpan[] = [];
/** Bodies of stored exports, when started with --keep-raw. */
const rawBodies: { contentType: string; body: string }[] = [];
let keepRaw = false;
const requestLog: ReceivedRequest[] = [];
let behaviour: ReceiverBehaviour = {};

function send(res: http.ServerResponse, status: number, body: string | Buffer, contentType: string, extra: http.OutgoingHttpHeaders = {}): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body), ...extra });
  res.end(body);
}

function sendJson(res: http.ServerResponse, status: number, value: unknown): void {
  send(res, status, JSON.stringify(value), 'application/json');
}

function readBody(req: http.IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0].trim().toLowerCase();
}

function headerRecord(req: http.IncomingMessage): Record<string, string> {
  const record: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) record[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return record;
}

function logRequest(entry: ReceivedRequest): void {
  requestLog.push(entry);
  if (requestLog.length > MAX_REQUEST_LOG) requestLog.shift();
}

function delay(millis: number): Promise<void> {
  return millis > 0 ? new Promise((resolve) => setTimeout(resolve, millis)) : Promise.resolve();
}

/** The status the current behaviour imposes on this export, if any (consumes one of `times`). */
function imposedStatus(): number | undefined {
  if (!behaviour.status) return undefined;
  if (behaviour.times !== undefined) {
    if (behaviour.times <= 0) return undefined;
    behaviour.times--;
  }
  return behaviour.status;
}

async function handleExport(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const contentType = mediaType(req.headers['content-type']);
  const contentEncoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  const entry: ReceivedRequest = { contentType, contentEncoding, headers: headerRecord(req), spanCount: 0, status: 200, bytes: 0 };
  const answer = async (status: number, body: string | Buffer, type: string, extra?: http.OutgoingHttpHeaders): Promise<void> => {
    entry.status = status;
    logRequest(entry);
    await delay(behaviour.delayMs ?? 0);
    send(res, status, body, type, extra);
  };

  const raw = await readBody(req);
  if (raw === undefined) return answer(413, 'body too large', 'text/plain');
  entry.bytes = raw.length;
  const isJson = contentType === 'application/json';
  const isProtobuf = contentType === 'application/x-protobuf' || contentType === 'application/protobuf';
  if (!isJson && !isProtobuf) return answer(415, `unsupported content type "${contentType}"`, 'text/plain');
  if (contentEncoding !== 'identity' && contentEncoding !== 'gzip') {
    return answer(415, `unsupported content encoding "${contentEncoding}"`, 'text/plain');
  }

  const imposed = imposedStatus();
  if (imposed !== undefined) {
    const extra = behaviour.retryAfterSeconds !== undefined ? { 'retry-after': String(behaviour.retryAfterSeconds) } : undefined;
    return answer(imposed, `status ${imposed} imposed by /control`, 'text/plain', extra);
  }

  let decoded: ReceivedSpan[];
  try {
    const body = contentEncoding === 'gzip' ? await gunzipAsync(raw) : raw;
    decoded = isJson ? decodeJsonRequest(body.toString('utf8')) : decodeProtobufRequest(body);
  } catch (error) {
    const reason = error instanceof DecodeError ? error.message : `cannot decode body: ${(error as Error).message}`;
    return answer(400, reason, 'text/plain');
  }
  entry.spanCount = decoded.length;
  for (const span of decoded) spans.push(span);
  if (keepRaw) rawBodies.push({ contentType, body: (contentEncoding === 'gzip' ? await gunzipAsync(raw) : raw).toString('base64') });
  return isJson ? answer(200, '{}', 'application/json') : answer(200, Buffer.alloc(0), 'application/x-protobuf');
}

async function handleAdmin(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<boolean> {
  const route = `${req.method} ${url.pathname}`;
  switch (route) {
    case 'GET /spans': {
      const traceId = url.searchParams.get('traceId');
      sendJson(res, 200, traceId ? spans.filter((span) => span.traceId === traceId) : spans);
      return true;
    }
    case 'DELETE /spans':
      spans.length = 0;
      requestLog.length = 0;
      rawBodies.length = 0;
      res.writeHead(204).end();
      return true;
    case 'GET /requests':
      sendJson(res, 200, requestLog);
      return true;
    case 'GET /raw':
      sendJson(res, 200, rawBodies);
      return true;
    case 'GET /stats':
      sendJson(res, 200, { spans: spans.length, requests: requestLog.length });
      return true;
    case 'GET /health':
      sendJson(res, 200, { ok: true });
      return true;
    case 'POST /control': {
      const body = await readBody(req);
      try {
        const parsed: unknown = JSON.parse(body?.toString('utf8') || '{}');
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('expected an object');
        behaviour = parsed as ReceiverBehaviour;
        res.writeHead(204).end();
      } catch (error) {
        send(res, 400, `bad control body: ${(error as Error).message}`, 'text/plain');
      }
      return true;
    }
    default:
      return false;
  }
}

function handler(serveTraces: boolean, serveAdmin: boolean): http.RequestListener {
  return (req, res) => {
    const url = new URL(req.url ?? '/', `http://${HOST}`);
    const work = async (): Promise<void> => {
      if (serveTraces && url.pathname === '/v1/traces') {
        if (req.method !== 'POST') return send(res, 405, 'POST only', 'text/plain', { allow: 'POST' });
        return handleExport(req, res);
      }
      if (serveAdmin && (await handleAdmin(req, res, url))) return;
      send(res, 404, `no route ${req.method} ${url.pathname}`, 'text/plain');
    };
    work().catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, String(error), 'text/plain');
      else res.destroy();
    });
  };
}

function listen(server: http.Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : port);
    });
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      'tls-client-ca': { type: 'string' },
      'keep-alive': { type: 'boolean', default: false },
      'keep-raw': { type: 'boolean', default: false },
    },
  });
  keepRaw = values['keep-raw'] === true;
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port: "${values.port}" is not a port number`);
  const tls = values['tls-cert'] !== undefined || values['tls-key'] !== undefined;
  if (tls && (values['tls-cert'] === undefined || values['tls-key'] === undefined)) throw new Error('--tls-cert and --tls-key go together');

  const servers: http.Server[] = [];
  let tracesPort: number;
  let adminPort: number;
  if (tls) {
    const clientCa = values['tls-client-ca'];
    const tlsServer = https.createServer(
      {
        cert: readFileSync(values['tls-cert'] as string),
        key: readFileSync(values['tls-key'] as string),
        ...(clientCa ? { ca: readFileSync(clientCa), requestCert: true, rejectUnauthorized: true } : {}),
      },
      handler(true, false),
    );
    const adminServer = http.createServer(handler(false, true));
    servers.push(tlsServer, adminServer);
    tracesPort = await listen(tlsServer, port);
    adminPort = await listen(adminServer, 0);
  } else {
    const server = http.createServer(handler(true, true));
    servers.push(server);
    tracesPort = adminPort = await listen(server, port);
  }

  const stop = (): void => {
    for (const server of servers) {
      server.closeAllConnections();
      server.close();
    }
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  if (!values['keep-alive']) {
    process.stdin.on('end', stop);
    process.stdin.on('close', stop);
    process.stdin.resume();
  }
  process.stdout.write(`${JSON.stringify({ port: tracesPort, adminPort, tls })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`otlp-receiver: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
