// ACCEPTANCE 1: client → proxy → upstream with real processes on loopback. The proxy runs as the
// user runs it (`threadline proxy --config FILE`, its own process), spans are checked as they
// arrive at the OTLP receiver process, headers as the upstream receives them.
import * as http from 'node:http';
import * as net from 'node:net';
import type { Receiver, ReceivedSpan } from '../support/otlp-receiver-client';
import { startReceiver } from '../support/otlp-receiver-client';
import { TempFolder, rawRequest, startUpstream } from '../../interceptor/test/proxy/support';
import type { Upstream } from '../../interceptor/test/proxy/support';
import { startProxyProcess } from '../../interceptor/test/proxy/process-support';
import type { ProxyProcess } from '../../interceptor/test/proxy/process-support';

jest.setTimeout(45_000);

const CALLER_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';
const SERVER = 2;
const CLIENT = 3;
const ADMIN_TOKEN = 'e2e-admin-token-0123456789';

let folder: TempFolder;
let receiver: Receiver;
let upstream: Upstream;
let proxy: ProxyProcess;

beforeAll(async () => {
  folder = new TempFolder();
  receiver = await startReceiver();
  upstream = await startUpstream();
  const config = folder.write(
    [
      'listen: { host: 127.0.0.1, port: 0 }',
      'routes:',
      '  - name: webhooks',
      '    path: /webhook',
      `    upstream: ${upstream.url}/flows`,
      '    stripPrefix: true',
      '  - name: payments',
      '    path: /payments',
      `    upstream: ${upstream.url}`,
      '    direction: egress',
      'forwardProxy:',
      '  enabled: true',
      '  allowedHosts: [127.0.0.1]',
      'service: { name: interceptor-e2e }',
      'exporter:',
      '  tracesEndpoint: ${COLLECTOR_URL}',
      '  protocol: http/json',
      '  queue: { scheduledDelayMillis: 50 }',
      'admin: { port: 0, token: "${ADMIN_TOKEN}" }',
      '',
    ].join('\n'),
    'interceptor.yaml',
  );
  proxy = await startProxyProcess(config, { COLLECTOR_URL: receiver.url, ADMIN_TOKEN, OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=e2e' });
});

afterAll(async () => {
  await proxy?.stop('SIGKILL');
  await upstream?.close();
  await receiver?.stop();
  folder?.remove();
});

beforeEach(async () => {
  upstream.requests.length = 0;
  await receiver.clear();
});

function upstreamTraceparent(): { traceId: string; parentId: string; flags: string } {
  const value = upstream.requests.at(-1)?.headers.traceparent;
  expect(typeof value).toBe('string');
  const [, traceId, parentId, flags] = String(value).split('-');
  return { traceId: traceId!, parentId: parentId!, flags: flags! };
}

async function spanWithId(spanId: string): Promise<ReceivedSpan> {
  const spans = await receiver.waitForSpans((all) => all.some((span) => span.spanId === spanId));
  return spans.find((span) => span.spanId === spanId)!;
}

test('with an incoming traceparent: same trace upstream, the proxy SERVER span as parent, semantic conventions at the receiver', async () => {
  const response = await rawRequest(proxy.port, {
    method: 'POST',
    path: '/webhook/orders?sig=abc',
    headers: [
      ['traceparent', `00-${CALLER_TRACE}-${CALLER_SPAN}-01`],
      ['user-agent', 'e2e-client/1'],
      ['content-type', 'application/json'],
    ],
    body: '{"order":1}',
  });
  expect(response.status).toBe(200);
  expect(upstream.requests.at(-1)!.url).toBe('/flows/orders?sig=abc');
  const { traceId, parentId } = upstreamTraceparent();
  expect(traceId).toBe(CALLER_TRACE);
  expect(parentId).not.toBe(CALLER_SPAN);

  const span = await spanWithId(parentId);
  expect(span).toMatchObject({ traceId: CALLER_TRACE, parentSpanId: CALLER_SPAN, kind: SERVER, name: 'POST /webhook/*' });
  expect(span.attributes).toMatchObject({
    'http.request.method': 'POST',
    'url.path': '/webhook/orders',
    'url.query': 'sig=REDACTED',
    'url.scheme': 'http',
    'http.route': '/webhook/*',
    'http.response.status_code': 200,
    'server.address': '127.0.0.1',
    'server.port': proxy.port,
    'client.address': '127.0.0.1',
    'user_agent.original': 'e2e-client/1',
    'network.protocol.version': '1.1',
    'threadline.route': 'webhooks',
  });
  expect(span.resource).toMatchObject({ 'service.name': 'interceptor-e2e', 'deployment.environment.name': 'e2e' });
  expect(span.status.code).toBe(0);
});

test('without a traceparent: a new trace, the proxy SERVER span is its root and the upstream’s parent', async () => {
  await rawRequest(proxy.port, { path: '/webhook/ping' });
  const { traceId, parentId, flags } = upstreamTraceparent();
  expect(traceId).not.toBe(CALLER_TRACE);
  expect(parseInt(flags, 16) & 0x03).toBe(0x03); // sampled, random
  const span = await spanWithId(parentId);
  expect(span).toMatchObject({ traceId, kind: SERVER, name: 'GET /webhook/*' });
  expect(span.parentSpanId).toBeUndefined();
});

test('an egress route produces a CLIENT span the same way', async () => {
  await rawRequest(proxy.port, { path: '/payments/charges', headers: [['traceparent', `00-${CALLER_TRACE}-${CALLER_SPAN}-01`]] });
  const { traceId, parentId } = upstreamTraceparent();
  expect(traceId).toBe(CALLER_TRACE);
  const span = await spanWithId(parentId);
  expect(span).toMatchObject({ traceId: CALLER_TRACE, parentSpanId: CALLER_SPAN, kind: CLIENT, name: 'GET' });
  expect(span.attributes).toMatchObject({
    'http.request.method': 'GET',
    'url.full': `${upstream.url}/payments/charges`,
    'server.address': '127.0.0.1',
    'server.port': upstream.port,
    'http.response.status_code': 200,
    'threadline.route': 'payments',
  });
});

test('forward-proxy mode: an absolute-form request produces a CLIENT span and carries its context', async () => {
  const body = await new Promise<string>((resolve, reject) => {
    // What a platform configured with HTTP_PROXY sends: the absolute URL as the request-target.
    const request = http.request({ host: '127.0.0.1', port: proxy.port, path: `${upstream.url}/v1/lookup?q=1`, headers: { host: `127.0.0.1:${upstream.port}`, traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01` }, agent: false }, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      response.on('end', () => resolve(text));
    });
    request.on('error', reject);
    request.end();
  });
  expect(JSON.parse(body).url).toBe('/v1/lookup?q=1');
  const { traceId, parentId } = upstreamTraceparent();
  expect(traceId).toBe(CALLER_TRACE);
  const span = await spanWithId(parentId);
  expect(span).toMatchObject({ kind: CLIENT, parentSpanId: CALLER_SPAN });
  expect(span.attributes).toMatchObject({ 'url.full': `${upstream.url}/v1/lookup?q=1`, 'threadline.route': 'forward' });
});

test('forward-proxy mode: a CONNECT tunnel gets a CLIENT span for the tunnel', async () => {
  const socket = net.connect(proxy.port, '127.0.0.1');
  const answer = await new Promise<string>((resolve, reject) => {
    socket.once('error', reject);
    socket.write(`CONNECT 127.0.0.1:${upstream.port} HTTP/1.1\r\nHost: 127.0.0.1:${upstream.port}\r\ntraceparent: 00-${CALLER_TRACE}-${CALLER_SPAN}-01\r\n\r\n`);
    let text = '';
    socket.on('data', function onData(chunk: Buffer) {
      text += chunk.toString('latin1');
      if (text.includes('\r\n\r\n')) {
        socket.off('data', onData);
        resolve(text);
      }
    });
  });
  expect(answer.startsWith('HTTP/1.1 200')).toBe(true);
  // Through the tunnel: a plain request to the upstream.
  const reply = await new Promise<string>((resolve) => {
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
    socket.on('close', () => resolve(text));
    socket.write(`GET /through-tunnel HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
  });
  expect(reply).toContain('/through-tunnel');
  const spans = await receiver.waitForSpans((all) => all.some((span) => span.name === 'CONNECT'));
  const tunnel = spans.find((span) => span.name === 'CONNECT')!;
  expect(tunnel).toMatchObject({ traceId: CALLER_TRACE, parentSpanId: CALLER_SPAN, kind: CLIENT });
  expect(tunnel.attributes).toMatchObject({ 'http.request.method': 'CONNECT', 'server.address': '127.0.0.1', 'server.port': upstream.port, 'http.response.status_code': 200 });
});

test('the admin surface answers with the token, and SIGTERM drains, flushes spans and exits 0', async () => {
  expect(proxy.adminUrl).toBeDefined();
  const health = await fetch(`${proxy.adminUrl}/healthz`);
  expect(health.status).toBe(200);
  const config = await fetch(`${proxy.adminUrl}/config`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  expect(config.status).toBe(200);
  expect(await config.text()).not.toContain(ADMIN_TOKEN);

  await rawRequest(proxy.port, { path: '/webhook/last' });
  const { parentId } = upstreamTraceparent();
  expect(await proxy.stop('SIGTERM')).toBe(0);
  const spans = await receiver.spans();
  expect(spans.some((span) => span.spanId === parentId)).toBe(true);
  expect(proxy.stdout.some((line) => JSON.parse(line).path === '/webhook/last')).toBe(true);
});
