// CONNECT (forward-proxy mode, for HTTPS through HTTP_PROXY): a TCP tunnel to an allowed
// host:port, with a CLIENT span that lasts as long as the tunnel. The tunnel carries TLS the proxy
// cannot read, so no context is injected; the span still joins the caller's trace when the
// CONNECT request carried one.
import type { IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { reportConnection } from './connection-report';
import type { ProxyContext } from './proxy-context';
import { extractParent, type ExchangeTrace } from './proxy-tracer';
import { parseAuthority } from './request-target';
import { headerLines, rejectSocket, spliceSockets } from './socket-response';
import { ConnectTimeoutError, upstreamFailureMessage, upstreamFailureStatus } from './upstream-errors';

export function handleConnect(context: ProxyContext, request: IncomingMessage, client: Socket, head: Buffer): void {
  const startedAt = performance.now();
  const clientAddress = request.socket.remoteAddress;
  const target = request.url ?? '';
  client.on('error', () => undefined);
  const reject = (status: number, message: string): void => {
    rejectSocket(client, status, message);
    reportConnection(context, { route: undefined, direction: 'forward', method: 'CONNECT', path: target, status, startedAt, client: clientAddress });
  };

  const authority = parseAuthority(target);
  if (authority === undefined) return reject(400, 'bad request: CONNECT needs host:port');
  const generation = context.generation();
  const forward = generation.forward;
  if (forward === undefined) return reject(403, 'forward proxying is not enabled');
  const host = authority.host.startsWith('[') ? authority.host.slice(1, -1) : authority.host;
  if (!forward.allowed.allows(authority.host, authority.port)) return reject(403, `forward proxying to ${target} is not allowed`);

  const route = forward.route;
  let trace: ExchangeTrace | undefined;
  if (route.tracing !== undefined) {
    const trusted = generation.isTrusted(clientAddress);
    trace = context.tracer.start({
      route,
      tracing: route.tracing,
      parent: extractParent({ request, tracing: route.tracing, trusted }),
      request,
      method: 'CONNECT',
      target,
      upstreamUrl: `${authority.port === 443 ? 'https' : 'http'}://${target}`,
      upstreamHost: host,
      clientAddress,
    });
  }
  const extraHeaders = trace?.responseHeaders(route.tracing?.traceResponse ?? false, generation.config.tracing.correlationIdHeader) ?? [];

  const upstream: Socket = connect({ host, port: authority.port });
  let established = false;
  let failure: unknown;
  let finished = false;
  const untrack = context.track({ close: () => destroyBoth() });
  const destroyBoth = (): void => {
    upstream.destroy();
    client.destroy();
  };
  const connectTimer = setTimeout(() => upstream.destroy(new ConnectTimeoutError(`no connection to ${target} within ${route.timeouts.connectMillis} ms`)), route.timeouts.connectMillis);

  upstream.once('connect', () => {
    clearTimeout(connectTimer);
    if (client.destroyed) return destroyBoth();
    established = true;
    client.write(`HTTP/1.1 200 Connection Established\r\n${headerLines(extraHeaders)}\r\n`);
    if (head.length > 0) upstream.write(head);
    spliceSockets(upstream, client, route.timeouts.idleMillis, destroyBoth);
  });
  upstream.on('error', (error) => {
    failure ??= error;
    if (!established) {
      const status = upstreamFailureStatus(error);
      rejectSocket(client, status, upstreamFailureMessage(error), extraHeaders);
    }
  });
  const finish = (): void => {
    if (finished) return;
    finished = true;
    clearTimeout(connectTimer);
    untrack();
    // Before the tunnel stood, the client is being answered (rejectSocket closes it).
    if (established) destroyBoth();
    else {
      upstream.destroy();
      if (failure === undefined && !client.destroyed) rejectSocket(client, 502, 'upstream closed the connection', extraHeaders);
    }
    const status = established ? 200 : failure !== undefined ? upstreamFailureStatus(failure) : 499;
    if (established) trace?.end({ statusCode: 200 });
    else if (failure !== undefined) trace?.end({ statusCode: status, error: failure });
    else trace?.end({ errorType: 'client_aborted' });
    reportConnection(context, { route: route.name, direction: 'forward', method: 'CONNECT', path: target, status, startedAt, client: clientAddress, upstream: `${host}:${authority.port}`, ...(trace ? { trace } : {}), ...(failure !== undefined && !established ? { error: failure } : {}) });
  };
  upstream.once('close', finish);
  client.once('close', finish);
}
