// Requests total and duration per route, direction, method and status. This runs once per proxied
// request, so each label combination is resolved once and cached under a flat string key. The
// count is kept as a plain number and handed to prom-client at scrape time (its labelled inc()
// hashes the labels on every call); the duration goes to prom-client's histogram child directly.
import type { Counter, Histogram, Registry } from 'prom-client';
import { Counter as PromCounter, Histogram as PromHistogram } from 'prom-client';
import type { RequestObservation, TrafficDirection } from '../runtime-contracts';
import { methodLabel, statusClassLabel, statusCodeLabel } from './request-labels';

// The semantic conventions' advisory buckets for http.server.request.duration, with 1 ms and
// 2.5 ms added below them: a proxy on a local network answers well under the first 5 ms bucket.
export const REQUEST_DURATION_BUCKETS: readonly number[] = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
];

const COUNT_LABELS = ['route', 'direction', 'method', 'status_code'] as const;
// Status class only on the histogram: one series there costs a line per bucket.
const DURATION_LABELS = ['route', 'direction', 'method', 'status_class'] as const;

type CountLabel = (typeof COUNT_LABELS)[number];
type DurationLabel = (typeof DURATION_LABELS)[number];

interface Series {
  count: { inc(value?: number): void };
  /** Requests not yet handed to the counter. */
  pending: number;
  duration: { observe(value: number): void };
}

export class RequestMetrics {
  private readonly durations: Histogram<DurationLabel>;
  private readonly series = new Map<string, Series>();
  private readonly requests: Counter<CountLabel>;

  constructor(registry: Registry) {
    const series = this.series;
    this.requests = new PromCounter({
      name: 'threadline_proxy_requests_total',
      help: 'Requests answered by the proxy, by route, direction, method and status code.',
      labelNames: COUNT_LABELS,
      registers: [registry],
      collect() {
        for (const entry of series.values()) {
          if (entry.pending === 0) continue;
          entry.count.inc(entry.pending);
          entry.pending = 0;
        }
      },
    });
    this.durations = new PromHistogram({
      name: 'threadline_proxy_request_duration_seconds',
      help: 'Time from receiving a request to the end of its response, by route, direction, method and status class.',
      labelNames: DURATION_LABELS,
      buckets: [...REQUEST_DURATION_BUCKETS],
      registers: [registry],
    });
  }

  record(observation: RequestObservation): void {
    // The key is built from the bounded label values, so odd methods or statuses cannot grow the cache.
    const method = methodLabel(observation.method);
    const statusCode = statusCodeLabel(observation.status);
    const key = `${observation.route}\n${observation.direction}\n${method}\n${statusCode}`;
    let entry = this.series.get(key);
    if (entry === undefined) {
      entry = this.resolve(observation.route, observation.direction, method, observation.status);
      this.series.set(key, entry);
    }
    entry.pending += 1;
    // A negative or non-finite duration would make prom-client throw on the proxy's hot path.
    const seconds = observation.durationSeconds;
    entry.duration.observe(Number.isFinite(seconds) && seconds > 0 ? seconds : 0);
  }

  private resolve(route: string, direction: TrafficDirection, method: string, status: number): Series {
    return {
      count: this.requests.labels({ route, direction, method, status_code: statusCodeLabel(status) }),
      pending: 0,
      duration: this.durations.labels({ route, direction, method, status_class: statusClassLabel(status) }),
    };
  }
}
