// `npm start`: Threadline's connectors on embedded defaults, end to end on this machine.
//
// Two small services, "orders" and "inventory", each instrumented with createThreadline and the
// express middleware; orders calls inventory through the traced fetch. Spans go over OTLP to a
// local receiver process (the one the integration tests use, until the built-in collector lands),
// and each trace is printed as a tree as it arrives. `--once` sends a short burst, prints, exits.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createThreadline, createTracedFetch, threadlineMiddleware } from '../connectors/src';
import type { Threadline } from '../connectors/src';
import type { Receiver, ReceivedSpan } from '../test/support/otlp-receiver-client';
import { startReceiver } from '../test/support/otlp-receiver-client';

const once = process.argv.includes('--once');
const KIND = ['?', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'];
const step = (text: string): void => console.log(`▸ ${text}`);

async function listen(app: express.Express): Promise<{ server: http.Server; url: string }> {
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

function threadline(service: string, endpoint: string): Threadline {
  // Other OTEL_* variables of the user apply; the service name and the endpoint are the demo's own.
  return createThreadline({
    env: { OTEL_BSP_SCHEDULE_DELAY: '100', ...process.env, OTEL_SERVICE_NAME: service, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: endpoint },
  });
}

function printTrace(traceId: string, spans: ReceivedSpan[]): void {
  const children = new Map<string, ReceivedSpan[]>();
  const ids = new Set(spans.map((s) => s.spanId));
  for (const span of spans) {
    const parent = span.parentSpanId && ids.has(span.parentSpanId) ? span.parentSpanId : '';
    children.set(parent, [...(children.get(parent) ?? []), span]);
  }
  const roots = children.get('') ?? [];
  const caller = roots[0]?.parentSpanId ? ` (continues the caller's span ${roots[0].parentSpanId})` : ' (new trace)';
  console.log(`\ntrace ${traceId}${caller}`);
  const walk = (span: ReceivedSpan, depth: number): void => {
    const ms = Number(BigInt(span.endTimeUnixNano) - BigInt(span.startTimeUnixNano)) / 1e6;
    const status = span.attributes['http.response.status_code'] ?? '';
    const service = String(span.resource['service.name'] ?? '');
    const label = `${'  '.repeat(depth)}${KIND[span.kind]} ${span.name}`;
    console.log(`  ${label.padEnd(34)} ${service.padEnd(10)} ${ms.toFixed(1).padStart(7)} ms  ${status}`);
    for (const child of (children.get(span.spanId) ?? []).sort((a, b) => a.startTimeUnixNano.localeCompare(b.startTimeUnixNano))) walk(child, depth + 1);
  };
  for (const root of roots) walk(root, 0);
}

async function main(): Promise<void> {
  step('starting a local OTLP receiver');
  const receiver: Receiver = await startReceiver();
  step(`receiver listening at ${receiver.url}`);

  const inventoryTl = threadline('inventory', receiver.url);
  const inventoryApp = express();
  inventoryApp.use(threadlineMiddleware(inventoryTl));
  inventoryApp.get('/stock/:sku', (req, res) => void res.json({ sku: req.params.sku, available: 3 }));
  const inventory = await listen(inventoryApp);
  step(`inventory service at ${inventory.url}`);

  const ordersTl = threadline('orders', receiver.url);
  const tracedFetch = createTracedFetch(ordersTl);
  const ordersApp = express();
  ordersApp.use(threadlineMiddleware(ordersTl));
  ordersApp.get('/orders/:id', async (req, res) => {
    const stock = await tracedFetch(`${inventory.url}/stock/sku-${req.params.id}`, { threadline: { parent: req.threadline?.context } });
    res.status(stock.ok ? 200 : 502).json({ order: req.params.id, stock: await stock.json() });
  });
  const orders = await listen(ordersApp);
  step(`orders service at ${orders.url}`);

  step('sending sample traffic: one request continuing a caller\'s trace, one without context, one with an invalid traceparent');
  const callerTrace = '4bf92f3577b34da6a3ce929d0e0e4736';
  await fetch(`${orders.url}/orders/1`, { headers: { traceparent: `00-${callerTrace}-00f067aa0ba902b7-01`, baggage: 'tenant=acme' } });
  await fetch(`${orders.url}/orders/2`);
  await fetch(`${orders.url}/orders/3`, { headers: { traceparent: '00-not-a-valid-header-01' } });

  const printed = new Set<string>();
  const printNew = async (): Promise<void> => {
    const byTrace = new Map<string, ReceivedSpan[]>();
    for (const span of await receiver.spans()) byTrace.set(span.traceId, [...(byTrace.get(span.traceId) ?? []), span]);
    for (const [traceId, spans] of byTrace) {
      if (printed.has(traceId) || spans.length < 3) continue;
      printed.add(traceId);
      printTrace(traceId, spans);
    }
  };
  await receiver.waitForSpans(9, 15_000);
  await printNew();

  const stop = async (): Promise<void> => {
    step('stopping: flushing spans and closing the services');
    await Promise.all([ordersTl.shutdown(), inventoryTl.shutdown()]);
    await Promise.all([orders, inventory].map(({ server }) => new Promise((resolve) => server.close(resolve))));
    await receiver.stop();
  };
  if (once) return stop();

  console.log(`\nTry it yourself (each trace prints here when it arrives; Ctrl-C stops everything):`);
  console.log(`  curl -H 'traceparent: 00-${callerTrace.replace(/^4/, '5')}-00f067aa0ba902b7-01' ${orders.url}/orders/9`);
  const poll = setInterval(() => void printNew().catch(() => undefined), 1000);
  process.once('SIGINT', () => {
    clearInterval(poll);
    void stop().then(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
