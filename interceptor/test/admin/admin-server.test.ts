import * as net from 'node:net';
import { createAdminServer } from '../../src/admin';
import type { AdminServer } from '../../src/admin';
import { ProxyMetrics } from '../../src/metrics';
import { parsePrometheusText, sampleValue } from '../metrics/prometheus-text';
import { adminCall, bearer } from './admin-client';
import type { AdminResponse } from './admin-client';
import { FakeControl } from './fake-control';

const TOKEN = 'test-admin-token-0123456789';
const RUNNING_CONFIG = { listen: { host: '127.0.0.1', port: 8080 }, routes: [{ name: 'orders', upstream: 'http://127.0.0.1:9000' }], exporter: { headers: { authorization: 'REDACTED' } } };

describe('admin server', () => {
  let control: FakeControl;
  let metrics: ProxyMetrics;
  let admin: AdminServer;
  const responses: AdminResponse[] = [];
  const logged: string[] = [];
  const call = async (method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<AdminResponse> => {
    const response = await adminCall(admin.url, method, path, headers, body);
    responses.push(response);
    return response;
  };

  beforeAll(() => {
    for (const stream of ['log', 'error', 'warn', 'info', 'debug'] as const) {
      jest.spyOn(console, stream).mockImplementation((...args: unknown[]) => void logged.push(args.map(String).join(' ')));
    }
  });

  beforeEach(async () => {
    control = new FakeControl(structuredClone(RUNNING_CONFIG));
    metrics = new ProxyMetrics({ processMetrics: false });
    admin = await createAdminServer({ control, metrics, port: 0, token: TOKEN });
  });

  afterEach(() => admin.close());

  afterAll(() => {
    // The token never leaves: not in a log line, not in any response of any test.
    for (const response of responses) {
      expect(response.text).not.toContain(TOKEN);
      expect(JSON.stringify(response.headers)).not.toContain(TOKEN);
    }
    for (const line of logged) expect(line).not.toContain(TOKEN);
    expect(responses.length).toBeGreaterThan(20);
    jest.restoreAllMocks();
  });

  describe('health, without a token', () => {
    it('GET /healthz is 200', async () => {
      const response = await call('GET', '/healthz');
      expect(response.status).toBe(200);
      expect(JSON.parse(response.text)).toEqual({ status: 'ok' });
    });

    it('HEAD /healthz is 200 without a body', async () => {
      const response = await call('HEAD', '/healthz');
      expect(response.status).toBe(200);
      expect(response.text).toBe('');
    });

    it('GET /readyz is 200 while ready and 503 while not ready or draining', async () => {
      expect((await call('GET', '/readyz')).status).toBe(200);
      control.ready = false;
      const draining = await call('GET', '/readyz');
      expect(draining.status).toBe(503);
      expect(JSON.parse(draining.text)).toEqual({ status: 'not ready' });
      control.ready = true;
      expect((await call('GET', '/readyz?verbose=1')).status).toBe(200);
    });

    it('health stays open even with a wrong token', async () => {
      expect((await call('GET', '/healthz', bearer('wrong-token-wrong-token'))).status).toBe(200);
    });
  });

  describe('the token', () => {
    it.each(['/metrics', '/config', '/nowhere', '/'])('GET %s without a token is 401 with a Bearer challenge', async (path) => {
      const response = await call('GET', path);
      expect(response.status).toBe(401);
      expect(response.headers['www-authenticate']).toBe('Bearer realm="threadline-admin"');
      expect(JSON.parse(response.text).error).toMatch(/Authorization: Bearer/);
    });

    it.each([
      ['a wrong token', bearer('not-the-admin-token-at-all')],
      ['the token with one character changed', bearer(`${TOKEN.slice(0, -1)}X`)],
      ['a prefix of the token', bearer(TOKEN.slice(0, 16))],
      ['the token plus more', bearer(`${TOKEN}0`)],
      ['the token as Basic credentials', { authorization: `Basic ${Buffer.from(`admin:${TOKEN}`).toString('base64')}` }],
      ['the token without a scheme', { authorization: TOKEN }],
    ])('GET /metrics with %s is 401 invalid_token', async (_case, headers) => {
      const response = await call('GET', '/metrics', headers);
      expect(response.status).toBe(401);
      expect(response.headers['www-authenticate']).toBe('Bearer realm="threadline-admin", error="invalid_token"');
    });

    it('accepts the scheme in any case', async () => {
      expect((await call('GET', '/metrics', { authorization: `bEaReR ${TOKEN}` })).status).toBe(200);
    });

    it('POST /reload without the token never reaches the interceptor', async () => {
      expect((await call('POST', '/reload')).status).toBe(401);
      expect(control.reloadCalls).toBe(0);
    });

    it('with the token, an unknown path is 404 and a wrong method 405 with Allow', async () => {
      expect((await call('GET', '/nowhere', bearer(TOKEN))).status).toBe(404);
      const wrongMethod = await call('GET', '/reload', bearer(TOKEN));
      expect(wrongMethod.status).toBe(405);
      expect(wrongMethod.headers.allow).toBe('POST');
      expect(control.reloadCalls).toBe(0);
      const postMetrics = await call('POST', '/metrics', bearer(TOKEN));
      expect(postMetrics.status).toBe(405);
      expect(postMetrics.headers.allow).toBe('GET, HEAD');
    });
  });

  describe('GET /metrics', () => {
    it('serves the registry with the pipeline counters read at scrape time', async () => {
      metrics.requestFinished({ route: 'orders', direction: 'ingress', method: 'GET', status: 200, durationSeconds: 0.002 });
      control.stats = { queued: 3, exported: 40, dropped: 5, failed: 1, exportErrors: 2, redactionFailures: 0 };
      const response = await call('GET', '/metrics', bearer(TOKEN));
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
      expect(response.headers['cache-control']).toBe('no-store');
      const families = parsePrometheusText(response.text);
      expect(sampleValue(families, 'threadline_proxy_requests_total', { route: 'orders', status_code: '200' })).toBe(1);
      expect(sampleValue(families, 'threadline_spans_exported_total')).toBe(40);
      expect(sampleValue(families, 'threadline_spans_dropped_total')).toBe(5);
      expect(sampleValue(families, 'threadline_spans_queued')).toBe(3);
      control.stats = { ...control.stats, exported: 41, queued: 0 };
      const later = parsePrometheusText((await call('GET', '/metrics', bearer(TOKEN))).text);
      expect(sampleValue(later, 'threadline_spans_exported_total')).toBe(41);
      expect(sampleValue(later, 'threadline_spans_queued')).toBe(0);
    });
  });

  describe('GET /config', () => {
    it('serves the redacted running config as JSON', async () => {
      const response = await call('GET', '/config', bearer(TOKEN));
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(JSON.parse(response.text)).toEqual(RUNNING_CONFIG);
    });

    it('never shows the admin token, even if the interceptor failed to redact it', async () => {
      control.config = { admin: { port: 9464, token: TOKEN }, note: `token=${TOKEN};` };
      const response = await call('GET', '/config', bearer(TOKEN));
      expect(response.status).toBe(200);
      expect(JSON.parse(response.text)).toEqual({ admin: { port: 9464, token: 'REDACTED' }, note: 'token=REDACTED;' });
    });

    it('answers 500 naming the failure when the config cannot be read', async () => {
      control.redactedConfig = () => {
        throw new Error('config is being replaced');
      };
      const response = await call('GET', '/config', bearer(TOKEN));
      expect(response.status).toBe(500);
      expect(JSON.parse(response.text).error).toBe('admin request failed: config is being replaced');
      expect((await call('GET', '/healthz')).status).toBe(200);
    });
  });

  describe('POST /reload', () => {
    it('applies a valid file: 200, and the new config is served', async () => {
      control.nextFile = { config: { ...RUNNING_CONFIG, routes: [] } };
      const response = await call('POST', '/reload', bearer(TOKEN));
      expect(response.status).toBe(200);
      expect(JSON.parse(response.text)).toEqual({ ok: true, errors: [] });
      expect(JSON.parse((await call('GET', '/config', bearer(TOKEN))).text).routes).toEqual([]);
    });

    it('refuses a bad file with 422 and its field paths; the running config is still served', async () => {
      const errors = ['proxy.yaml: /routes/0/upstream must match format "uri" (line 7, column 15)'];
      control.nextFile = { config: { broken: true }, errors };
      const response = await call('POST', '/reload', bearer(TOKEN), '{"ignored":"body"}');
      expect(response.status).toBe(422);
      expect(JSON.parse(response.text)).toEqual({ ok: false, errors });
      const served = await call('GET', '/config', bearer(TOKEN));
      expect(JSON.parse(served.text)).toEqual(RUNNING_CONFIG);
    });

    it('answers 409 to a reload asked for while one is running', async () => {
      let release!: () => void;
      control.gate = new Promise<void>((resolve) => (release = resolve));
      const first = call('POST', '/reload', bearer(TOKEN));
      while (control.reloadCalls === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      const second = await call('POST', '/reload', bearer(TOKEN));
      expect(second.status).toBe(409);
      expect(JSON.parse(second.text).errors[0]).toMatch(/already in progress/);
      release();
      expect((await first).status).toBe(200);
      control.gate = undefined;
      expect((await call('POST', '/reload', bearer(TOKEN))).status).toBe(200);
      expect(control.reloadCalls).toBe(2);
    });

    it('answers 500 naming the error when the reload itself throws, and accepts the next one', async () => {
      control.failWith = new Error('rules file vanished');
      const response = await call('POST', '/reload', bearer(TOKEN));
      expect(response.status).toBe(500);
      expect(JSON.parse(response.text)).toEqual({ ok: false, errors: ['reload failed: rules file vanished'] });
      control.failWith = undefined;
      expect((await call('POST', '/reload', bearer(TOKEN))).status).toBe(200);
    });
  });

  it('close() ends idle keep-alive connections and can be called twice', async () => {
    const socket = net.connect(admin.port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise((resolve) => socket.once('data', resolve));
    const closed = new Promise((resolve) => socket.once('close', resolve));
    await Promise.all([admin.close(), admin.close()]);
    await closed;
  });
});

describe('createAdminServer refuses to start', () => {
  const control = new FakeControl({});
  const metrics = new ProxyMetrics({ processMetrics: false });

  it.each([
    ['an empty token', '', /admin\.token is empty/],
    ['a short token', 'short-token', /admin\.token is too short: 11 characters, at least 16/],
    ['a token with spaces', 'a token with spaces in it', /admin\.token must be visible ASCII/],
    ['a token with a line break', 'token-with-a-newline\nx', /admin\.token must be visible ASCII/],
  ])('with %s, and never echoes it', async (_case, token, message) => {
    const attempt = createAdminServer({ control, metrics, port: 0, token });
    await expect(attempt).rejects.toThrow(message);
    const error = await attempt.catch((e: unknown) => e as Error);
    if (token.length > 0) expect((error as Error).message).not.toContain(token);
  });

  it('on a port already in use, naming the address', async () => {
    const first = await createAdminServer({ control, metrics, port: 0, token: TOKEN });
    try {
      await expect(createAdminServer({ control, metrics, port: first.port, token: TOKEN })).rejects.toThrow(`admin server could not listen on 127.0.0.1:${first.port}`);
    } finally {
      await first.close();
    }
  });
});
