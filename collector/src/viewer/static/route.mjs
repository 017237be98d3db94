// The viewer's addresses and search form, as pure functions. Every page state lives in the hash,
// so a terminal can print a link to one trace (#/trace/<id>) and the back button works:
//   #/                       trace list (search fields as a query: #/?service=orders&status=error)
//   #/trace/<id>             one trace, waterfall      (?span=<spanId> opens that span's details)
//   #/trace/<id>/flow        one trace, flow view
//   #/audit                  completeness audit        (?window=15m)
// A collector token given as #token=… (or &token=… in any of them) is taken out of the address.
/* global URLSearchParams */

const TRACE_ID = /^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;

/** Time windows offered by the search form and the audit page. */
export const WINDOWS = [
  { value: '5m', label: 'Last 5 minutes', ms: 5 * 60_000 },
  { value: '15m', label: 'Last 15 minutes', ms: 15 * 60_000 },
  { value: '1h', label: 'Last hour', ms: 3_600_000 },
  { value: '6h', label: 'Last 6 hours', ms: 6 * 3_600_000 },
  { value: '24h', label: 'Last 24 hours', ms: 24 * 3_600_000 },
];

/** Parses a location hash into { view, traceId?, tab?, spanId?, query, token? } or { view: 'not-found' }. */
export function parseRoute(hash) {
  const raw = String(hash || '').replace(/^#/, '');
  // "#token=…" alone is a query without a path.
  const [pathPart, queryPart = ''] = raw.includes('?') ? splitOnce(raw, '?') : raw.includes('=') && !raw.startsWith('/') ? ['', raw] : [raw, ''];
  const query = new URLSearchParams(queryPart);
  const token = query.get('token') || undefined;
  query.delete('token');
  const segments = pathPart.split('/').filter(Boolean).map(safeDecode);
  const base = { query, token };
  if (segments.length === 0 || (segments.length === 1 && segments[0] === 'traces')) return { ...base, view: 'traces' };
  if (segments[0] === 'audit' && segments.length === 1) return { ...base, view: 'audit' };
  if (segments[0] === 'trace' && (segments.length === 2 || segments.length === 3)) {
    const traceId = segments[1].toLowerCase();
    const tab = segments[2] || 'waterfall';
    if (!TRACE_ID.test(traceId) || (tab !== 'waterfall' && tab !== 'flow')) return { ...base, view: 'not-found', path: pathPart };
    const span = (query.get('span') || '').toLowerCase();
    return { ...base, view: 'trace', traceId, tab, spanId: SPAN_ID.test(span) ? span : undefined };
  }
  return { ...base, view: 'not-found', path: pathPart };
}

/** The hash of a page: routeHash({ view: 'trace', traceId, tab, spanId }) → "#/trace/…". */
export function routeHash(route) {
  const query = new URLSearchParams(route.query || undefined);
  let path = '/';
  if (route.view === 'trace') {
    path = `/trace/${route.traceId}${route.tab === 'flow' ? '/flow' : ''}`;
    if (route.spanId) query.set('span', route.spanId);
    else query.delete('span');
  } else if (route.view === 'audit') path = '/audit';
  const text = query.toString();
  return `#${path}${text ? `?${text}` : ''}`;
}

function splitOnce(text, separator) {
  const at = text.indexOf(separator);
  return [text.slice(0, at), text.slice(at + 1)];
}

function safeDecode(segment) {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * A duration typed by a person: "250", "250ms", "1.5s", "2m", "1h" (a bare number is ms).
 * Returns milliseconds, or throws an Error saying what is wrong.
 */
export function parseDuration(text, field = 'duration') {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(us|µs|ms|s|m|min|h)?\s*$/i.exec(String(text));
  if (!match) throw new Error(`${field}: "${text}" is not a duration (examples: 250ms, 1.5s, 2m)`);
  const value = Number(match[1]);
  const unit = (match[2] || 'ms').toLowerCase();
  const factor = { us: 0.001, µs: 0.001, ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000 }[unit];
  return value * factor;
}

/**
 * Attribute filters typed as `key=value` pairs separated by spaces; a value with spaces goes in
 * double quotes: `http.response.status_code=500 http.route="/orders/:id"`.
 * Returns [{ key, value }], or throws an Error naming the pair that is wrong.
 */
export function parseAttributeFilter(text) {
  const pairs = [];
  const source = String(text || '');
  let at = 0;
  while (at < source.length) {
    while (at < source.length && /\s/.test(source[at])) at += 1;
    if (at >= source.length) break;
    const start = at;
    while (at < source.length && source[at] !== '=' && !/\s/.test(source[at])) at += 1;
    const key = source.slice(start, at);
    if (source[at] !== '=' || key === '') {
      throw new Error(`attribute: "${source.slice(start).split(/\s/)[0]}" is not key=value`);
    }
    at += 1;
    let value;
    if (source[at] === '"') {
      const end = source.indexOf('"', at + 1);
      if (end < 0) throw new Error(`attribute: the quoted value of "${key}" has no closing quote`);
      value = source.slice(at + 1, end);
      at = end + 1;
    } else {
      const valueStart = at;
      while (at < source.length && !/\s/.test(source[at])) at += 1;
      value = source.slice(valueStart, at);
    }
    pairs.push({ key, value });
  }
  return pairs;
}

/** Writes attribute filters back as text for the search field. */
export function formatAttributeFilter(pairs) {
  return pairs.map(({ key, value }) => `${key}=${/[\s"]/.test(value) || value === '' ? `"${value}"` : value}`).join(' ');
}

/**
 * Turns the list page's query (the search form's fields) into the parameters of GET /api/traces.
 * Returns { params: URLSearchParams, errors: string[] }: fields with errors are left out.
 */
export function searchToApiParams(query, nowMs) {
  const params = new URLSearchParams();
  const errors = [];
  const text = (name) => (query.get(name) || '').trim();

  if (text('service')) params.set('service', text('service'));
  if (text('name')) params.set('name', text('name'));
  if (text('status') === 'ok' || text('status') === 'error') params.set('status', text('status'));
  else if (text('status')) errors.push(`status: "${text('status')}" is neither ok nor error`);
  if (text('complete') === 'true' || text('complete') === 'false') params.set('complete', text('complete'));
  else if (text('complete')) errors.push(`complete: "${text('complete')}" is neither true nor false`);

  for (const [field, param] of [
    ['minDuration', 'minDurationMs'],
    ['maxDuration', 'maxDurationMs'],
  ]) {
    if (!text(field)) continue;
    try {
      params.set(param, String(parseDuration(text(field), field === 'minDuration' ? 'min duration' : 'max duration')));
    } catch (error) {
      errors.push(error.message);
    }
  }

  if (text('attrs')) {
    try {
      for (const { key, value } of parseAttributeFilter(text('attrs'))) params.append('attr', `${key}=${value}`);
    } catch (error) {
      errors.push(error.message);
    }
  }

  const since = text('since');
  if (since === 'custom') {
    for (const field of ['from', 'to']) {
      if (!text(field)) continue;
      const ms = Date.parse(text(field));
      if (Number.isNaN(ms)) errors.push(`${field}: "${text(field)}" is not a date and time`);
      else params.set(field, String(ms));
    }
  } else if (since) {
    const window = WINDOWS.find((candidate) => candidate.value === since);
    if (window) params.set('from', String(Math.floor(nowMs - window.ms)));
    else errors.push(`time: "${since}" is not one of ${WINDOWS.map((w) => w.value).join(', ')}, custom`);
  }

  if (text('limit')) {
    const limit = Number(text('limit'));
    if (Number.isInteger(limit) && limit >= 1 && limit <= 1000) params.set('limit', String(limit));
    else errors.push(`limit: "${text('limit')}" is not a whole number from 1 to 1000`);
  }
  return { params, errors };
}

/** The audit window of the audit page's query, in ms (15 minutes unless chosen otherwise). */
export function auditWindow(query) {
  const chosen = WINDOWS.find((candidate) => candidate.value === query.get('window'));
  return chosen || WINDOWS[1];
}
