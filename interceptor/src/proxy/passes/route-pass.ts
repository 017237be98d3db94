// Route match: which route (or the forward proxy) handles the request, and the upstream request
// it becomes. A path no route names is answered 404 and never forwarded; forward-proxy requests
// to hosts not allowed are answered 403; a malformed request-target 400.
import type { Exchange } from '../exchange';
import { forwardRequestHeaders } from '../forwarded-headers';
import { upstreamOf, upstreamPath } from '../proxy-route';
import type { ProxyRoute, Upstream } from '../proxy-route';
import { parseRequestTarget } from '../request-target';
import type { UpstreamPools } from '../upstream-pools';
import type { ProxyPass } from './pass';

export class RoutePass implements ProxyPass {
  readonly name = 'route';

  constructor(private readonly pools: UpstreamPools) {}

  request(exchange: Exchange): boolean {
    const request = exchange.request;
    const target = parseRequestTarget(request.url ?? '');
    let route: ProxyRoute | undefined;
    let upstream: Upstream;
    let path: string;
    switch (target.form) {
      case 'invalid':
        exchange.reply(400, `bad request: ${target.reason}`);
        return false;
      case 'asterisk':
        exchange.reply(404, 'no route for this path');
        return false;
      case 'origin': {
        exchange.path = target.path;
        route = exchange.generation.routes.match(target.path);
        if (route === undefined || route.upstream === undefined) {
          exchange.reply(404, 'no route for this path');
          return false;
        }
        upstream = route.upstream;
        path = upstreamPath(route, upstream, target.path, target.query);
        break;
      }
      case 'absolute': {
        const url = target.url;
        exchange.path = `${url.protocol}//${url.host}${url.pathname}`;
        exchange.direction = 'forward';
        const forward = exchange.generation.forward;
        if (forward === undefined) {
          exchange.reply(403, 'forward proxying is not enabled');
          return false;
        }
        const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
        if (!forward.allowed.allows(url.hostname, port)) {
          exchange.reply(403, `forward proxying to ${url.host} is not allowed`);
          return false;
        }
        route = forward.route;
        const origin = new URL(`${url.protocol}//${url.host}`);
        upstream = upstreamOf(origin, this.pools.getOnDemand({ origin: origin.origin, connectMillis: forward.connectMillis, maxConnections: 256 }));
        path = `${url.pathname}${url.search}`;
        break;
      }
    }
    exchange.route = route;
    exchange.direction = route.direction;
    exchange.upstreamRequest = {
      upstream,
      method: request.method ?? 'GET',
      path,
      url: `${upstream.scheme}://${upstream.hostHeader}${path}`,
      headers: forwardRequestHeaders(request.rawHeaders, {
        dropTraceHeaders: route.tracing !== undefined,
        upstreamHost: upstream.hostHeader,
        clientAddress: exchange.clientAddress,
        clientScheme: 'http',
      }),
    };
    return true;
  }
}
