// Long-lived connections through the proxy: WebSocket upgrades on a route (the handshake carries
// the trace context, a span covers the connection) and CONNECT tunnels in forward-proxy mode.
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import * as http from 'node:http';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { TempFolder, eventually, proxyConfig, startProxy } from './support';
import type { TestProxy } from './support';

const CALLER_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';

let folder: TempFolder;
let upstream: http.Server;
let upstreamPort: number;
let sockets: WebSocketServer;
let handshakes: http.IncomingMessage[];
let proxy: TestProxy;

beforeAll(async () => {
  folder = new TempFolder();
  handshakes = [];
  upstream = http.createServer((request, response) => {
    // Plain HTTP on the same server: the CONNECT tunnel tests talk to it.
    response.end(`plain ${request.url}`);
  });
  sockets = new WebSocketServer({ noServer: true });
  upstream.on('upgrade', (request: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
    handshakes.push(request);
    if (request.url === '/ws/refuse') {
      socket.end('HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nContent-Length: 7\r\n\r\ndenied.');
      return;
    }
    sockets.handleUpgrade(request, socket, head, (ws) => ws.on('message', (data) => ws.send(`echo:${data.toString()}`)));
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  upstreamPort = (upstream.address() as AddressInfo).port;
  proxy = await startProxy(
    folder,
    proxyConfig(
      [
        { name: 'sockets', path: '/ws', upstream: `http://127.0.0.1:${upstreamPort}`, traceResponse: true },
        { name: 'api', path: '/api', upstream: `http://127.0.0.1:${upstreamPort}` },
      ],
      { forwardProxy: { enabled: true, allowedHosts: [`127.0.0.1:${upstreamPort}`] } },
    ),
  );
});

afterAll(async () => {
  await proxy.close();
  sockets.close();
  upstream.closeAllConnections();
  await new Promise<void>((resolve) => upstream.close(() => resolve()));
  folder.remove();
});

describe('WebSocket pass-through', () => {
  test('messages flow both ways; the handshake carries the proxy span as parent; one span for the connection', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${proxy.port}/ws/chat?room=1`, { headers: { traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01` } });
    let upgradeHeaders: http.IncomingHttpHeaders = {};
    ws.once('upgrade', (response) => (upgradeHeaders = response.headers));
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const replies: string[] = [];
    ws.on('message', (data) => replies.push(data.toString()));
    ws.send('one');
    ws.send('two');
    await eventually(() => replies.length === 2);
    expect(replies).toEqual(['echo:one', 'echo:two']);

    const handshake = handshakes.at(-1)!;
    expect(handshake.url).toBe('/ws/chat?room=1');
    expect(handshake.headers.host).toBe(`127.0.0.1:${upstreamPort}`);
    const [, traceId, parentId] = String(handshake.headers.traceparent).split('-');
    expect(traceId).toBe(CALLER_TRACE);
    expect(upgradeHeaders.traceresponse).toBe(handshake.headers.traceparent);

    const before = (await proxy.spans()).filter((span) => span.spanContext().spanId === parentId);
    expect(before).toEqual([]); // the span lasts as long as the connection
    ws.close();
    await eventually(async () => (await proxy.spans()).some((span) => span.spanContext().spanId === parentId));
    const span = (await proxy.spans()).find((candidate) => candidate.spanContext().spanId === parentId)!;
    expect(span.kind).toBe(SpanKind.SERVER);
    expect(span.name).toBe('GET /ws/*');
    expect(span.parentSpanContext?.spanId).toBe(CALLER_SPAN);
    expect(span.attributes).toMatchObject({ 'http.response.status_code': 101, 'threadline.route': 'sockets' });
    expect(proxy.observer.requests.at(-1)).toMatchObject({ route: 'sockets', method: 'GET', status: 101 });
  });

  test('an upstream that refuses the upgrade has its answer relayed', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${proxy.port}/ws/refuse`);
    const status = await new Promise<number>((resolve) => {
      ws.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
      ws.once('error', () => undefined);
    });
    expect(status).toBe(403);
    ws.terminate();
  });

  test('an upgrade to a route whose upstream is down → 502 and an error span', async () => {
    const closedServer = net.createServer();
    await new Promise<void>((resolve) => closedServer.listen(0, '127.0.0.1', resolve));
    const closedPort = (closedServer.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closedServer.close(() => resolve()));
    const down = await startProxy(folder, proxyConfig([{ name: 'down', path: '/', upstream: `http://127.0.0.1:${closedPort}` }]));
    try {
      const ws = new WebSocket(`ws://127.0.0.1:${down.port}/ws`);
      const status = await new Promise<number>((resolve) => {
        ws.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
        ws.once('error', () => undefined);
      });
      expect(status).toBe(502);
      await eventually(async () => (await down.spans()).length === 1);
      const [span] = await down.spans();
      expect(span!.status.code).toBe(SpanStatusCode.ERROR);
      expect(span!.attributes['error.type']).toBe('ECONNREFUSED');
    } finally {
      await down.close();
    }
  });
});

describe('CONNECT tunnels', () => {
  function connect(target: string): Promise<{ socket: net.Socket; head: string }> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(proxy.port, '127.0.0.1');
      let text = '';
      const onData = (chunk: Buffer): void => {
        text += chunk.toString('latin1');
        const end = text.indexOf('\r\n\r\n');
        if (end < 0) return;
        socket.off('data', onData);
        resolve({ socket, head: text.slice(0, end) });
      };
      socket.on('data', onData);
      socket.once('error', reject);
      socket.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`);
    });
  }

  test('bytes flow through the tunnel; the CLIENT span ends when it closes', async () => {
    const { socket, head } = await connect(`127.0.0.1:${upstreamPort}`);
    expect(head).toMatch(/^HTTP\/1\.1 200 Connection Established/);
    const reply = await new Promise<string>((resolve) => {
      let text = '';
      socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
      socket.on('close', () => resolve(text));
      socket.write('GET /tunnelled HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    });
    expect(reply).toContain('plain /tunnelled');
    await eventually(async () => (await proxy.spans()).some((span) => span.name === 'CONNECT'));
    const span = (await proxy.spans()).find((candidate) => candidate.name === 'CONNECT')!;
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.attributes).toMatchObject({ 'http.request.method': 'CONNECT', 'server.port': upstreamPort, 'http.response.status_code': 200, 'threadline.route': 'forward' });
    expect(proxy.observer.requests.at(-1)).toMatchObject({ route: 'forward', direction: 'forward', method: 'CONNECT', status: 200 });
  });

  test('a malformed CONNECT target → 400', async () => {
    const { head } = await connect('no-port-here');
    expect(head).toMatch(/^HTTP\/1\.1 400/);
  });
});
