// The proxy as an ordered list of small named passes. Each pass does one job on an Exchange before
// the request is forwarded, and may clean up once the exchange is over; a pass slots in without
// touching the others.
import type { Exchange } from '../exchange';

export interface ProxyPass {
  readonly name: string;
  /**
   * Runs in order when the request arrives. Returns false when the pass has taken the exchange
   * over (answered it, or handed it to the upstream): the passes after it do not run.
   */
  request(exchange: Exchange): boolean;
  /** Runs once when the exchange is over (answered, failed, or abandoned by the client), in reverse order. */
  finish?(exchange: Exchange): void;
}

/** Runs the request side of the passes, in order, until one takes the exchange over. */
export function runPasses(passes: readonly ProxyPass[], exchange: Exchange): void {
  for (const pass of passes) if (!pass.request(exchange)) return;
}

/** Runs every pass's finish in reverse order; one failing pass never stops the others. */
export function finishPasses(passes: readonly ProxyPass[], exchange: Exchange, onError: (pass: ProxyPass, error: unknown) => void): void {
  for (let index = passes.length - 1; index >= 0; index--) {
    const pass = passes[index]!;
    if (pass.finish === undefined) continue;
    try {
      pass.finish(exchange);
    } catch (error) {
      onError(pass, error);
    }
  }
}
