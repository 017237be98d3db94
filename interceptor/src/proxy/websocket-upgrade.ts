// WebSocket (and any HTTP/1.1 Upgrade) pass-through on a route: the handshake is forwarded with
// the route's headers and trace context, the upstream's 101 is relayed, and then bytes flow both
// ways untouched. The span covers the whole connection. An upstream that refuses the upgrade has
// its response relayed as it is.
import * as http from 'node:http';
import * as https from 'node:https';
import type { IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Socket } from 'node:net';
import { reportConnection } from './connection-report';
import { forwardRequestHeaders, forwardResponseHeaders } from './forwarded-headers';
import type { ProxyContext } from './proxy-context';
import { upstreamPath } from './proxy-route';
import { extractParent, type ExchangeTrace } from './proxy-tracer';
import { parseRequestTarget } from './request-target';
import { headerLines, rejectSocket, spliceSockets } from './socket-response';
import { ConnectTimeoutError, upstreamFailureMessage, upstreamFailureStatus } from './upstream-errors';

export function handleUpgrade(context: ProxyContext, request: IncomingMessage, client: Socket, head: Buffer): void {
  const startedAt = performance.now();
  const clientAddress = request.socket.remoteAddress;
  const method = request.method ?? 'GET';
  client.on('error', () => undefined);
  const target = parseRequestTarget(request.url ?? '');
  const generation = context.generation();
  const reject = (status: number, message: string, path: string): void => {
    rejectSocket(client, status, message);
    reportConnection(context, { route: undefined, direction: 'ingress', method, path, status, startedAt, client: clientAddress });
  };
  if (target.form === 'invalid') return reject(400, `bad request: ${target.reason}`, request.url ?? '');
  if (target.form !== 'origin') return reject(target.form === 'absolute' ? 403 : 404, target.form === 'absolute' ? 'upgrades are not forward-proxied' : 'no route for this path', request.url ?? '');
  const route = generation.routes.match(target.path);
  const upstream = route?.upstream;
  if (route === undefined || upstream === undefined) return reject(404, 'no route for this path', target.path);

  const path = upstreamPath(route, upstream, target.path, target.query);
  const headers = forwardRequestHeaders(request.rawHeaders, {
    dropTraceHeaders: route.tracing !== undefined,
    upstreamHost: upstream.hostHeader,
    clientAddress,
    clientScheme: 'http',
    keepUpgrade: true,
  });
  let trace: ExchangeTrace | undefined;
  if (route.tracing !== undefined) {
    trace = context.tracer.start({
      route,
      tracing: route.tracing,
      parent: extractParent({ request, tracing: route.tracing, trusted: generation.isTrusted(clientAddress) }),
      request,
      method,
      target: request.url ?? '/',
      upstreamUrl: `${upstream.scheme}://${upstream.hostHeader}${path}`,
      upstreamHost: upstream.hostname,
      clientAddress,
    });
    trace.inject(headers);
  }
  const extraHeaders = trace?.responseHeaders(route.tracing?.traceResponse ?? false, generation.config.tracing.correlationIdHeader) ?? [];

  const transport = upstream.scheme === 'https' ? https : http;
  const upstreamRequest = transport.request({ host: upstream.hostname, port: upstream.port, method, path, headers, agent: false });
  let upstreamSocket: Socket | undefined;
  let status = 0;
  let failure: unknown;
  let finished = false;
  const destroyAll = (): void => {
    upstreamRequest.destroy();
    upstreamSocket?.destroy();
    client.destroy();
  };
  const untrack = context.track({ close: destroyAll });
  const connectTimer = setTimeout(
    () => upstreamRequest.destroy(new ConnectTimeoutError(`no upgrade response within ${route.timeouts.connectMillis + route.timeouts.responseHeadersMillis} ms`)),
    route.timeouts.connectMillis + route.timeouts.responseHeadersMillis,
  );

  const finish = (): void => {
    if (finished) return;
    finished = true;
    clearTimeout(connectTimer);
    untrack();
    if (status === 0 && failure === undefined) status = 499;
    if (failure !== undefined && status === 0) status = upstreamFailureStatus(failure);
    if (failure !== undefined) trace?.end({ statusCode: status, error: failure });
    else if (status === 499) trace?.end({ errorType: 'client_aborted' });
    else trace?.end({ statusCode: status });
    reportConnection(context, { route: route.name, direction: route.direction, method, path: target.path, status, startedAt, client: clientAddress, upstream: upstream.origin, ...(trace ? { trace } : {}), ...(failure !== undefined ? { error: failure } : {}) });
  };

  upstreamRequest.on('upgrade', (response: IncomingMessage, socket: Socket, upstreamHead: Buffer) => {
    clearTimeout(connectTimer);
    upstreamSocket = socket;
    status = 101;
    socket.on('error', () => undefined);
    if (client.destroyed) {
      socket.destroy();
      return finish();
    }
    const fields: [string, string][] = [];
    for (let index = 0; index < response.rawHeaders.length; index += 2) fields.push([response.rawHeaders[index]!, response.rawHeaders[index + 1]!]);
    client.write(`HTTP/1.1 101 Switching Protocols\r\n${headerLines([...fields, ...extraHeaders])}\r\n`);
    if (upstreamHead.length > 0) client.write(upstreamHead);
    if (head.length > 0) socket.write(head);
    spliceSockets(socket, client, route.timeouts.idleMillis, destroyAll);
    socket.once('close', () => {
      client.destroy();
      finish();
    });
    client.once('close', () => {
      socket.destroy();
      finish();
    });
  });

  upstreamRequest.on('response', (response: IncomingMessage) => {
    // The upstream answered without upgrading: relay its answer and close.
    clearTimeout(connectTimer);
    status = response.statusCode ?? 502;
    const filtered = forwardResponseHeaders(response.headers);
    const fields: [string, string][] = [];
    for (const [name, value] of Object.entries(filtered)) {
      if (name === 'content-length' || value === undefined) continue;
      for (const item of Array.isArray(value) ? value : [value]) fields.push([name, item]);
    }
    client.write(`HTTP/1.1 ${status} ${response.statusMessage ?? ''}\r\n${headerLines([['connection', 'close'], ...fields, ...extraHeaders])}\r\n`);
    response.pipe(client);
    response.once('end', () => {
      client.end();
      finish();
    });
    response.once('error', (error) => {
      failure = error;
      client.destroy();
      finish();
    });
  });

  upstreamRequest.on('error', (error) => {
    if (finished || upstreamSocket !== undefined) return;
    failure = error;
    rejectSocket(client, upstreamFailureStatus(error), upstreamFailureMessage(error), extraHeaders);
    finish();
  });
  client.once('close', () => {
    if (upstreamSocket === undefined && status === 0) {
      upstreamRequest.destroy();
      finish();
    }
  });
  upstreamRequest.end();
}
