// What every operation gets for one item, and the small helpers they share.
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import type { CompiledRules, RecordAttributes, TraceCarrier } from '../connectors';
import type { CollectorSettings } from '../collector-settings';
import { readExecutionTrace } from '../execution-trace';
import type { ItemTrace } from '../item-trace';
import { ITEM_TRACE_FIELD, itemTraceJson, newItemTrace, readItemTrace } from '../item-trace';
import { traceFromLineage } from '../lineage';
import type { SpanBatch } from '../span-batch';

/** State shared by the items of one execute() call. */
export interface CallState {
  /** n8n's span for this node, once probed (null: probed, none found). */
  n8nContext?: TraceCarrier | null;
}

export interface OperationContext {
  fn: IExecuteFunctions;
  itemIndex: number;
  item: INodeExecutionData;
  settings: CollectorSettings;
  rules: CompiledRules;
  batch: SpanBatch;
  state: CallState;
}

/** An operation turns one input item into the json of its output item. */
export type Operation = (ctx: OperationContext) => Promise<IDataObject>;

export function fail(ctx: OperationContext, message: string, description?: string): never {
  throw new NodeOperationError(ctx.fn.getNode(), message, { itemIndex: ctx.itemIndex, description });
}

export function stringParameter(ctx: OperationContext, name: string, fallback = ''): string {
  const value = ctx.fn.getNodeParameter(name, ctx.itemIndex, fallback);
  return typeof value === 'string' ? value : String(value);
}

/** The Attributes parameter as record attributes; keys must not be empty. */
export function attributesParameter(ctx: OperationContext): RecordAttributes {
  const rows = ctx.fn.getNodeParameter('attributes.attribute', ctx.itemIndex, []) as Array<{ key?: unknown; value?: unknown }>;
  const attributes: RecordAttributes = {};
  rows.forEach((row, index) => {
    const key = typeof row.key === 'string' ? row.key.trim() : '';
    if (key === '') fail(ctx, `Attribute ${index + 1} has no key`);
    attributes[key] = row.value === undefined || row.value === null ? '' : String(row.value);
  });
  return attributes;
}

/**
 * The item's trace: on the item, else through its paired-item lineage, else the execution's
 * (custom data written by Continue Trace). Throws naming the item when there is none.
 */
export function requireTrace(ctx: OperationContext): ItemTrace {
  const trace =
    readItemTrace(ctx.item.json[ITEM_TRACE_FIELD]) ??
    traceFromLineage(ctx.fn, ctx.itemIndex) ??
    fromExecution(ctx);
  if (trace !== undefined) return trace;
  return fail(
    ctx,
    `Item ${ctx.itemIndex} carries no trace`,
    'Neither the item, the items it came from (paired items) nor the execution has one. Put a Threadline node with the Continue Trace operation after the trigger.',
  );
}

function fromExecution(ctx: OperationContext): ItemTrace | undefined {
  const carrier = readExecutionTrace(ctx.fn, ctx.itemIndex);
  return carrier === undefined ? undefined : newItemTrace(carrier, false);
}

/** The output json: the input's fields with the trace written back. */
export function withTrace(ctx: OperationContext, trace: ItemTrace, extra: IDataObject = {}): IDataObject {
  return { ...ctx.item.json, ...extra, [ITEM_TRACE_FIELD]: itemTraceJson(trace) };
}

/** Value at a dotted path of `json` (`headers`, `body.trace`). */
export function valueAtPath(json: unknown, path: string): unknown {
  let value: unknown = json;
  for (const part of path.split('.').filter((segment) => segment !== '')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}
