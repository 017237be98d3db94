// A small order system for the audit and check tests, instrumented with the connectors and
// exporting to the collector: an "orders" entry (express, service node-red) whose request runs
// through two flow steps of the Node-RED flow "Orders" (span records carrying the node_red.*
// attributes the Threadline nodes set), the second of which calls a stock API (express, service
// stock-api) through the traced fetch. With `dropContextAt: 'reserve stock'` that step starts over
// without the message's context, as a flow does when a node before it drops the trace context; with
// 'stock-api' the API ignores the incoming traceparent, as an uninstrumented hop in between would.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TextMapPropagator } from '@opentelemetry/api';
import express from 'express';
import { createTracedFetch, threadlineMiddleware, type Threadline } from '@threadline/connectors';
import { pipelineTo } from './collector-harness';

export const ORDERS_FLOW = { id: 'f1a2b3c4', name: 'Orders' };

function flowStep(node: string, type: string): Record<string, string> {
  return {
    'node_red.flow.id': ORDERS_FLOW.id,
    'node_red.flow.name': ORDERS_FLOW.name,
    'node_red.node.id': `n-${node.replace(/\s+/g, '-')}`,
    'node_red.node.name': node,
    'node_red.node.type': type,
  };
}

export interface OrdersApp {
  /** POST here to place an order. */
  entryUrl: string;
  close(): Promise<void>;
}

function listen(app: express.Express): Promise<Server> {
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => resolve(server));
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

export async function startOrdersApp(tracesUrl: string, options: { dropContextAt?: 'reserve stock' | 'stock-api' } = {}): Promise<OrdersApp> {
  const stockTl: Threadline = pipelineTo(tracesUrl, 'stock-api');
  const stock = express();
  // A service that reads no trace context at all: every request starts a trace of its own.
  const ignoreContext: TextMapPropagator = { inject: () => undefined, extract: (context) => context, fields: () => [] };
  stock.use(threadlineMiddleware(options.dropContextAt === 'stock-api' ? { tracer: stockTl.tracer, propagator: ignoreContext } : stockTl));
  stock.get('/stock/:sku', (req, res) => {
    res.json({ sku: req.params.sku, available: 7 });
  });
  const stockServer = await listen(stock);
  const stockUrl = `http://127.0.0.1:${(stockServer.address() as AddressInfo).port}`;

  const flowTl: Threadline = pipelineTo(tracesUrl, 'node-red');
  const tracedFetch = createTracedFetch(flowTl);
  const orders = express();
  orders.use(threadlineMiddleware(flowTl));
  orders.post('/api/orders', (req, res) => {
    const pipeline = flowTl.pipeline;
    const entry = req.threadline!.span.spanContext();
    const validate = pipeline.openRecord({ name: 'validate order', parent: entry, attributes: flowStep('validate order', 'function') });
    pipeline.endRecord(validate);
    const reserveParent = options.dropContextAt === 'reserve stock' ? undefined : pipeline.recordToCarrier(validate);
    const reserve = pipeline.openRecord({ name: 'reserve stock', ...(reserveParent === undefined ? {} : { parent: reserveParent }), attributes: flowStep('reserve stock', 'threadline egress') });
    void tracedFetch(`${stockUrl}/stock/sku-42`, { threadline: { parent: pipeline.recordToCarrier(reserve)! } })
      .then(async (response) => {
        const body = (await response.json()) as unknown;
        pipeline.endRecord(reserve);
        res.json({ ok: true, stock: body });
      })
      .catch((error: unknown) => {
        pipeline.endRecord(reserve, { error });
        res.status(502).json({ ok: false });
      });
  });
  const ordersServer = await listen(orders);
  return {
    entryUrl: `http://127.0.0.1:${(ordersServer.address() as AddressInfo).port}/api/orders`,
    async close() {
      await Promise.all([closeServer(ordersServer), closeServer(stockServer)]);
      await Promise.all([flowTl.shutdown(), stockTl.shutdown()]);
    },
  };
}
