// Trust and baggage boundary: whether the caller may decide sampling (tracing.trustedCallers),
// and the caller's context as the route's rules let it in.
import type { Exchange } from '../exchange';
import { extractParent } from '../proxy-tracer';
import type { ProxyPass } from './pass';

export class BoundaryPass implements ProxyPass {
  readonly name = 'boundary';

  request(exchange: Exchange): boolean {
    const tracing = exchange.route?.tracing;
    if (tracing === undefined) return true;
    exchange.trusted = exchange.generation.isTrusted(exchange.clientAddress);
    exchange.parent = extractParent({ request: exchange.request, tracing, trusted: exchange.trusted });
    return true;
  }
}
