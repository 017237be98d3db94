// Runs the Threadline node on a fake and reads back what it sent to the collector, decoded with
// the repository's OTLP decoder (the one the test receiver and the collector use).
import type { INodeExecutionData } from 'n8n-workflow';
import { Threadline } from '../../nodes/Threadline/Threadline.node';
import { decodeJsonRequest, decodeProtobufRequest } from '../../../test/support/otlp-decode';
import type { ReceivedSpan } from '../../../test/support/otlp-decode';
import type { FakeExecuteFunctions } from './fake-execute-functions';

export async function runNode(fake: FakeExecuteFunctions): Promise<INodeExecutionData[]> {
  const [output] = await new Threadline().execute.call(fake.asExecuteFunctions());
  return output;
}

export function exportedSpans(fake: FakeExecuteFunctions): ReceivedSpan[] {
  return fake.exportRequests().flatMap((request) => {
    const body = request.options.body as Buffer;
    return request.headers['content-type'] === 'application/json' ? decodeJsonRequest(body.toString('utf8')) : decodeProtobufRequest(body);
  });
}

export const CALLER_TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
export const CALLER_SPAN_ID = '00f067aa0ba902b7';
export const CALLER_TRACEPARENT = `00-${CALLER_TRACE_ID}-${CALLER_SPAN_ID}-01`;

/** A Webhook node's output item for a call with these headers. */
export function webhookItem(headers: Record<string, string>): INodeExecutionData {
  return { json: { headers: { host: 'localhost:5678', ...headers }, params: {}, query: {}, body: { order: 7 } } };
}
