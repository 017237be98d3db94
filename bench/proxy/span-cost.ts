// CPU time of the interceptor's tracing step per request, in one process and without sockets, so
// the figure barely moves when other work shares the machine: the same route tracing, tracer,
// redactor and span pipeline the proxy builds, driven for a fixed number of requests (extract the
// caller's context, start the span, inject upstream, record the outcome and end it), with every
// span encoded as OTLP/protobuf when it is queued, as the OTLP exporter has it, and each finished
// request discarded. It also times the encoder against OpenTelemetry's serializer on a sample of
// those spans.
//
//   node --import tsx bench/proxy/span-cost.ts [--requests N]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { createPipeline, PIPELINE_SCOPE_NAME } from '@threadline/connectors';
// The built packages (npm run build), not their sources: code run through tsx gets esbuild's
// keep-names helper on many closures, which the proxy in production does not pay.
import { OtlpTraceEncoder } from '@threadline/connectors/dist/pipeline/export/otlp-protobuf-encoder';
import { loadInterceptorConfig } from '@threadline/interceptor';
import { buildGeneration } from '@threadline/interceptor/dist/proxy/generation';
import { RouteRedactor, RouteSampler } from '@threadline/interceptor/dist/proxy/per-route-seams';
import type { ProxyRoute, RouteTracing } from '@threadline/interceptor/dist/proxy/proxy-route';
import { ProxyTracer, extractParent } from '@threadline/interceptor/dist/proxy/proxy-tracer';
import { UpstreamPools } from '@threadline/interceptor/dist/proxy/upstream-pools';
import { EncodedDiscardExporter } from '../encoded-discard-exporter';
import { machine } from '../machine';

const { values: flags } = parseArgs({ options: { requests: { type: 'string', default: '100000' } } });
const REQUESTS = Number(flags.requests);
if (!Number.isInteger(REQUESTS) || REQUESTS <= 0) throw new Error('--requests must be a positive integer');
const WARMUP = Math.min(20_000, REQUESTS);
const SAMPLE_SPANS = 256;

const RAW_HEADERS = ['Host', '127.0.0.1:8080', 'User-Agent', 'autocannon', 'Accept', '*/*'];

/**
 * A request as node hands it to the proxy, with the headers a load generator sends: a new one per
 * request, whose `headers` and `headersDistinct` objects are built from the raw list on first
 * read, as node builds them, so reading them costs here what it costs in the proxy.
 */
class BenchRequest {
  readonly httpVersion = '1.1';
  readonly url = '/orders/42';
  readonly method = 'GET';
  readonly rawHeaders = RAW_HEADERS;
  private built?: Record<string, string>;
  private builtDistinct?: Record<string, string[]>;

  get headers(): Record<string, string> {
    if (this.built === undefined) {
      this.built = {};
      for (let index = 0; index < RAW_HEADERS.length; index += 2) this.built[RAW_HEADERS[index]!.toLowerCase()] ??= RAW_HEADERS[index + 1]!;
    }
    return this.built;
  }

  get headersDistinct(): Record<string, string[]> {
    if (this.builtDistinct === undefined) {
      this.builtDistinct = {};
      for (let index = 0; index < RAW_HEADERS.length; index += 2) (this.builtDistinct[RAW_HEADERS[index]!.toLowerCase()] ??= []).push(RAW_HEADERS[index + 1]!);
    }
    return this.builtDistinct;
  }
}

interface Setup {
  tracer: ProxyTracer;
  route: ProxyRoute;
  tracing: RouteTracing;
  exporter: EncodedDiscardExporter;
  flush: () => Promise<void>;
  close: () => Promise<void>;
}

