// The well-known Node proxy the interceptor is compared with: http-proxy-3 on node:http, with a
// keep-alive agent (as the interceptor pools upstream connections) and X-Forwarded-* headers on
// (as the interceptor sets them). Run by bench/proxy/run.ts in its own process.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { createProxyServer } from 'http-proxy-3';
import { announceReady } from './child-protocol';

const { values } = parseArgs({ options: { upstream: { type: 'string' } } });
if (!values.upstream) throw new Error('--upstream URL is required');

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
const proxy = createProxyServer({ target: values.upstream, agent, xfwd: true });
const server = http.createServer((req, res) => {
  proxy.web(req, res, {}, (error: Error) => {
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
    res.end(`bad gateway: ${error.message}`);
  });
});
server.listen(0, '127.0.0.1', () => {
  announceReady((server.address() as AddressInfo).port, () => new Promise((done) => server.close(() => done())));
});
