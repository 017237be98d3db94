// The connectors as a user assembles them: createThreadline from OTEL_* variables, an express
// service with the middleware calling an upstream through traced fetch and axios. Spans are
// checked as they arrive at the OTLP receiver process, headers as the upstream receives them.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import axios from 'axios';
import express from 'express';
import { createThreadline, createTracedFetch, instrumentAxios, threadlineMiddleware } from '../../connectors/src';
import type { Threadline } from '../../connectors/src';
import type { Receiver, ReceivedSpan } from '../support/otlp-receiver-client';
import { startReceiver } from '../support/otlp-receiver-client';

const CALLER_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';
const SERVER = 2;
const CLIENT = 3;

let receiver: Receiver;
let upstream: http.Server;
let upstreamSeen: string[] = [];

async function listen(server: http.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

beforeAll(async () => {
  receiver = await startReceiver();
  upstream = http.createServer((req, res) => {
    upstreamSeen.push(String(req.headers.traceparent));
    res.end('ok');
  });
  await listen(upstream);
});

afterAll(async () => {
  await receiver.stop();
  await new Promise((resolve) => upstream.close(resolve));
});

async function runService(protocol: 'http/json' | 'http/protobuf'): Promise<{ tl: Threadline; port: number; server: http.Server }> {
  const tl = createThreadline({
    env: {
      OTEL_SERVICE_NAME: 'orders',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=test',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
      OTEL_BSP_SCHEDULE_DELAY: '20',
    },
  });
  const upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/stock`;
  const tracedFetch = createTracedFetch(tl);
  const client = axios.create();
  instrumentAxios(client, tl);
  const app = express();
  app.use(threadlineMiddleware(tl));
  app.get('/orders/:id', async (req, res) => {
    const parent = req.threadline?.context;
    await (await tracedFetch(`${upstreamUrl}?sig=secret`, { threadline: { parent } })).text();
    await client.get(upstreamUrl, { threadline: { parent } });
    res.json({ id: req.params.id });
  });
  const server = http.createServer(app);
  return { tl, port: await listen(server), server };
}

function byKind(spans: ReceivedSpan[], kind: number): ReceivedSpan[] {
  return spans.filter((span) => span.kind === kind);
}

describe.each(['http/json', 'http/protobuf'] as const)('createThreadline end to end over %s', (protocol) => {
  test('one trace: caller → SERVER span → two CLIENT spans → upstream, with resource and semantic conventions', async () => {
    upstreamSeen = [];
    await receiver.clear();
    const { tl, port, server } = await runService(protocol);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/orders/42`, {
        headers: { traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01`, tracestate: 'vendor=abc' },
      });
      expect(res.status).toBe(200);
      const spans = await receiver.waitForSpans((all) => all.filter((s) => s.traceId === CALLER_TRACE).length >= 3);
      const [serverSpan] = byKind(spans, SERVER);
      const clientSpans = byKind(spans, CLIENT);
      expect(serverSpan).toMatchObject({ name: 'GET /orders/:id', parentSpanId: CALLER_SPAN, traceId: CALLER_TRACE });
      expect(serverSpan.attributes).toMatchObject({ 'http.route': '/orders/:id', 'http.response.status_code': 200, 'http.request.method': 'GET' });
      expect(serverSpan.resource).toMatchObject({ 'service.name': 'orders', 'deployment.environment.name': 'test' });
      expect(clientSpans).toHaveLength(2);
      for (const span of clientSpans) expect(span.parentSpanId).toBe(serverSpan.spanId);
      // Each call carries its own CLIENT span as the parent; the query secret never leaves.
      expect(upstreamSeen.sort()).toEqual(clientSpans.map((s) => `00-${CALLER_TRACE}-${s.spanId}-01`).sort());
      expect(JSON.stringify(spans)).not.toContain('secret');
    } finally {
      await new Promise((resolve) => server.close(resolve));
      await tl.shutdown();
    }
  });
});

test('without an incoming traceparent the service starts a random trace and says so in the flags', async () => {
  upstreamSeen = [];
  await receiver.clear();
  const { tl, port, server } = await runService('http/protobuf');
  try {
    await fetch(`http://127.0.0.1:${port}/orders/7`, { headers: { traceparent: '00-invalid-00f067aa0ba902b7-01' } });
    const spans = await receiver.waitForSpans(3);
    const [serverSpan] = byKind(spans, SERVER);
    expect(serverSpan.traceId).not.toBe(CALLER_TRACE);
    expect(serverSpan.parentSpanId ?? '').toBe('');
    expect(upstreamSeen.every((tp) => tp.startsWith(`00-${serverSpan.traceId}-`) && tp.endsWith('-03'))).toBe(true);
  } finally {
    await new Promise((resolve) => server.close(resolve));
    await tl.shutdown();
  }
});
