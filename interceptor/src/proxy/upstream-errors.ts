// What the client is told when the upstream exchange fails: 504 when a timeout expired (connect,
// response headers, idle body), 502 for every other failure (refused, reset, TLS, DNS).

const TIMEOUT_CODES: ReadonlySet<string> = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);

/** A raw socket (CONNECT tunnel, WebSocket upgrade) that did not connect in time: a 504 like undici's. */
export class ConnectTimeoutError extends Error {
  override readonly name = 'ConnectTimeoutError';
  readonly code = 'UND_ERR_CONNECT_TIMEOUT';
}

export function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  const cause = (error as { cause?: unknown }).cause;
  return cause === error ? undefined : errorCode(cause);
}

export function isTimeout(error: unknown): boolean {
  const code = errorCode(error);
  return code !== undefined && TIMEOUT_CODES.has(code);
}

/** The status for a failed upstream exchange. */
export function upstreamFailureStatus(error: unknown): 502 | 504 {
  return isTimeout(error) ? 504 : 502;
}

/** A short, safe description for the client: the kind of failure, never the upstream's address. */
export function upstreamFailureMessage(error: unknown): string {
  if (isTimeout(error)) return 'upstream timed out';
  const code = errorCode(error);
  return code === undefined ? 'upstream request failed' : `upstream request failed (${code})`;
}

/** Why the proxy aborted the upstream request: the client went away. */
export class ClientGoneError extends Error {
  override readonly name = 'ClientGoneError';
  readonly code = 'CLIENT_GONE';
  constructor() {
    super('the client closed the connection');
  }
}
