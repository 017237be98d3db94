// The seams between the interceptor's data plane (the proxy) and its admin plane (admin
// endpoints, metrics, signals), so each side is built and tested on its own.
import type { PipelineStats } from '@threadline/connectors';

/** Which way a route points: calls into the platform, the platform's calls out, or forward-proxy traffic. */
export type TrafficDirection = 'ingress' | 'egress' | 'forward';

/** One finished proxied request, as the metrics see it. */
export interface RequestObservation {
  /** Route name from the config (`forward` for forward-proxy traffic, `unmatched` for rejected requests). */
  route: string;
  direction: TrafficDirection;
  method: string;
  /** Status sent to the client (502/504 for upstream failures, 499 when the client went away). */
  status: number;
  durationSeconds: number;
}

/** What the proxy reports while it runs; the metrics registry implements it. */
export interface ProxyObserver {
  requestFinished(observation: RequestObservation): void;
  configReloaded(outcome: ReloadResult): void;
}

export interface ReloadResult {
  ok: boolean;
  /** Why a reload was refused, each naming the file, field path and line where known. */
  errors: string[];
}

/** What the admin plane may ask of a running interceptor. */
export interface InterceptorControl {
  /** True once listening and not draining. */
  readonly ready: boolean;
  /** Re-reads the config file (and rules files). An invalid file is refused; the running config stays. */
  reload(): Promise<ReloadResult>;
  /** The running configuration with every secret (tokens, headers, keys) replaced by "REDACTED". */
  redactedConfig(): unknown;
  /** Span pipeline counters: queued, exported, dropped, failed, exportErrors. */
  pipelineStats(): PipelineStats;
}
