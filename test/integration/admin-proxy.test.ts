// The admin surface of a real `threadline proxy --config FILE` process: token checks, health and
// readiness (also while draining after SIGTERM), metrics that count real proxied requests and
// exported spans, the config without secrets, and reload (admin and SIGHUP) refusing a bad file
// with its field path while the running config keeps serving.
import * as http from 'node:http';
import { startReceiver } from '../support/otlp-receiver-client';
import type { Receiver } from '../support/otlp-receiver-client';
import { TempFolder, eventually, startUpstream } from '../../interceptor/test/proxy/support';
import type { Upstream } from '../../interceptor/test/proxy/support';
import { startProxyProcess } from '../../interceptor/test/proxy/process-support';
import type { ProxyProcess } from '../../interceptor/test/proxy/process-support';
import { adminCall, bearer } from '../../interceptor/test/admin/admin-client';
import { parsePrometheusText, sampleValue } from '../../interceptor/test/metrics/prometheus-text';

jest.setTimeout(45_000);

const ADMIN_TOKEN = 'integration-admin-token-4f1c9a';
const COLLECTOR_SECRET = 'collector-secret-7d2e51';
const UPSTREAM_PASSWORD = 'upstream-pass-93ab';

let folder: TempFolder;
let receiver: Receiver;
let upstream: Upstream;

function configText(upstreamUrl: string, routes: Array<{ name: string; path: string }>): string {
  return [
    'listen: { host: 127.0.0.1, port: 0 }',
    'routes:',
    ...routes.flatMap((route) => [`  - name: ${route.name}`, `    path: ${route.path}`, `    upstream: ${upstreamUrl}`]),
    'service: { name: admin-integration }',
    'exporter:',
    '  tracesEndpoint: ${COLLECTOR_URL}',
    '  headers: { authorization: "Bearer ${COLLECTOR_SECRET}" }',
    '  queue: { scheduledDelayMillis: 20 }',
    'accessLog: { enabled: false }',
    'shutdown: { drainTimeoutMillis: 10000 }',
    'admin: { port: 0, token: "${ADMIN_TOKEN}" }',
    '',
  ].join('\n');
}

async function startProxy(configFile: string): Promise<ProxyProcess & { adminUrl: string }> {
  const proxy = await startProxyProcess(configFile, { COLLECTOR_URL: receiver.url, COLLECTOR_SECRET, ADMIN_TOKEN });
  if (proxy.adminUrl === undefined) throw new Error(`no admin URL on stderr:\n${proxy.stderr()}`);
  return proxy as ProxyProcess & { adminUrl: string };
}

function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return adminCall(`http://127.0.0.1:${port}`, 'GET', path).then((response) => ({ status: response.status, body: response.text }));
}

beforeAll(async () => {
  folder = new TempFolder();
  receiver = await startReceiver();
  upstream = await startUpstream();
});

afterAll(async () => {
  await upstream?.close();
  await receiver?.stop();
  folder?.remove();
});

