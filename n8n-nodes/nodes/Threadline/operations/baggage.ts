// Set / Read / Remove Baggage, within the rules of the Threadline Collector credential: only keys
// the rules accept can be set, values are percent-encoded by the W3C codec, and the list stays
// within the W3C limits (64 members, 8192 bytes).
import type { IDataObject } from 'n8n-workflow';
import { isBaggageKey, MAX_BAGGAGE_BYTES, parseBaggageHeader, serializeBaggage } from '../connectors';
import { isAcceptedKey } from '../baggage-rules';
import { withBaggage } from '../item-trace';
import type { Operation } from './context';
import { fail, requireTrace, stringParameter, withTrace } from './context';

const MAX_MEMBERS = 64;

export const setBaggage: Operation = async (ctx) => {
  const trace = requireTrace(ctx);
  const rows = ctx.fn.getNodeParameter('baggageEntries.entry', ctx.itemIndex, []) as Array<{ key?: unknown; value?: unknown }>;
  let baggage = parseBaggageHeader(trace.baggage ?? '').baggage;
  const keys: string[] = [];
  rows.forEach((row, index) => {
    const key = typeof row.key === 'string' ? row.key.trim() : '';
    if (!isBaggageKey(key)) fail(ctx, `Baggage member ${index + 1}: "${key}" is not a valid baggage key (an HTTP token: letters, digits and !#$%&'*+-.^_\`|~)`);
    if (!isAcceptedKey(ctx.rules, key)) {
      fail(ctx, `Baggage key "${key}" is not allowed by the baggage rules`, 'Add it to "Baggage Keys Accepted From Callers" in the Threadline Collector credential.');
    }
    keys.push(key);
    baggage = baggage.setEntry(key, { value: row.value === undefined || row.value === null ? '' : String(row.value) });
  });
  const header = serializeBaggage(baggage);
  // The codec drops whole members past the W3C limits when it serializes: refuse instead of losing one.
  const kept = parseBaggageHeader(header).baggage;
  const lost = keys.filter((key) => kept.getEntry(key) === undefined);
  if (lost.length > 0 || Buffer.byteLength(header) > MAX_BAGGAGE_BYTES) {
    fail(ctx, `Baggage member "${lost[0] ?? keys[0]}" does not fit: W3C Baggage allows ${MAX_MEMBERS} members and ${MAX_BAGGAGE_BYTES} bytes`);
  }
  return withTrace(ctx, withBaggage(trace, header));
};

export const readBaggage: Operation = async (ctx) => {
  const trace = requireTrace(ctx);
  const field = stringParameter(ctx, 'outputField', 'baggage').trim() || 'baggage';
  const members: IDataObject = {};
  for (const [key, entry] of parseBaggageHeader(trace.baggage ?? '').baggage.getAllEntries()) members[key] = entry.value;
  return withTrace(ctx, trace, { [field]: members });
};

export const removeBaggage: Operation = async (ctx) => {
  const trace = requireTrace(ctx);
  if (ctx.fn.getNodeParameter('removeAll', ctx.itemIndex, false) === true) return withTrace(ctx, withBaggage(trace, ''));
  const keys = stringParameter(ctx, 'keys')
    .split(',')
    .map((key) => key.trim())
    .filter((key) => key !== '');
  const baggage = parseBaggageHeader(trace.baggage ?? '').baggage.removeEntries(...keys);
  return withTrace(ctx, withBaggage(trace, serializeBaggage(baggage)));
};
