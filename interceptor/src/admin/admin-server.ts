// The admin plane on its own port, on node:http: health and readiness for probes, Prometheus
// metrics, the redacted config and reload for operators. node:http rather than express keeps the
// interceptor's runtime dependencies to connectors, schemas, undici and prom-client; five fixed
// paths need no router.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ProxyMetrics } from '../metrics';
import type { InterceptorControl } from '../runtime-contracts';
import { adminEndpoints, sendNotFound } from './admin-endpoints';
import type { AdminContext } from './admin-endpoints';
import { BearerTokenVerifier } from '@threadline/connectors';
import { errorMessage, sendError } from './responses';

export interface AdminServerOptions {
  control: InterceptorControl;
  metrics: ProxyMetrics;
  /** Default 127.0.0.1: the admin surface is for the local machine unless configured otherwise. */
  host?: string;
  /** 0 picks a free port. */
  port: number;
  /** Bearer token for every endpoint except /healthz and /readyz; at least 16 characters. */
  token: string;
  /** Errors of the listening socket after start (default: one line on stderr). The token never appears in them. */
  onError?: (error: Error) => void;
}

export interface AdminServer {
  /** e.g. http://127.0.0.1:9464 */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Stops listening and closes every connection. Idempotent. */
  close(): Promise<void>;
}

const REALM = 'threadline-admin';
const REDACTED = 'REDACTED';
// Admin requests are small; slow or idle clients are cut off rather than held.
const HEADERS_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 30_000;
const KEEP_ALIVE_TIMEOUT_MS = 5_000;

function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

function pathnameOf(rawUrl: string | undefined): string {
  const url = rawUrl ?? '/';
  const query = url.indexOf('?');
  return query < 0 ? url : url.slice(0, query);
}

function createHandler(context: AdminContext, verifier: BearerTokenVerifier): http.RequestListener {
  const endpoints = adminEndpoints();
  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    // No endpoint reads a body; discard any so the connection stays usable.
    req.resume();
    const endpoint = endpoints.get(pathnameOf(req.url));
    if (!endpoint?.public) {
      const check = verifier.check(req.headers.authorization);
      if (check !== 'ok') {
        const challenge = check === 'missing' ? `Bearer realm="${REALM}"` : `Bearer realm="${REALM}", error="invalid_token"`;
        const message = check === 'missing' ? 'this endpoint needs Authorization: Bearer <admin token>' : 'the admin token is not valid';
        sendError(res, 401, message, { 'www-authenticate': challenge });
        return;
      }
    }
    if (!endpoint) {
      sendNotFound(res);
      return;
    }
    const method = req.method === 'HEAD' && endpoint.method === 'GET' ? 'GET' : req.method;
    if (method !== endpoint.method) {
      const allow = endpoint.method === 'GET' ? 'GET, HEAD' : endpoint.method;
      sendError(res, 405, `use ${endpoint.method} for this endpoint`, { allow });
      return;
    }
    await endpoint.handle(context, req, res);
  };
  return (req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) res.destroy();
      else sendError(res, 500, `admin request failed: ${context.scrubToken(errorMessage(error))}`);
    });
  };
}

/** Starts the admin server; resolves once it listens. Refuses an empty or short token. */
export async function createAdminServer(options: AdminServerOptions): Promise<AdminServer> {
  const verifier = new BearerTokenVerifier(options.token, 'admin.token', 'the admin endpoints');
  const token = options.token;
  const context: AdminContext = {
    control: options.control,
    metrics: options.metrics,
    scrubToken: (text) => (text.includes(token) ? text.split(token).join(REDACTED) : text),
  };
  const server = http.createServer(createHandler(context, verifier));
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  const host = options.host ?? '127.0.0.1';

  return new Promise((resolve, reject) => {
    const onListenError = (error: Error): void => {
      reject(new Error(`admin server could not listen on ${urlHost(host)}:${options.port}: ${error.message}`));
    };
    server.once('error', onListenError);
    server.listen(options.port, host, () => {
      server.off('error', onListenError);
      const onError = options.onError ?? ((error: Error) => console.error(`threadline admin server: ${error.message}`));
      server.on('error', onError);
      const port = (server.address() as AddressInfo).port;
      let closing: Promise<void> | undefined;
      resolve({
        url: `http://${urlHost(host)}:${port}`,
        host,
        port,
        close() {
          closing ??= new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          });
          return closing;
        },
      });
    });
  });
}
