// The demo's sample traffic: a short burst of orders from an instrumented caller (service
// "demo-caller"), one at a time, each under a root span of its own, so every trace starts at the
// caller and runs caller → interceptor → Node-RED → egress → stock API.
import { createThreadline, createTracedFetch } from '@threadline/connectors';

export const CALLER_SERVICE = 'demo-caller';

export interface SampleOrder {
  item: string;
  quantity: number;
}

export const SAMPLE_ORDERS: readonly SampleOrder[] = [
  { item: 'sku-42', quantity: 1 },
  { item: 'sku-7', quantity: 3 },
  { item: 'sku-42', quantity: 2 },
  { item: 'sku-19', quantity: 1 },
  { item: 'sku-7', quantity: 5 },
];

export interface SentOrder {
  order: SampleOrder;
  traceId: string;
  /** The answer's status, or the reason there was none. */
  status?: number;
  error?: string;
  body?: string;
}

/** Sends `orders` to `entryUrl`, one after the other; spans go to `tracesUrl`. */
export async function sendOrders(entryUrl: string, tracesUrl: string, orders: readonly SampleOrder[] = SAMPLE_ORDERS): Promise<SentOrder[]> {
  const threadline = createThreadline({
    env: { OTEL_BSP_SCHEDULE_DELAY: '200', ...process.env, OTEL_SERVICE_NAME: CALLER_SERVICE, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: tracesUrl, OTEL_TRACES_SAMPLER: 'always_on' },
  });
  const tracedFetch = createTracedFetch(threadline);
  const sent: SentOrder[] = [];
  try {
    for (const [index, order] of orders.entries()) {
      const record = threadline.pipeline.openRecord({ name: `order #${index + 1}`, kind: 'internal', attributes: { 'demo.order.item': order.item, 'demo.order.quantity': order.quantity } });
      const result: SentOrder = { order, traceId: record.traceId };
      try {
        const response = await tracedFetch(entryUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(order),
          threadline: { parent: threadline.pipeline.recordToCarrier(record)! },
        });
        result.status = response.status;
        result.body = await response.text();
      } catch (error) {
        result.error = error instanceof Error ? (error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message) : String(error);
      }
      threadline.pipeline.endRecord(record, result.error === undefined ? {} : { error: new Error(result.error) });
      sent.push(result);
    }
  } finally {
    await threadline.shutdown();
  }
  return sent;
}
