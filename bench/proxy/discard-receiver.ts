// The OTLP/HTTP endpoint of the 100 % sampling case: it reads every export request to the end and
// answers 200 with an empty ExportTraceServiceResponse, decoding nothing. The benchmark measures
// what tracing costs the proxy (span, encoding, sending); a receiver that decodes in JavaScript on
// the same cores would measure itself too. Run by bench/proxy/run.ts in its own process.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { announceReady } from './child-protocol';

let requests = 0;
let bytes = 0;

const server = http.createServer((req, res) => {
  if (req.method !== 'POST' || req.url !== '/v1/traces') {
    res.writeHead(404).end();
    req.resume();
    return;
  }
  req.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
  });
  req.once('end', () => {
    requests += 1;
    // An empty protobuf message is zero bytes.
    res.writeHead(200, { 'content-type': 'application/x-protobuf', 'content-length': '0' });
    res.end();
  });
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  announceReady(
    (server.address() as AddressInfo).port,
    () => new Promise((done) => server.close(() => done())),
    () => ({ requests, bytes }),
  );
});
