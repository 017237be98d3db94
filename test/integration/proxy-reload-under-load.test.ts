// ACCEPTANCE 5: changing routes and rules while load runs loses no request. A real
// `threadline proxy` process serves keep-alive load (GETs and POSTs with bodies, some of them in
// flight at every swap) while its config file is rewritten ten times (upstreams swapped, prefix
// stripping and direction flipped, a route added and removed, redaction and baggage rules files
// exchanged) and reloaded, alternately through POST /reload and SIGHUP. Every request must be
// answered 200 by an upstream exactly once, with its body intact, and make exactly one span.
import * as http from 'node:http';
import * as path from 'node:path';
import { startReceiver } from '../support/otlp-receiver-client';
import type { Receiver } from '../support/otlp-receiver-client';
import { TempFolder, eventually, startUpstream } from '../../interceptor/test/proxy/support';
import type { Upstream, UpstreamHandler } from '../../interceptor/test/proxy/support';
import { startProxyProcess } from '../../interceptor/test/proxy/process-support';
import type { ProxyProcess } from '../../interceptor/test/proxy/process-support';
import { adminCall, bearer } from '../../interceptor/test/admin/admin-client';
import { parsePrometheusText, samplesMatching, sampleValue } from '../../interceptor/test/metrics/prometheus-text';

jest.setTimeout(60_000);

const ADMIN_TOKEN = 'reload-under-load-token-0a9f';
const RELOADS = 10;
const RELOAD_GAP_MS = 200;
const CONCURRENCY = 16;
const RULES = ['strict-default.yaml', 'pci.yaml'].map((name) => path.resolve(__dirname, '..', '..', 'samples', 'rules', name));

interface Answer {
  upstream: string;
  url: string;
  body: string;
}

/** Answers after 0–15 ms, so requests are in flight whenever a reload lands. */
function answeringAs(name: string): UpstreamHandler {
  return (request, response, body) => {
    setTimeout(() => {
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ upstream: name, url: request.url ?? '', body } satisfies Answer));
    }, Math.floor(Math.random() * 16));
  };
}

/** Config version `v`: every version keeps /orders and /hooks, and changes everything else. */
function configVersion(v: number, a: Upstream, b: Upstream, collectorUrl: string): string {
  const odd = v % 2 === 1;
  const lines = [
    'listen: { host: 127.0.0.1, port: 0 }',
    'routes:',
    '  - name: orders',
    '    path: /orders',
    `    upstream: ${odd ? b.url : a.url}`,
    `    stripPrefix: ${odd}`,
    '  - name: hooks',
    '    path: /hooks',
    `    upstream: ${odd ? a.url : b.url}`,
    `    direction: ${odd ? 'egress' : 'ingress'}`,
  ];
  if (v % 3 === 0) lines.push(`  - name: extra-${v}`, '    path: /extra', `    upstream: ${a.url}`);
  lines.push(
    'service: { name: reload-under-load }',
    `exporter: { tracesEndpoint: "${collectorUrl}", queue: { maxSize: 65536, scheduledDelayMillis: 50 } }`,
    'sampling: { sampler: always_on }',
    'redaction:',
    `  rulesFile: ${RULES[v % RULES.length]}`,
    `  urlQuerySensitiveKeys: [${odd ? 'token' : 'session'}]`,
    'accessLog: { enabled: false }',
    `admin: { port: 0, token: ${ADMIN_TOKEN} }`,
    '',
  );
  return lines.join('\n');
}

interface Outcome {
  path: string;
  sent: string | undefined;
  status: number;
  answer?: Answer;
  error?: string;
}

function send(agent: http.Agent, port: number, requestPath: string, body: string | undefined): Promise<Outcome> {
  return new Promise((resolve) => {
    const headers: Record<string, string> = { baggage: 'tenant.id=acme,session.id=s-1' };
    if (body !== undefined) headers['content-type'] = 'text/plain';
    const request = http.request({ host: '127.0.0.1', port, path: requestPath, method: body === undefined ? 'GET' : 'POST', agent, headers }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => {
        const outcome: Outcome = { path: requestPath, sent: body, status: response.statusCode ?? 0 };
        try {
          outcome.answer = JSON.parse(text) as Answer;
        } catch {
          outcome.error = `not an upstream answer: ${text.slice(0, 200)}`;
        }
        resolve(outcome);
      });
      response.on('error', (error) => resolve({ path: requestPath, sent: body, status: 0, error: error.message }));
    });
    request.on('error', (error) => resolve({ path: requestPath, sent: body, status: 0, error: error.message }));
    request.end(body);
  });
}

