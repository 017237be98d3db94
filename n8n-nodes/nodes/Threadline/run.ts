// One execute() call: every input item through the chosen operation, one output item per input
// item (pairedItem set), errors with the item index or, with Continue On Fail, on the item; then
// every span the call ended is sent to the collector before the call returns, errors or not.
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import { rulesFor } from './baggage-rules';
import { readCollectorSettings } from './collector-settings';
import type { OperationName } from './description';
import type { CallState, Operation } from './operations/context';
import { continueTrace } from './operations/continue-trace';
import { httpRequestOperation } from './operations/http-request';
import { outboundHeadersOperation } from './operations/outbound';
import { readBaggage, removeBaggage, setBaggage } from './operations/baggage';
import { addEvent, endSpan, setAttributes, startSpan } from './operations/spans';
import { SpanBatch } from './span-batch';
import { exportSpans } from './span-export';

const OPERATION_BY_NAME: Readonly<Record<OperationName, Operation>> = {
  continueTrace,
  startSpan,
  endSpan,
  addEvent,
  setAttributes,
  setBaggage,
  readBaggage,
  removeBaggage,
  outboundHeaders: outboundHeadersOperation,
  httpRequest: httpRequestOperation,
};

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function asNodeError(fn: IExecuteFunctions, error: unknown, itemIndex: number): Error {
  if (error instanceof NodeOperationError || error instanceof NodeApiError) return error;
  return new NodeOperationError(fn.getNode(), error instanceof Error ? error : messageOf(error), { itemIndex });
}

export async function runThreadline(fn: IExecuteFunctions): Promise<INodeExecutionData[][]> {
  const items = fn.getInputData();
  const operationName = fn.getNodeParameter('operation', 0) as OperationName;
  const operation = OPERATION_BY_NAME[operationName];
  if (operation === undefined) throw new NodeOperationError(fn.getNode(), `Unknown operation "${String(operationName)}"`);
  const settings = await readCollectorSettings(fn);
  const rules = rulesFor(fn.getNode(), settings.baggage);
  const batch = new SpanBatch(settings, rules);

  const state: CallState = {};
  const output: INodeExecutionData[] = [];
  try {
    for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
      const item = items[itemIndex];
      try {
        const json = await operation({ fn, itemIndex, item, settings, rules, batch, state });
        const result: INodeExecutionData = { json, pairedItem: { item: itemIndex } };
        if (item.binary !== undefined) result.binary = item.binary;
        output.push(result);
      } catch (error) {
        if (!fn.continueOnFail()) throw asNodeError(fn, error, itemIndex);
        output.push({ json: { ...item.json, error: messageOf(error) }, pairedItem: { item: itemIndex } });
      }
    }
  } finally {
    await exportSpans(fn, settings, batch.spans);
  }
  return [output];
}
