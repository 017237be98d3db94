// The collector's HTTP surface in-process: routes, static files, token, and options refused with
// the setting named. (The OTLP path end to end runs against the real process in test/integration.)
import * as http from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { isLoopbackHost, startCollector, type Collector } from '../src/collector';
import { parseDuration } from '../src/duration';

let folder: string;
let collector: Collector;
const TOKEN = 'unit-test-token-0123456789';

beforeAll(async () => {
  folder = mkdtempSync(path.join(tmpdir(), 'threadline-collector-server-'));
  const staticRoot = path.join(folder, 'static');
  mkdirSync(path.join(staticRoot, 'views'), { recursive: true });
  writeFileSync(path.join(staticRoot, 'index.html'), '<!doctype html><title>viewer</title>');
  writeFileSync(path.join(staticRoot, 'views', 'app.mjs'), 'export {};');
  writeFileSync(path.join(folder, 'secret.txt'), 'outside the static folder');
  collector = await startCollector({ port: 0, staticRoot, token: TOKEN, onError: () => undefined });
});
afterAll(async () => {
  await collector.close();
  rmSync(folder, { recursive: true, force: true });
});

const auth = { authorization: `Bearer ${TOKEN}` };

/** A GET with the path exactly as written (fetch would normalise "..") → status. */
function rawGet(pathname: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port: collector.port, path: pathname, agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on('error', reject);
  });
}

test('the viewer is served at / and /viewer/* without the token, nothing outside its folder', async () => {
  const index = await fetch(`${collector.url}/`);
  expect(index.status).toBe(200);
  expect(index.headers.get('content-type')).toMatch(/^text\/html/);
  const script = await fetch(`${collector.url}/viewer/views/app.mjs`);
  expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
  expect((await fetch(`${collector.url}/viewer/..%2Fsecret.txt`)).status).toBe(404);
  // ".." segments resolve to /secret.txt, which is not a viewer path: never a file from outside.
  expect(await rawGet('/viewer/../secret.txt')).toBe(401);
  expect(await rawGet('/viewer/%2e%2e/secret.txt')).toBe(401);
  expect((await fetch(`${collector.url}/viewer/missing.js`)).status).toBe(404);
});

test('the API needs the token; errors are JSON naming what is wrong', async () => {
  const denied = await fetch(`${collector.url}/api/traces`);
  expect(denied.status).toBe(401);
  expect(denied.headers.get('www-authenticate')).toMatch(/^Bearer/);
  expect((await fetch(`${collector.url}/api/traces`, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(401);
  expect(await (await fetch(`${collector.url}/api/traces`, { headers: auth })).json()).toEqual({ traces: [], matched: 0, limit: 100 });
  const unknownTrace = await fetch(`${collector.url}/api/traces/${'ab'.repeat(16)}`, { headers: auth });
  expect(unknownTrace.status).toBe(404);
  expect(await unknownTrace.json()).toEqual({ error: `no trace ${'ab'.repeat(16)} in the store` });
  expect(await (await fetch(`${collector.url}/api/traces/xyz`, { headers: auth })).json()).toEqual({ error: '"xyz" is not a trace id (32 hex digits)' });
  expect((await fetch(`${collector.url}/api/nothing`, { headers: auth })).status).toBe(404);
  expect((await fetch(`${collector.url}/api/traces`, { method: 'DELETE', headers: auth })).status).toBe(405);
  expect((await fetch(`${collector.url}/v1/traces`, { headers: auth })).status).toBe(405);
  expect(await (await fetch(`${collector.url}/api/traces?status=broken`, { headers: auth })).json()).toEqual({ error: 'status: "broken" is not ok or error' });
  expect(await (await fetch(`${collector.url}/api/audit?windowMs=-1`, { headers: auth })).json()).toEqual({ error: 'windowMs: "-1" is not a positive whole number' });
});

test('stats, services, audit and metrics answer on an empty store', async () => {
  expect(await (await fetch(`${collector.url}/api/stats`, { headers: auth })).json()).toMatchObject({ spans: 0, traces: 0, maxSpans: 100_000 });
  expect(await (await fetch(`${collector.url}/api/services`, { headers: auth })).json()).toEqual({ services: [] });
  expect(await (await fetch(`${collector.url}/api/audit`, { headers: auth })).json()).toMatchObject({ traceCount: 0, completeShare: 1 });
  const metrics = await fetch(`${collector.url}/metrics`, { headers: auth });
  expect(metrics.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  expect(await metrics.text()).toMatch(/^threadline_collector_store_spans 0$/m);
  expect(await (await fetch(`${collector.url}/healthz`)).json()).toMatchObject({ ok: true });
});

test('options are checked before anything listens', async () => {
  await expect(startCollector({ host: '192.0.2.1' })).rejects.toThrow(/host: listening on 192\.0\.2\.1 \(not loopback\) needs a token/);
  await expect(startCollector({ port: 70000 })).rejects.toThrow(/port: 70000 is not a port number/);
  await expect(startCollector({ port: 0, token: 'short' })).rejects.toThrow(/token is too short/);
  await expect(startCollector({ port: 0, forwardUrl: 'ftp://x' })).rejects.toThrow(/forward: exporter\.tracesEndpoint: "ftp:\/\/x" must use http: or https:/);
});

test('loopback hosts and durations', () => {
  expect(['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]'].map(isLoopbackHost)).toEqual([true, true, true, true, true]);
  expect(['0.0.0.0', '::', '10.0.0.1', 'example.com'].map(isLoopbackHost)).toEqual([false, false, false, false]);
  expect([parseDuration('250ms', 'x'), parseDuration('30s', 'x'), parseDuration('15m', 'x'), parseDuration('2h', 'x'), parseDuration('1500', 'x')]).toEqual([250, 30_000, 900_000, 7_200_000, 1500]);
  expect(() => parseDuration('soon', '--max-age')).toThrow('--max-age: "soon" is not a duration');
  expect(() => parseDuration('0s', '--max-age')).toThrow('must be more than zero');
});

test('spans a single trace cannot fit are reported as partial success, not lost silently', async () => {
  const small = await startCollector({ port: 0, maxSpans: 2, onError: () => undefined });
  try {
    const traceId = 'cd'.repeat(16);
    const spans = ['01', '02', '03'].map((n) => ({ traceId, spanId: n.padStart(16, '0'), name: `s${n}` }));
    const response = await fetch(small.tracesUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans }] }] }) });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ partialSuccess: { rejectedSpans: '1', errorMessage: "spans dropped: 1 refused: their trace alone fills the store's bound of spans" } });
    expect(small.stats()).toMatchObject({ spans: 2, rejected: 1 });
  } finally {
    await small.close();
  }
});
