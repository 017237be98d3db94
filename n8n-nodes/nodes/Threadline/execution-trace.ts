// The execution's trace, in the execution's custom data (`$execution.customData`, saved with the
// execution and searchable in n8n's execution list, up to 10 keys per execution). One trace per
// execution: Continue Trace stores the first item's. Continue Trace
// writes the trace id (so users find the execution of a trace) and the context; other operations
// fall back to it when neither the item nor its lineage carries a trace.
import type { IExecuteFunctions } from 'n8n-workflow';
import type { TraceCarrier } from './connectors';
import { isValidCarrier, parseTraceparent } from './connectors';

// n8n accepts only letters, digits and underscores in custom data keys (a dot is refused, silently
// outside manual runs), and ignores keys past the tenth.
export const CUSTOM_DATA_KEYS = {
  traceId: 'threadline_traceId',
  traceparent: 'threadline_traceparent',
  tracestate: 'threadline_tracestate',
  baggage: 'threadline_baggage',
} as const;

/** Longer values are not stored (n8n limits custom data values). */
export const MAX_CUSTOM_DATA_VALUE = 255;

interface CustomData {
  set(key: string, value: string): void;
  get(key: string): string | undefined;
}

function customDataOf(fn: IExecuteFunctions, itemIndex: number): CustomData | undefined {
  const execution: unknown = fn.getWorkflowDataProxy(itemIndex).$execution;
  const customData = typeof execution === 'object' && execution !== null ? (execution as { customData?: unknown }).customData : undefined;
  if (typeof customData !== 'object' || customData === null) return undefined;
  const { set, get } = customData as Partial<CustomData>;
  return typeof set === 'function' && typeof get === 'function' ? (customData as CustomData) : undefined;
}

/**
 * Stores the trace id and `carrier` for the execution; false when custom data is not available
 * here or n8n did not keep the trace id (it drops keys past its limit without an error).
 */
export function writeExecutionTrace(fn: IExecuteFunctions, itemIndex: number, carrier: TraceCarrier): boolean {
  const customData = customDataOf(fn, itemIndex);
  const parsed = parseTraceparent(carrier.traceparent);
  if (customData === undefined || parsed === undefined) return false;
  customData.set(CUSTOM_DATA_KEYS.traceId, parsed.traceId);
  customData.set(CUSTOM_DATA_KEYS.traceparent, carrier.traceparent);
  for (const key of ['tracestate', 'baggage'] as const) {
    const value = carrier[key];
    // An empty value clears what an earlier item stored, so the pair stays consistent.
    customData.set(CUSTOM_DATA_KEYS[key], value !== undefined && value.length <= MAX_CUSTOM_DATA_VALUE ? value : '');
  }
  return customData.get(CUSTOM_DATA_KEYS.traceId) === parsed.traceId;
}

/** The execution's context, when Continue Trace stored one. */
export function readExecutionTrace(fn: IExecuteFunctions, itemIndex: number): TraceCarrier | undefined {
  const customData = customDataOf(fn, itemIndex);
  if (customData === undefined) return undefined;
  const traceparent = customData.get(CUSTOM_DATA_KEYS.traceparent);
  if (typeof traceparent !== 'string' || traceparent === '') return undefined;
  const carrier: TraceCarrier = { traceparent };
  const tracestate = customData.get(CUSTOM_DATA_KEYS.tracestate);
  const baggage = customData.get(CUSTOM_DATA_KEYS.baggage);
  if (typeof tracestate === 'string' && tracestate !== '') carrier.tracestate = tracestate;
  if (typeof baggage === 'string' && baggage !== '') carrier.baggage = baggage;
  return isValidCarrier(carrier) ? carrier : undefined;
}
