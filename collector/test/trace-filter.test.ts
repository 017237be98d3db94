// Search of the trace list: each parameter, combined, and bad values named.
import { TraceQueries } from '../src/query/trace-queries';
import { parseTraceFilter, QueryError } from '../src/query/trace-filter';
import { TraceStore } from '../src/store/trace-store';
import { span, T0_MS, traceId } from './spans';

const store = new TraceStore({ maxSpans: 100, maxAgeMs: 3_600_000 });
const fast = traceId();
const slowError = traceId();
const other = traceId();
store.add(span({ traceId: fast, name: 'GET /orders', service: 'orders', startMs: T0_MS, durationMs: 20, attributes: { 'http.response.status_code': 200 } }));
store.add(span({ traceId: slowError, name: 'POST /orders', service: 'orders', startMs: T0_MS + 1000, durationMs: 900, error: true, attributes: { 'http.response.status_code': 500 } }));
store.add(span({ traceId: other, name: 'tick', service: 'timer', startMs: T0_MS + 2000, durationMs: 5 }));
const queries = new TraceQueries(store, { settleMs: 0 });

function ids(query: string): string[] {
  return queries.listTraces(parseTraceFilter(new URLSearchParams(query))).traces.map((trace) => trace.traceId);
}

test.each([
  ['', [other, slowError, fast]],
  ['service=orders', [slowError, fast]],
  ['status=error', [slowError]],
  ['status=ok', [other, fast]],
  ['minDurationMs=100', [slowError]],
  ['maxDurationMs=10', [other]],
  ['attr=http.response.status_code%3D500', [slowError]],
  [`from=${T0_MS + 500}&to=${new Date(T0_MS + 1500).toISOString()}`, [slowError]],
  ['name=orders&limit=1', [slowError]],
  ['complete=true&service=timer', [other]],
])('%s', (query, expected) => {
  expect(ids(query)).toEqual(expected);
});

test('matched counts every match, limit only cuts the list', () => {
  expect(queries.listTraces(parseTraceFilter(new URLSearchParams('limit=1')))).toMatchObject({ matched: 3, limit: 1 });
});

test.each([
  ['status=broken', 'status: "broken" is not ok or error'],
  ['minDurationMs=-1', 'minDurationMs: "-1" is not a non-negative number'],
  ['attr=novalue', 'attr: "novalue" is not key=value'],
  ['from=yesterday', 'from: "yesterday" is neither milliseconds since 1970 nor an ISO 8601 date'],
  ['limit=5000', 'limit: "5000" is not a whole number from 1 to 1000'],
  ['complete=maybe', 'complete: "maybe" is not true or false'],
])('%s is refused: %s', (query, message) => {
  expect(() => parseTraceFilter(new URLSearchParams(query))).toThrow(new QueryError(message));
});