function setUp(mode: '0' | '100'): Setup {
  const folder = mkdtempSync(join(tmpdir(), 'threadline-span-cost-'));
  const file = join(folder, 'interceptor.json');
  writeFileSync(
    file,
    JSON.stringify({
      listen: { host: '127.0.0.1', port: 0 },
      routes: [{ name: 'orders', path: '/orders', upstream: 'http://127.0.0.1:9' }],
      sampling: mode === '100' ? { sampler: 'always_on' } : { sampler: 'traceidratio', ratio: 0 },
      exporter: { tracesEndpoint: 'http://127.0.0.1:9/v1/traces', queue: { maxSize: 65536, maxBatchSize: 256, scheduledDelayMillis: 100 } },
      admin: { enabled: false },
    }),
  );
  const config = loadInterceptorConfig({ file, env: {} });
  const pools = new UpstreamPools();
  const generation = buildGeneration(config, pools, {});
  const redactor = new RouteRedactor(generation.defaultRules.redactor);
  const exporter = new EncodedDiscardExporter(SAMPLE_SPANS);
  const pipeline = createPipeline(config.telemetry, { exporter, sampler: new RouteSampler(generation.defaultSampler), redactor });
  const route = generation.routes.routes[0]!;
  return {
    tracer: new ProxyTracer(pipeline.getLeanTracer(PIPELINE_SCOPE_NAME), redactor),
    route,
    tracing: route.tracing!,
    exporter,
    flush: () => pipeline.forceFlush(),
    close: async () => {
      await pipeline.shutdown();
      await pools.close();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

/** The tracing work of `count` requests, yielding to the event loop now and then so batches export. */
async function drive(setup: Setup, count: number): Promise<void> {
  const { tracer, route, tracing } = setup;
  for (let index = 0; index < count; index++) {
    const request = new BenchRequest() as unknown as IncomingMessage;
    const parent = extractParent({ request, tracing, trusted: false });
    const trace = tracer.start({ route, tracing, parent, request, method: 'GET', target: '/orders/42', upstreamUrl: 'http://127.0.0.1:9/orders/42', upstreamHost: '127.0.0.1', clientAddress: '127.0.0.1' });
    trace.inject({});
    trace.end({ statusCode: 200 });
    if (index % 500 === 499) await new Promise((resolve) => setImmediate(resolve));
  }
  await setup.flush();
}

function cpuMicros(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return used.user + used.system;
}

async function main(): Promise<void> {
  console.log(`Threadline tracing cost per request — ${new Date().toISOString()}`);
  console.log(`machine: ${machine()}`);
  console.log(`${REQUESTS.toLocaleString('en-US')} requests per case after ${WARMUP.toLocaleString('en-US')} warm-up; CPU time of this process (user + system, GC threads included)\n`);
  let sample: ReadableSpan[] = [];
  for (const mode of ['0', '100'] as const) {
    const setup = setUp(mode);
    await drive(setup, WARMUP);
    const start = process.cpuUsage();
    await drive(setup, REQUESTS);
    console.log(`  ${mode === '0' ? '0 % sampling  ' : '100 % sampling'}  ${(cpuMicros(start) / REQUESTS).toFixed(2).padStart(6)} µs CPU per request`);
    if (mode === '100') sample = setup.exporter.sample;
    await setup.close();
  }
  if (sample.length === 0) return;
  console.log(`\nOTLP/protobuf encoding of ${sample.length} of those spans, best of 5 rounds of 200 batches:`);
  const encoder = new OtlpTraceEncoder();
  const encoders: Array<[string, (spans: ReadableSpan[]) => unknown]> = [
    ['threadline encoder (exporter)', (spans) => encoder.encode(spans)],
    ['OpenTelemetry ProtobufTraceSerializer', (spans) => ProtobufTraceSerializer.serializeRequest(spans)],
  ];
  for (const [name, encode] of encoders) {
    let best = Number.POSITIVE_INFINITY;
    for (let round = 0; round < 5; round++) {
      const start = process.cpuUsage();
      for (let batch = 0; batch < 200; batch++) encode(sample);
      best = Math.min(best, cpuMicros(start) / 200 / sample.length);
    }
    console.log(`  ${name.padEnd(40)} ${best.toFixed(2).padStart(6)} µs CPU per span`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
