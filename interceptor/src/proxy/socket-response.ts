// Raw sockets: answers written straight to a socket, for CONNECT and upgrade requests (where node hands over
// the raw socket) and for requests node's parser refused, and joining two sockets into a tunnel.
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

/** Header lines "name: value\r\n" for a raw response; values with CR or LF are left out. */
export function headerLines(headers: readonly (readonly [string, string])[]): string {
  let text = '';
  for (const [name, value] of headers) if (!/[\r\n]/.test(value)) text += `${name}: ${value}\r\n`;
  return text;
}

/** Writes a complete response with a small JSON body and closes the socket. */
export function rejectSocket(socket: Duplex, status: number, message: string, extraHeaders: readonly (readonly [string, string])[] = []): void {
  if (!socket.writable || socket.destroyed) {
    socket.destroy();
    return;
  }
  const body = message === '' ? '' : JSON.stringify({ error: message, status });
  const head =
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n` +
    headerLines([['connection', 'close'], ['content-type', 'application/json; charset=utf-8'], ['content-length', String(Buffer.byteLength(body))], ...extraHeaders]) +
    '\r\n';
  socket.end(head + body);
  // end() waits for the peer; a client that never closes must not hold the socket.
  setTimeout(() => socket.destroy(), 1000).unref();
}

/** Joins two sockets both ways (a tunnel, an upgraded connection); `onIdle` after `idleMillis` of silence on either (0: never). */
export function spliceSockets(a: Socket, b: Socket, idleMillis: number, onIdle: () => void): void {
  a.pipe(b);
  b.pipe(a);
  if (idleMillis > 0) {
    a.setTimeout(idleMillis, onIdle);
    b.setTimeout(idleMillis, onIdle);
  }
}
