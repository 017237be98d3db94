// The shape of the configuration file as the schema admits it (before defaults are filled).
import type { PropagatorName, SamplerName, ThreadlineConfigInput } from '@threadline/connectors';

type RedactionInput = NonNullable<ThreadlineConfigInput['redaction']>;
import type { RouteDirection } from './types';

export interface TimeoutsInput {
  connectMillis?: number;
  responseHeadersMillis?: number;
  idleMillis?: number;
}

export interface RouteInput {
  name: string;
  path: string;
  upstream: string;
  direction?: RouteDirection;
  stripPrefix?: boolean;
  tracing?: boolean;
  sampling?: { sampler?: SamplerName; ratio?: number };
  propagation?: { outbound?: PropagatorName[] };
  traceResponse?: boolean;
  timeouts?: TimeoutsInput;
  tls?: { caFile?: string; serverName?: string };
  captureHeaders?: { request?: string[]; response?: string[] };
  captureBody?: { request?: boolean; response?: boolean; maxBytes?: number };
  maxConnections?: number;
  redaction?: RedactionInput;
}

export interface InterceptorConfigInput extends ThreadlineConfigInput {
  listen: {
    host?: string;
    port: number;
    headersTimeoutMillis?: number;
    requestTimeoutMillis?: number;
    keepAliveTimeoutMillis?: number;
    maxHeaderBytes?: number;
  };
  routes: RouteInput[];
  forwardProxy?: {
    enabled?: boolean;
    allowedHosts?: string[];
    tracing?: boolean;
    propagation?: { outbound?: PropagatorName[] };
    timeouts?: TimeoutsInput;
    redaction?: RedactionInput;
  };
  timeouts?: TimeoutsInput;
  tracing?: { traceResponse?: boolean; correlationIdHeader?: string; trustedCallers?: string[] };
  accessLog?: { enabled?: boolean; destination?: string };
  shutdown?: { drainTimeoutMillis?: number };
  admin: { enabled?: boolean; host?: string; port?: number; token?: string };
}
