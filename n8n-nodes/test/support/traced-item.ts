// Items that already carry a trace, as Continue Trace leaves them.
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { CALLER_TRACE_ID } from './run-node';

export const CONTINUE_SPAN_ID = '1111111111111111';
export const ITEM_TRACEPARENT = `00-${CALLER_TRACE_ID}-${CONTINUE_SPAN_ID}-01`;

export function tracedJson(extra: IDataObject = {}, trace: IDataObject = {}): IDataObject {
  return {
    order: 7,
    ...extra,
    threadline: {
      traceparent: ITEM_TRACEPARENT,
      traceId: CALLER_TRACE_ID,
      baggage: 'tenant=acme',
      base: { traceparent: ITEM_TRACEPARENT },
      open: [],
      ...trace,
    },
  };
}

export function tracedItem(extra: IDataObject = {}, trace: IDataObject = {}): INodeExecutionData {
  return { json: tracedJson(extra, trace) };
}

export function traceOf(item: INodeExecutionData): IDataObject & { open: IDataObject[] } {
  return item.json.threadline as IDataObject & { open: IDataObject[] };
}
