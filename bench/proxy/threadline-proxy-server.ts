// The interceptor under benchmark, set up as `threadline proxy` runs it (the runtime with the
// Prometheus metrics as its observer, the access log on, written to stdout, which the benchmark
// discards), with one route to the upstream. Run by bench/proxy/run.ts in its own process.
//
//   --mode off   the route has tracing: false (no span, no context read or written)
//   --mode 0     tracing on, sampler traceidratio at 0: spans are created and never recorded
//   --mode 100   tracing on, always_on, every span exported over OTLP to --otlp URL
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
// The built package, as `threadline proxy` runs it (npm run bench:proxy builds first): code run
// through tsx gets esbuild's keep-names helper, a defineProperty on many of the closures it makes.
import { ProxyMetrics, startInterceptor, tuneRuntimeForProxy } from '@threadline/interceptor';
import { announceReady } from './child-protocol';

const { values } = parseArgs({ options: { upstream: { type: 'string' }, mode: { type: 'string' }, otlp: { type: 'string' } } });
if (!values.upstream || !['off', '0', '100'].includes(values.mode ?? '')) throw new Error('usage: --upstream URL --mode off|0|100 [--otlp URL]');
if (values.mode === '100' && !values.otlp) throw new Error('--mode 100 needs --otlp URL');

const config = {
  listen: { host: '127.0.0.1', port: 0 },
  routes: [{ name: 'orders', path: '/orders', upstream: values.upstream, tracing: values.mode !== 'off' }],
  sampling: values.mode === '100' ? { sampler: 'always_on' } : { sampler: 'traceidratio', ratio: 0 },
  service: { name: 'bench-proxy' },
  exporter: {
    tracesEndpoint: values.otlp ?? 'http://127.0.0.1:9/v1/traces',
    protocol: 'http/protobuf',
    // Room for a few seconds of spans at full load, sent at least every 100 ms in batches of
    // OpenTelemetry's default size: spans are encoded as they are queued, so a batch's size no
    // longer sets how long encoding it holds the event loop.
    queue: { maxSize: 65536, maxBatchSize: 512, scheduledDelayMillis: 100 },
  },
  admin: { enabled: false },
};

async function main(): Promise<void> {
  tuneRuntimeForProxy();
  const folder = mkdtempSync(join(tmpdir(), 'threadline-bench-'));
  const file = join(folder, 'interceptor.json');
  writeFileSync(file, JSON.stringify(config, null, 2));
  const metrics = new ProxyMetrics();
  const interceptor = await startInterceptor({ file, env: {}, observer: metrics });
  const counters = (): Record<string, number> => {
    const { queued, exported, dropped, failed } = interceptor.pipelineStats();
    return { queued, exported, dropped, failed };
  };
  const stop = async (): Promise<void> => {
    await interceptor.close(2000);
    rmSync(folder, { recursive: true, force: true });
  };
  announceReady(interceptor.address.port, stop, counters);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
