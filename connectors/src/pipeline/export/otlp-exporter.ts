// The OTLP/HTTP span exporter: OpenTelemetry's exporter base, export delegate and serializers
// (http/protobuf or http/json), over this package's HTTP transport (see http-transport.ts). What
// this file adds: one config shape, TLS files read up front with errors that name the field, and
// an agent owned here so shutdown closes its sockets. Over http/protobuf it also takes requests the
// export queue encoded as spans arrived (see encoded-spans.ts).
import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import { diag } from '@opentelemetry/api';
import type { ExportResult } from '@opentelemetry/core';
import { CompressionAlgorithm, createOtlpNetworkExportDelegate, ExporterMetrics, OTLPExporterBase } from '@opentelemetry/otlp-exporter-base';
import { JsonTraceSerializer, ProtobufTraceSerializer, TraceExporterMetricsHelper } from '@opentelemetry/otlp-transformer';
import type { IExporterMetricsHelper, IExportTraceServiceResponse, ISerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { ExporterConfig, TlsConfig } from '../../config/types';
import type { EncodedSpanExporter, EncodedSpans } from './encoded-spans';
import { createHttpTransport } from './http-transport';
import { OtlpTraceEncoder, SpanBatchEncoder } from './otlp-protobuf-encoder';

/** How long shutdown waits for the exporter's requests before it closes the sockets under them. */
const SHUTDOWN_GRACE_MILLIS = 1000;
/** Concurrent requests the delegate allows; BatchQueue sends one batch at a time anyway. */
const CONCURRENCY_LIMIT = 4;

function readPem(field: keyof TlsConfig, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`exporter.tls.${field}: cannot read "${file}": ${reason}`, { cause: error });
  }
}

function tlsAgentOptions(tls: TlsConfig): https.AgentOptions {
  if (Boolean(tls.certFile) !== Boolean(tls.keyFile)) {
    throw new Error('exporter.tls: certFile and keyFile go together (mutual TLS needs both the client certificate and its key)');
  }
  const options: https.AgentOptions = {};
  if (tls.caFile) options.ca = readPem('caFile', tls.caFile);
  if (tls.certFile) options.cert = readPem('certFile', tls.certFile);
  if (tls.keyFile) options.key = readPem('keyFile', tls.keyFile);
  return options;
}

function parseEndpoint(endpoint: string): URL {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new Error(`exporter.tracesEndpoint: "${endpoint}" is not an absolute URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`exporter.tracesEndpoint: "${endpoint}" must use http: or https:`);
  }
  return url;
}

function createAgent(url: URL, tls: TlsConfig): http.Agent {
  if (url.protocol === 'https:') return new https.Agent({ keepAlive: true, ...tlsAgentOptions(tls) });
  if (tls.caFile || tls.certFile || tls.keyFile) {
    diag.warn(`Threadline exporter: exporter.tls is set but ${url.href} is not https:, so it is not used`);
  }
  return new http.Agent({ keepAlive: true });
}

/** OpenTelemetry's protobuf serializer with this package's one-pass encoder for requests (the same bytes, less work per span). */
function protobufSerializer(): typeof ProtobufTraceSerializer {
  const encoder = new OtlpTraceEncoder();
  return {
    serializeRequest: (spans: ReadableSpan[]) => encoder.encode(spans),
    deserializeResponse: (data: Uint8Array) => ProtobufTraceSerializer.deserializeResponse(data),
  };
}

/** Requests encoded by the queue go out as they are. */
const ENCODED_SERIALIZER: ISerializer<EncodedSpans, IExportTraceServiceResponse> = {
  serializeRequest: (request) => request.body,
  deserializeResponse: (data) => ProtobufTraceSerializer.deserializeResponse(data),
};

/**
 * An OTLP/HTTP span exporter for `config`: protocol, endpoint, headers, timeout, gzip, and TLS
 * with a custom CA and a client certificate (mutual TLS). It sends each batch once; retries are
 * BatchQueue's. Throws, naming the field, when the endpoint is not a URL or a TLS file cannot be read.
 */
export function createOtlpExporter(config: ExporterConfig): SpanExporter | EncodedSpanExporter {
  const url = parseEndpoint(config.tracesEndpoint);
  const agent = createAgent(url, config.tls ?? {});
  const json = config.protocol === 'http/json';
  const transport = createHttpTransport({
    url,
    contentType: json ? 'application/json' : 'application/x-protobuf',
    headers: { ...config.headers },
    compression: config.compression === 'gzip' ? 'gzip' : 'none',
    agent,
  });
  const delegateOptions = {
    timeoutMillis: config.timeoutMillis,
    concurrencyLimit: CONCURRENCY_LIMIT,
    compression: config.compression === 'gzip' ? CompressionAlgorithm.GZIP : CompressionAlgorithm.NONE,
  };
  // One shape of exporter metrics for both request forms; only how spans are counted differs.
  const metricsCounting = <T>(metricsHelper: IExporterMetricsHelper<T>): ExporterMetrics<T> =>
    new ExporterMetrics<T>({ componentType: 'otlp_http_span_exporter', metricsHelper, url: url.href, meterProvider: undefined, responseAttributesFromError: () => ({}) });
  const exporter = new OTLPExporterBase<ReadableSpan[]>(
    createOtlpNetworkExportDelegate(delegateOptions, json ? JsonTraceSerializer : protobufSerializer(), metricsCounting(TraceExporterMetricsHelper), transport),
  );
  // Over http/protobuf, requests the queue encoded go out through the same transport, options and
  // response handling, with the queue's bytes as the body.
  const encoded = json
    ? undefined
    : new OTLPExporterBase<EncodedSpans>(
        createOtlpNetworkExportDelegate(
          delegateOptions,
          ENCODED_SERIALIZER,
          metricsCounting<EncodedSpans>({ name: 'span', countItems: (request) => request.spanCount }),
          transport,
        ),
      );
  const shutdown = async (): Promise<void> => {
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, SHUTDOWN_GRACE_MILLIS);
      timer.unref();
    });
    try {
      await Promise.race([Promise.all([exporter.shutdown(), encoded?.shutdown()]), grace]);
    } finally {
      clearTimeout(timer);
      agent.destroy();
    }
  };
  const spanExporter: SpanExporter = {
    export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
      exporter.export(spans, resultCallback);
    },
    forceFlush: async () => {
      await Promise.all([exporter.forceFlush(), encoded?.forceFlush()]);
    },
    shutdown,
  };
  if (encoded === undefined) return spanExporter;
  return {
    ...spanExporter,
    startBatch: () => new SpanBatchEncoder(),
    exportEncoded(spans: EncodedSpans, resultCallback: (result: ExportResult) => void): void {
      encoded.export(spans, resultCallback);
    },
  };
}
