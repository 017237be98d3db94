// The benchmark's upstream: a keep-alive HTTP server answering every request with a small JSON
// body, as a low-code endpoint would. Run by bench/proxy/run.ts in its own process.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { announceReady } from './child-protocol';

const BODY = JSON.stringify({ order: 'A-1042', status: 'accepted', items: 3, total: '129.90' });
const HEADERS = { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(BODY)) };

const server = http.createServer((req, res) => {
  req.resume();
  req.once('end', () => {
    res.writeHead(200, HEADERS);
    res.end(BODY);
  });
});
// Longer than any proxy's pool idle time, so the pool never races a closing connection.
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  announceReady((server.address() as AddressInfo).port, () => new Promise((done) => server.close(() => done())));
});
