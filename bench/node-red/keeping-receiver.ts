// The OTLP/HTTP endpoint of the Node-RED benchmark: during a round it only keeps each export body
// (no decoding on the cores the benchmark measures); GET /stats says how many it kept. Between
// rounds the benchmark asks it, with GET /count, to decode what it kept with the collector's decoder and to report the spans
// and traces, then to forget them. Run by bench/node-red/run.ts in its own process.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJsonRequest, decodeProtobufRequest } from '@threadline/collector';
import { announceReady } from '../proxy/child-protocol';

/** What the receiver got since it last forgot: spans, and how many spans each trace has. */
export interface KeptCount {
  requests: number;
  spans: number;
  /** traces by their span count, e.g. { "12": 5000 } */
  tracesBySize: Record<string, number>;
  undecodable: number;
}

let bodies: { json: boolean; body: Buffer }[] = [];

const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/stats') {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ requests: bodies.length }));
    return;
  }
  if (req.method === 'GET' && req.url === '/count') {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(countKept()));
    return;
  }
  if (req.method !== 'POST' || req.url !== '/v1/traces') {
    res.writeHead(404).end();
    req.resume();
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.once('end', () => {
    bodies.push({ json: String(req.headers['content-type']).includes('json'), body: Buffer.concat(chunks) });
    res.writeHead(200, { 'content-type': 'application/x-protobuf', 'content-length': '0' });
    res.end();
  });
});

function countKept(): KeptCount {
  const perTrace = new Map<string, number>();
  let spans = 0;
  let undecodable = 0;
  for (const { json, body } of bodies) {
    try {
      for (const span of json ? decodeJsonRequest(body.toString('utf8')) : decodeProtobufRequest(body)) {
        spans++;
        perTrace.set(span.traceId, (perTrace.get(span.traceId) ?? 0) + 1);
      }
    } catch {
      undecodable++;
    }
  }
  const tracesBySize: Record<string, number> = {};
  for (const size of perTrace.values()) tracesBySize[size] = (tracesBySize[size] ?? 0) + 1;
  const result: KeptCount = { requests: bodies.length, spans, tracesBySize, undecodable };
  bodies = [];
  return result;
}

server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  announceReady((server.address() as AddressInfo).port, () => new Promise((done) => server.close(() => done())));
});
