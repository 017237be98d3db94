// The small local API the demo flow calls on its way out: a stock service that reserves items.
// It is instrumented like any service around a low-code platform (express + Threadline's
// middleware), so its SERVER span continues the trace the interceptor's egress route passed on.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createThreadline, threadlineMiddleware } from '@threadline/connectors';
import type { Threadline } from '@threadline/connectors';

export const STOCK_API_SERVICE = 'stock-api';
const INITIAL_STOCK = 1000;

export interface StockApi {
  /** e.g. http://127.0.0.1:41234 */
  readonly url: string;
  close(): Promise<void>;
}

interface Reservation {
  item: string;
  quantity: number;
}

/** The body of POST /reservations, or the reason it is not one. */
function readReservation(body: unknown): Reservation | string {
  if (typeof body !== 'object' || body === null) return 'expected a JSON object { item, quantity }';
  const { item, quantity } = body as Record<string, unknown>;
  if (typeof item !== 'string' || item === '') return '"item" must be a non-empty string';
  if (typeof quantity !== 'number' || !Number.isInteger(quantity) || quantity < 1) return '"quantity" must be a positive whole number';
  return { item, quantity };
}

/** Starts the stock API on a free loopback port; its spans go to `tracesUrl`. */
export async function startStockApi(tracesUrl: string): Promise<StockApi> {
  const threadline: Threadline = createThreadline({
    // The user's OTEL_* variables apply; the service name and the endpoint are the demo's own.
    env: { OTEL_BSP_SCHEDULE_DELAY: '200', ...process.env, OTEL_SERVICE_NAME: STOCK_API_SERVICE, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: tracesUrl },
  });
  const stock = new Map<string, number>();
  const app = express();
  app.use(threadlineMiddleware(threadline));
  app.use(express.json());
  app.post('/reservations', (req, res) => {
    const reservation = readReservation(req.body);
    if (typeof reservation === 'string') {
      res.status(400).json({ error: reservation });
      return;
    }
    const left = (stock.get(reservation.item) ?? INITIAL_STOCK) - reservation.quantity;
    if (left < 0) {
      res.status(409).json({ error: `only ${left + reservation.quantity} of ${reservation.item} left` });
      return;
    }
    stock.set(reservation.item, left);
    res.json({ reserved: true, ...reservation, left });
  });
  app.get('/stock/:item', (req, res) => void res.json({ item: req.params.item, available: stock.get(req.params.item) ?? INITIAL_STOCK }));

  const server = http.createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      (closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await threadline.shutdown();
      })()),
  };
}