describe('a running proxy', () => {
  let proxy: ProxyProcess & { adminUrl: string };
  let file: string;
  const upstreamWithUserInfo = (): string => `http://bench:${UPSTREAM_PASSWORD}@127.0.0.1:${upstream.port}`;

  beforeAll(async () => {
    file = folder.write(configText(upstreamWithUserInfo(), [{ name: 'orders', path: '/orders' }]), 'admin-proxy.yaml');
    proxy = await startProxy(file);
  });

  afterAll(async () => {
    await proxy?.stop('SIGKILL');
  });

  it('answers health and readiness without a token', async () => {
    expect((await adminCall(proxy.adminUrl, 'GET', '/healthz')).status).toBe(200);
    const ready = await adminCall(proxy.adminUrl, 'GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.text)).toEqual({ status: 'ready' });
  });

  it.each(['/metrics', '/config'])('refuses GET %s without the token or with a wrong one (401)', async (path) => {
    const without = await adminCall(proxy.adminUrl, 'GET', path);
    expect(without.status).toBe(401);
    expect(without.headers['www-authenticate']).toMatch(/^Bearer realm=/);
    const wrong = await adminCall(proxy.adminUrl, 'GET', path, bearer(`${ADMIN_TOKEN}x`));
    expect(wrong.status).toBe(401);
    expect(wrong.headers['www-authenticate']).toContain('error="invalid_token"');
    expect((await adminCall(proxy.adminUrl, 'POST', '/reload', bearer('wrong-token-wrong-token'))).status).toBe(401);
  });

  it('counts proxied requests and exported spans in /metrics', async () => {
    for (let i = 0; i < 3; i++) expect((await get(proxy.port, `/orders/${i}`)).status).toBe(200);
    expect((await get(proxy.port, '/nowhere')).status).toBe(404);
    await receiver.waitForSpans((spans) => spans.filter((span) => span.attributes['threadline.route'] === 'orders').length >= 3);
    let families = parsePrometheusText('');
    await eventually(async () => {
      const response = await adminCall(proxy.adminUrl, 'GET', '/metrics', bearer(ADMIN_TOKEN));
      expect(response.status).toBe(200);
      families = parsePrometheusText(response.text);
      return (sampleValue(families, 'threadline_spans_exported_total') ?? 0) >= 3;
    }, 10_000, 'spans exported >= 3 in /metrics');
    expect(sampleValue(families, 'threadline_proxy_requests_total', { route: 'orders', direction: 'ingress', method: 'GET', status_code: '200' })).toBe(3);
    expect(sampleValue(families, 'threadline_proxy_requests_total', { route: 'unmatched', status_code: '404' })).toBe(1);
    expect(sampleValue(families, 'threadline_proxy_request_duration_seconds_count', { route: 'orders', status_class: '2xx' })).toBe(3);
    expect(sampleValue(families, 'threadline_spans_dropped_total')).toBe(0);
    expect(sampleValue(families, 'process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it('serves the running config without any secret', async () => {
    const response = await adminCall(proxy.adminUrl, 'GET', '/config', bearer(ADMIN_TOKEN));
    expect(response.status).toBe(200);
    for (const secret of [ADMIN_TOKEN, COLLECTOR_SECRET, UPSTREAM_PASSWORD]) expect(response.text).not.toContain(secret);
    const config = JSON.parse(response.text) as { routes: Array<{ name: string; upstream: string }>; admin: { token: string }; telemetry: { exporter: { headers: Record<string, string> } } };
    expect(config.routes.map((route) => route.name)).toEqual(['orders']);
    expect(config.routes[0]!.upstream).toContain('REDACTED:REDACTED@127.0.0.1');
    expect(config.admin.token).toBe('REDACTED');
    expect(config.telemetry.exporter.headers).toEqual({ authorization: 'REDACTED' });
  });

  it('refuses a bad file on POST /reload with the field path; the running config stays in force', async () => {
    folder.write(configText('not a url', [{ name: 'orders', path: '/orders' }]), 'admin-proxy.yaml');
    const refused = await adminCall(proxy.adminUrl, 'POST', '/reload', bearer(ADMIN_TOKEN));
    expect(refused.status).toBe(422);
    const body = JSON.parse(refused.text) as { ok: boolean; errors: string[] };
    expect(body.ok).toBe(false);
    expect(body.errors.join('\n')).toMatch(/admin-proxy\.yaml:5:15 routes\[0\]\.upstream: /);
    const served = JSON.parse((await adminCall(proxy.adminUrl, 'GET', '/config', bearer(ADMIN_TOKEN))).text) as { routes: Array<{ upstream: string }> };
    expect(served.routes[0]!.upstream).toContain(`127.0.0.1:${upstream.port}`);
    expect((await get(proxy.port, '/orders/after-refusal')).status).toBe(200);
    expect(upstream.requests.at(-1)!.url).toBe('/orders/after-refusal');
    const metrics = parsePrometheusText((await adminCall(proxy.adminUrl, 'GET', '/metrics', bearer(ADMIN_TOKEN))).text);
    expect(sampleValue(metrics, 'threadline_config_reloads_total', { result: 'failed' })).toBe(1);
    expect(sampleValue(metrics, 'threadline_config_last_reload_successful')).toBe(0);
  });

  it('applies a good file on POST /reload and on SIGHUP, counting both', async () => {
    folder.write(configText(upstreamWithUserInfo(), [{ name: 'orders', path: '/orders' }, { name: 'hooks', path: '/hooks' }]), 'admin-proxy.yaml');
    const applied = await adminCall(proxy.adminUrl, 'POST', '/reload', bearer(ADMIN_TOKEN));
    expect(applied.status).toBe(200);
    expect(JSON.parse(applied.text)).toEqual({ ok: true, errors: [] });
    expect((await get(proxy.port, '/hooks/1')).status).toBe(200);

    folder.write(configText(upstreamWithUserInfo(), [{ name: 'hooks', path: '/hooks' }]), 'admin-proxy.yaml');
    const reloadLines = (): number => proxy.stderr().split('configuration reloaded from ').length - 1;
    const before = reloadLines();
    proxy.child.kill('SIGHUP');
    await eventually(() => reloadLines() > before, 10_000, 'the SIGHUP reload logged');
    expect((await get(proxy.port, '/orders/gone')).status).toBe(404);
    const metrics = parsePrometheusText((await adminCall(proxy.adminUrl, 'GET', '/metrics', bearer(ADMIN_TOKEN))).text);
    expect(sampleValue(metrics, 'threadline_config_reloads_total', { result: 'ok' })).toBe(2);
    expect(sampleValue(metrics, 'threadline_config_reloads_total', { result: 'failed' })).toBe(1);
    expect(sampleValue(metrics, 'threadline_config_last_reload_successful')).toBe(1);
  });

  it('never writes the admin token or the collector secret to its output', () => {
    for (const secret of [ADMIN_TOKEN, COLLECTOR_SECRET]) {
      expect(proxy.stderr()).not.toContain(secret);
      expect(proxy.stdout.join('\n')).not.toContain(secret);
    }
  });
});

describe('a draining proxy', () => {
  it('says not ready (503) on /readyz while in-flight requests finish after SIGTERM, then exits 0', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const slow = await startUpstream((_request, response) => {
      void released.then(() => response.end('finished'));
    });
    const file = folder.write(configText(slow.url, [{ name: 'slow', path: '/slow' }]), 'draining.yaml');
    const proxy = await startProxy(file);
    try {
      const inFlight = new Promise<{ status: number; body: string }>((resolve, reject) => {
        http
          .get({ host: '127.0.0.1', port: proxy.port, path: '/slow/job', agent: false }, (response) => {
            let body = '';
            response.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
            response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
          })
          .on('error', reject);
      });
      await eventually(() => slow.requests.length === 1, 5000, 'the slow request reached the upstream');
      expect((await adminCall(proxy.adminUrl, 'GET', '/readyz')).status).toBe(200);

      const exited = proxy.stop('SIGTERM');
      await eventually(async () => (await adminCall(proxy.adminUrl, 'GET', '/readyz')).status === 503, 5000, '/readyz 503 while draining');
      expect((await adminCall(proxy.adminUrl, 'GET', '/healthz')).status).toBe(200);

      release();
      expect(await inFlight).toEqual({ status: 200, body: 'finished' });
      expect(await exited).toBe(0);
    } finally {
      release();
      await proxy.stop('SIGKILL');
      await slow.close();
    }
  });
});
