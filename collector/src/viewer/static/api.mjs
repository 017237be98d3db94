// The collector's query API (collector/src/api/contract.ts), with the token sent as a header.
/* global fetch, sessionStorage, URLSearchParams */

const TOKEN_KEY = 'threadline.collector.token';

/** Remembers the token for this browser tab (it came in the address as #token=…). */
export function rememberToken(token) {
  try {
    sessionStorage.setItem(TOKEN_KEY, token);
  } catch {
    // Storage disabled: the token still works until the page is reloaded.
  }
  memoryToken = token;
}

let memoryToken;

function currentToken() {
  if (memoryToken) return memoryToken;
  try {
    return sessionStorage.getItem(TOKEN_KEY) || undefined;
  } catch {
    return undefined;
  }
}

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** GET a JSON answer; rejects with an ApiError carrying the collector's own message. */
export async function getJson(path, params) {
  const query = params && params.toString();
  const headers = { accept: 'application/json' };
  const token = currentToken();
  if (token) headers.authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(query ? `${path}?${query}` : path, { headers });
  } catch (error) {
    throw new ApiError(0, `the collector cannot be reached (${error.message})`);
  }
  let body;
  try {
    body = await response.json();
  } catch {
    throw new ApiError(response.status, `the collector answered ${response.status} without JSON`);
  }
  if (!response.ok) {
    const why = body && typeof body.error === 'string' ? body.error : `HTTP ${response.status}`;
    const hint = response.status === 401 ? ' — open the viewer with #token=<token> to sign in' : '';
    throw new ApiError(response.status, `${why}${hint}`);
  }
  return body;
}

export const api = {
  traces: (params) => getJson('/api/traces', params),
  trace: (traceId) => getJson(`/api/traces/${encodeURIComponent(traceId)}`),
  services: () => getJson('/api/services'),
  audit: (windowMs) => getJson('/api/audit', new URLSearchParams({ windowMs: String(windowMs) })),
  stats: () => getJson('/api/stats'),
};