/** Keeps CONCURRENCY requests in flight until `stop()` says so; alternates GET /orders and POST /hooks. */
async function loadUntil(port: number, stop: () => boolean): Promise<Outcome[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const outcomes: Outcome[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (!stop()) {
      const n = next++;
      outcomes.push(n % 2 === 0 ? await send(agent, port, `/orders/${n}?token=t-${n}`, undefined) : await send(agent, port, `/hooks/${n}`, `payload-${n}-${'x'.repeat(n % 500)}`));
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  agent.destroy();
  return outcomes;
}

/** Why an outcome is wrong, or undefined when it is one some config version allows. */
function problemWith(outcome: Outcome): string | undefined {
  if (outcome.error !== undefined) return `${outcome.path}: ${outcome.error}`;
  if (outcome.status !== 200) return `${outcome.path}: HTTP ${outcome.status}`;
  const answer = outcome.answer!;
  if (outcome.sent === undefined) {
    const n = /^\/orders\/(\d+)/.exec(outcome.path)![1];
    const allowed = [`/orders/${n}?token=t-${n}`, `/${n}?token=t-${n}`];
    return allowed.includes(answer.url) ? undefined : `${outcome.path}: the upstream saw ${answer.url}`;
  }
  if (answer.url !== outcome.path) return `${outcome.path}: the upstream saw ${answer.url}`;
  if (answer.body !== outcome.sent) return `${outcome.path}: the body arrived changed`;
  return undefined;
}

let folder: TempFolder;
let receiver: Receiver;
let upstreamA: Upstream;
let upstreamB: Upstream;
let proxy: ProxyProcess;

beforeAll(async () => {
  folder = new TempFolder();
  receiver = await startReceiver();
  upstreamA = await startUpstream(answeringAs('A'));
  upstreamB = await startUpstream(answeringAs('B'));
});

afterAll(async () => {
  await proxy?.stop('SIGKILL');
  await upstreamA?.close();
  await upstreamB?.close();
  await receiver?.stop();
  folder?.remove();
});

test('changing routes and rules while load runs loses no request', async () => {
  const file = folder.write(configVersion(0, upstreamA, upstreamB, receiver.url), 'reloading.yaml');
  proxy = await startProxyProcess(file);
  const adminUrl = proxy.adminUrl!;
  const reloadLogLines = (): number => proxy.stderr().split('configuration reloaded from ').length - 1;

  let reloading = true;
  const load = loadUntil(proxy.port, () => !reloading);
  const reloadResults: string[] = [];
  try {
    await new Promise((resolve) => setTimeout(resolve, RELOAD_GAP_MS));
    for (let v = 1; v <= RELOADS; v++) {
      folder.write(configVersion(v, upstreamA, upstreamB, receiver.url), 'reloading.yaml');
      if (v % 2 === 1) {
        const response = await adminCall(adminUrl, 'POST', '/reload', bearer(ADMIN_TOKEN));
        reloadResults.push(`v${v} admin: ${response.status} ${response.text.trim()}`);
      } else {
        const before = reloadLogLines();
        proxy.child.kill('SIGHUP');
        await eventually(() => reloadLogLines() > before || /reload refused/.test(proxy.stderr()), 10_000, `SIGHUP reload of v${v}`);
        reloadResults.push(`v${v} SIGHUP: ${reloadLogLines() > before ? 'reloaded' : 'refused'}`);
      }
      await new Promise((resolve) => setTimeout(resolve, RELOAD_GAP_MS));
    }
  } finally {
    reloading = false;
  }
  const outcomes = await load;

  // Every reload was applied.
  expect(reloadResults.filter((line) => !/: (200 \{|reloaded)/.test(line))).toEqual([]);
  expect(proxy.stderr()).not.toMatch(/reload refused|internal error/);

  // Every request answered 200, by an upstream, as some config version routes it.
  expect(outcomes.length).toBeGreaterThan(200);
  expect(outcomes.map(problemWith).filter((problem) => problem !== undefined).slice(0, 5)).toEqual([]);
  // Each exactly once: no request lost, none sent twice.
  expect(upstreamA.requests.length + upstreamB.requests.length).toBe(outcomes.length);
  // Both upstreams served both routes at some point: the swaps happened under load.
  const servedBy = new Set(outcomes.map((outcome) => `${outcome.sent === undefined ? 'orders' : 'hooks'}:${outcome.answer!.upstream}`));
  expect([...servedBy].sort()).toEqual(['hooks:A', 'hooks:B', 'orders:A', 'orders:B']);

  // The last version is in force: v10 sends /orders to A without stripping the prefix.
  const last = await send(new http.Agent(), proxy.port, '/orders/last?token=t-last', undefined);
  expect(last.answer).toMatchObject({ upstream: 'A', url: '/orders/last?token=t-last' });
  const total = outcomes.length + 1;

  // The metrics saw every request and every reload; one span per request reached the collector.
  const metrics = parsePrometheusText((await adminCall(adminUrl, 'GET', '/metrics', bearer(ADMIN_TOKEN))).text);
  const counted = samplesMatching(metrics, 'threadline_proxy_requests_total').reduce((sum, sample) => sum + sample.value, 0);
  expect(counted).toBe(total);
  expect(sampleValue(metrics, 'threadline_config_reloads_total', { result: 'ok' })).toBe(RELOADS);
  expect(sampleValue(metrics, 'threadline_config_reloads_total', { result: 'failed' })).toBe(0);
  const spans = await receiver.waitForSpans(total, 20_000);
  expect(spans).toHaveLength(total);
  expect(sampleValue(metrics, 'threadline_spans_dropped_total')).toBe(0);
});
