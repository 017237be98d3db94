// The part of autocannon 9's API the proxy benchmark uses (the package ships no types).
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';

  namespace autocannon {
    interface Options {
      url: string;
      connections?: number;
      /** Seconds. */
      duration?: number;
      pipelining?: number;
      /** Seconds. */
      timeout?: number;
      method?: string;
      headers?: Record<string, string>;
    }

    interface Result {
      /** Seconds. */
      duration: number;
      errors: number;
      timeouts: number;
      non2xx: number;
      resets: number;
      '2xx': number;
      requests: { average: number; total: number };
    }

    interface Instance extends EventEmitter, PromiseLike<Result> {
      /** `response`: (client, statusCode, bytes, latencyMillis) with sub-millisecond precision. */
      on(event: 'response', listener: (client: unknown, statusCode: number, bytes: number, latencyMillis: number) => void): this;
      on(event: string, listener: (...args: unknown[]) => void): this;
    }
  }

  function autocannon(options: autocannon.Options): autocannon.Instance;
  export = autocannon;
}
