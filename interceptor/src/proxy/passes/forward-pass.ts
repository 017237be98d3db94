// Forward: the upstream exchange (see UpstreamRelay). When the client goes away first, the
// upstream request is aborted.
import type { Exchange } from '../exchange';
import { UpstreamRelay } from '../upstream-relay';
import type { ProxyPass } from './pass';

export class ForwardPass implements ProxyPass {
  readonly name = 'forward';

  request(exchange: Exchange): boolean {
    const upstreamRequest = exchange.upstreamRequest;
    if (upstreamRequest === undefined) {
      exchange.reply(500, 'no upstream for this request');
      return false;
    }
    const relay = new UpstreamRelay(exchange, upstreamRequest);
    exchange.running = relay;
    relay.start();
    return false;
  }

  finish(exchange: Exchange): void {
    if (exchange.clientGone) exchange.running?.abort();
  }
}
