// A fixed request rate, evenly spaced, over a set of keep-alive connections: the latency pass.
// autocannon is not used here: its rate limit lets each connection spend its per-second budget
// back to back and then pause, so "half load" would really be bursts at full speed. Nor is an
// HTTP client library: at ten thousand requests a second one costs tens of microseconds of CPU a
// request, so on a small machine the generator itself would compete with the proxy and its own
// stalls would show up as the proxy's latency. This one writes a prepared request and reads just
// enough of each response to know where it ends (a few microseconds a request).
//
// Latency runs from the moment a request is due and a tick has seen it due — time waiting for a
// free connection counts, so a target that stalls cannot hide it by holding the connections busy
// (coordinated omission) — to the last byte of its response.
import * as net from 'node:net';
import { performance } from 'node:perf_hooks';
import { LatencyRecorder } from './latency';
import type { LoadResult } from './max-load';

export interface PacedLoadOptions {
  requestsPerSec: number;
  durationSeconds: number;
  connections: number;
}

const TICK_MS = 1;
/** A response that takes this long fails the run (and its connection is dropped). */
const RESPONSE_TIMEOUT_MS = 10_000;
const HEAD_END = Buffer.from('\r\n\r\n');
const LAST_CHUNK = Buffer.from('\r\n0\r\n\r\n');

/** Where a response ends, read from its head: a length, or the end of a chunked body. */
type BodyEnd = { length: number } | { chunked: true };

function bodyEndOf(head: string): BodyEnd | undefined {
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  if (length) return { length: Number(length[1]) };
  if (/\r\ntransfer-encoding:[^\r]*chunked/i.test(head)) return { chunked: true };
  return undefined;
}

/** One keep-alive connection with at most one request outstanding. */
class PacedConnection {
  private buffered: Buffer = Buffer.alloc(0);
  private status = 0;
  private bodyEnd: BodyEnd | undefined;
  private bodyStart = 0;
  private dueAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private broken = false;
  busy = false;

  constructor(
    private readonly socket: net.Socket,
    private readonly request: Buffer,
    private readonly onDone: (connection: PacedConnection, status: number, dueAt: number) => void,
    private readonly onBroken: (connection: PacedConnection) => void,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.read(chunk));
    const broken = (): void => this.fail();
    socket.on('error', broken);
    socket.on('close', broken);
  }

  send(dueAt: number): void {
    this.busy = true;
    this.dueAt = dueAt;
    this.timer = setTimeout(() => this.fail(), RESPONSE_TIMEOUT_MS);
    this.socket.write(this.request);
  }

  close(): void {
    this.broken = true;
    clearTimeout(this.timer);
    this.socket.removeAllListeners('close');
    this.socket.destroy();
  }

  private read(chunk: Buffer): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    if (this.bodyEnd === undefined) {
      const headEnd = this.buffered.indexOf(HEAD_END);
      if (headEnd < 0) return;
      const head = this.buffered.toString('latin1', 0, headEnd);
      this.status = Number(head.slice(9, 12));
      this.bodyEnd = bodyEndOf(head);
      this.bodyStart = headEnd + HEAD_END.length;
      if (this.bodyEnd === undefined) return this.fail();
    }
    const end = this.bodyEnd;
    // A chunked body ends with the last chunk (size 0) and no trailers: the upstream sends none.
    const complete =
      'length' in end
        ? this.buffered.length >= this.bodyStart + end.length
        : this.buffered.length >= this.bodyStart + LAST_CHUNK.length - 2 && this.buffered.subarray(-LAST_CHUNK.length).equals(LAST_CHUNK);
    if (!complete) return;
    clearTimeout(this.timer);
    this.buffered = Buffer.alloc(0);
    this.bodyEnd = undefined;
    this.busy = false;
    this.onDone(this, this.status, this.dueAt);
  }

  private fail(): void {
    if (this.broken) return;
    this.broken = true;
    clearTimeout(this.timer);
    this.socket.destroy();
    this.onBroken(this);
  }
}

function connect(host: string, port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, host, () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

export async function runPacedLoad(url: string, options: PacedLoadOptions): Promise<LoadResult> {
  const target = new URL(url);
  const port = Number(target.port || 80);
  const request = Buffer.from(`GET ${target.pathname}${target.search} HTTP/1.1\r\nhost: ${target.host}\r\nuser-agent: threadline-bench\r\naccept: */*\r\n\r\n`, 'latin1');
  const latency = new LatencyRecorder();
  const total = Math.round(options.requestsPerSec * options.durationSeconds);
  const intervalMs = 1000 / options.requestsPerSec;
  let ok = 0;
  let failures = 0;
  let finished = 0;
  /** Due times of requests waiting for a free connection, oldest first. */
  const waiting: number[] = [];
  let waitingHead = 0;
  const idle: PacedConnection[] = [];
  const open = new Set<PacedConnection>();
  let allDone: () => void = () => {};

  const settle = (): void => {
    finished += 1;
    if (finished === total) allDone();
  };
  const dispatch = (connection: PacedConnection): void => {
    if (waitingHead < waiting.length) connection.send(waiting[waitingHead++]);
    else idle.push(connection);
  };
  const onDone = (connection: PacedConnection, status: number, dueAt: number): void => {
    if (status >= 200 && status < 300) {
      ok += 1;
      latency.recordMillis(performance.now() - dueAt);
    } else {
      failures += 1;
    }
    settle();
    dispatch(connection);
  };
  const onBroken = (connection: PacedConnection): void => {
    open.delete(connection);
    const index = idle.indexOf(connection);
    if (index >= 0) idle.splice(index, 1);
    else if (connection.busy) {
      connection.busy = false;
      failures += 1;
      settle();
    }
    // A replacement keeps the number of connections, so one broken socket does not lower the rate.
    connect(target.hostname, port).then(
      (socket) => dispatch(track(new PacedConnection(socket, request, onDone, onBroken))),
      () => undefined,
    );
  };

  const track = (connection: PacedConnection): PacedConnection => {
    open.add(connection);
    return connection;
  };
  const sockets = await Promise.all(Array.from({ length: options.connections }, () => connect(target.hostname, port)));
  for (const socket of sockets) idle.push(track(new PacedConnection(socket, request, onDone, onBroken)));

  const done = new Promise<void>((resolve) => (allDone = resolve));
  const start = performance.now();
  let sent = 0;
  // Each tick issues every request whose time has come, so a late timer catches up instead of
  // lowering the rate; their latency counts from this tick.
  const tick = (): void => {
    const now = performance.now();
    const due = Math.min(total, Math.floor((now - start) / intervalMs) + 1);
    while (sent < due) {
      sent += 1;
      const connection = idle.pop();
      if (connection) connection.send(now);
      else waiting.push(now);
    }
    if (sent < total) setTimeout(tick, TICK_MS);
  };
  tick();
  await done;
  const seconds = (performance.now() - start) / 1000;
  for (const connection of open) connection.close();
  return {
    requestsPerSec: ok / seconds,
    responses: ok + failures,
    p50Millis: latency.percentileMillis(50),
    p99Millis: latency.percentileMillis(99),
    failures,
  };
}
