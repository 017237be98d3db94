// Start Span / End Span / Add Event / Set Attributes: a named span around part of the workflow,
// its record carried on the item between the nodes that open and close it.
import type { HttpSpanKind, SpanRecordKind, SpanStatus } from '../connectors';
import { httpOutcomeAttributes, httpSpanStatus, SpanStatusCode, toSpanKind } from '../connectors';
import type { ItemTrace } from '../item-trace';
import { contextOnly, currentSpan, pushSpan, removeSpan, replaceSpan } from '../item-trace';
import { nowUnixNano } from '../span-batch';
import type { Operation, OperationContext } from './context';
import { attributesParameter, fail, requireTrace, stringParameter, withTrace } from './context';

const SPAN_KINDS: readonly SpanRecordKind[] = ['internal', 'server', 'client', 'producer', 'consumer'];

export const startSpan: Operation = async (ctx) => {
  const trace = requireTrace(ctx);
  const name = stringParameter(ctx, 'spanName').trim();
  if (name === '') fail(ctx, 'Span Name is empty');
  const kind = stringParameter(ctx, 'spanKind', 'internal') as SpanRecordKind;
  if (!SPAN_KINDS.includes(kind)) fail(ctx, `Span Kind "${kind}" is not one of ${SPAN_KINDS.join(', ')}`);
  const record = ctx.batch.open({ name, kind, parent: contextOnly(trace), attributes: attributesParameter(ctx) });
  return withTrace(ctx, pushSpan(trace, record));
};

function openIndex(ctx: OperationContext, trace: ItemTrace): number {
  if (stringParameter(ctx, 'spanToEnd', 'innermost') !== 'byName') {
    if (trace.open.length === 0) fail(ctx, `Item ${ctx.itemIndex} has no open span to end`, 'Open one with Start Span (or Outbound Headers) first.');
    return trace.open.length - 1;
  }
  const name = stringParameter(ctx, 'spanName').trim();
  const names = trace.open.map((record) => record.name);
  const index = names.lastIndexOf(name);
  if (index < 0) fail(ctx, `Item ${ctx.itemIndex} has no open span named "${name}"`, names.length === 0 ? 'No span is open.' : `Open spans: ${names.join(', ')}.`);
  return index;
}

function endStatus(ctx: OperationContext): SpanStatus | undefined {
  const status = stringParameter(ctx, 'status', 'unset');
  if (status === 'ok') return { code: SpanStatusCode.OK };
  if (status === 'error') {
    const message = stringParameter(ctx, 'errorMessage').trim();
    return message === '' ? { code: SpanStatusCode.ERROR } : { code: SpanStatusCode.ERROR, message };
  }
  return undefined;
}

export const endSpan: Operation = async (ctx) => {
  const trace = requireTrace(ctx);
  const index = openIndex(ctx, trace);
  const record = trace.open[index];
  const attributes = attributesParameter(ctx);
  let status = endStatus(ctx);
  const statusCode = Number(ctx.fn.getNodeParameter('httpStatusCode', ctx.itemIndex, 0));
  if (Number.isFinite(statusCode) && statusCode > 0) {
    const kind = toSpanKind(record.kind === 'server' ? 'server' : 'client') as HttpSpanKind;
    const outcome = { statusCode };
    Object.assign(attributes, httpOutcomeAttributes(kind, outcome));
    const httpStatus = httpSpanStatus(kind, outcome);
    if (status === undefined && httpStatus.code !== SpanStatusCode.UNSET) status = httpStatus;
  }
  const problems = ctx.batch.end(record, { attributes, status });
  if (problems.length > 0) fail(ctx, `Item ${ctx.itemIndex}: the open span "${record.name}" is not a valid span record`, problems.join('; '));
  return withTrace(ctx, removeSpan(trace, index));
};

function requireOpenSpan(ctx: OperationContext, trace: ItemTrace): number {
  if (currentSpan(trace) === undefined) {
    fail(ctx, `Item ${ctx.itemIndex} has no open span`, 'Events and attributes go to the span opened by Start Span; open one first.');
  }
  return trace.open.length - 1;
}

export const addEvent: Operation = async (ctx) => {
  const trace = requireTrace(ctx);
  const index = requireOpenSpan(ctx, trace);
  const name = stringParameter(ctx, 'eventName').trim();
  if (name === '') fail(ctx, 'Event Name is empty');
  const record = trace.open[index];
  const event = { name, timeUnixNano: nowUnixNano(), attributes: attributesParameter(ctx) };
  return withTrace(ctx, replaceSpan(trace, index, { ...record, events: [...(record.events ?? []), event] }));
};

export const setAttributes: Operation = async (ctx) => {
  const trace = requireTrace(ctx);
  const index = requireOpenSpan(ctx, trace);
  const record = trace.open[index];
  return withTrace(ctx, replaceSpan(trace, index, { ...record, attributes: { ...record.attributes, ...attributesParameter(ctx) } }));
};
