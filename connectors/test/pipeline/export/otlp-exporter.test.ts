import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import type { ExportResult } from '@opentelemetry/core';
import { ExportResultCode } from '@opentelemetry/core';
import type { ExporterConfig } from '../../../src/config/types';
import { createHttpTransport } from '../../../src/pipeline/export/http-transport';
import { createOtlpExporter } from '../../../src/pipeline/export/otlp-exporter';
import { pipelineConfig } from '../../../../test/support/otlp-pipeline-config';
import { finishedSpan } from '../test-spans';

interface Seen {
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

let server: http.Server;
let baseUrl: string;
let answer: (res: http.ServerResponse) => void = (res) => res.writeHead(200).end();
const seen: Seen[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      seen.push({ headers: req.headers, body: Buffer.concat(chunks) });
      answer(res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(() => {
  seen.length = 0;
  answer = (res) => res.writeHead(200).end();
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function exporterConfig(overrides: Partial<ExporterConfig> = {}): ExporterConfig {
  return { ...pipelineConfig().exporter, tracesEndpoint: `${baseUrl}/v1/traces`, ...overrides };
}

function exportOne(config: ExporterConfig): Promise<ExportResult> {
  const exporter = createOtlpExporter(config);
  return new Promise<ExportResult>((resolve) => exporter.export([finishedSpan({ name: 'exported' })], resolve)).finally(() => exporter.shutdown());
}

describe('createOtlpExporter', () => {
  test('http/protobuf: protobuf body, configured headers', async () => {
    const result = await exportOne(exporterConfig({ protocol: 'http/protobuf', headers: { authorization: 'Bearer t' } }));
    expect(result.code).toBe(ExportResultCode.SUCCESS);
    expect(seen[0].headers['content-type']).toBe('application/x-protobuf');
    expect(seen[0].headers.authorization).toBe('Bearer t');
    expect(seen[0].body.includes(Buffer.from('exported'))).toBe(true);
  });

  test('http/json with gzip: a gzip-encoded OTLP/JSON body', async () => {
    await exportOne(exporterConfig({ protocol: 'http/json', compression: 'gzip' }));
    expect(seen[0].headers['content-type']).toBe('application/json');
    expect(seen[0].headers['content-encoding']).toBe('gzip');
    const body = JSON.parse(gunzipSync(seen[0].body).toString('utf8'));
    expect(body.resourceSpans[0].scopeSpans[0].spans[0].name).toBe('exported');
  });

  test('a configured header cannot replace the content type', async () => {
    await exportOne(exporterConfig({ protocol: 'http/json', headers: { 'Content-Type': 'text/plain' } }));
    expect(seen[0].headers['content-type']).toBe('application/json');
  });

  test('a non-2xx answer fails the export with the status', async () => {
    answer = (res) => res.writeHead(403, 'Forbidden').end('no');
    const result = await exportOne(exporterConfig());
    expect(result.code).toBe(ExportResultCode.FAILED);
    expect(result.error).toMatchObject({ name: 'OTLPExporterError', code: 403 });
  });

  test.each([
    ['ftp://collector/v1/traces', 'exporter.tracesEndpoint: "ftp://collector/v1/traces" must use http: or https:'],
    ['collector:4318', 'exporter.tracesEndpoint: "collector:4318" must use http: or https:'],
    ['not a url', 'exporter.tracesEndpoint: "not a url" is not an absolute URL'],
  ])('endpoint %p is refused', (endpoint, message) => {
    expect(() => createOtlpExporter(exporterConfig({ tracesEndpoint: endpoint }))).toThrow(message);
  });
});

describe('the HTTP transport', () => {
  const transport = (compression: 'none' | 'gzip' = 'none') =>
    createHttpTransport({ url: new URL(`${baseUrl}/v1/traces`), contentType: 'application/x-protobuf', headers: {}, compression, agent: new http.Agent() });

  test('2xx is success, with the body', async () => {
    answer = (res) => res.writeHead(200).end('ok');
    await expect(transport().send(new Uint8Array([1, 2]), 1000)).resolves.toEqual({ status: 'success', data: Buffer.from('ok') });
    expect(seen[0].headers['content-length']).toBe('2');
  });

  test('503 with Retry-After is retryable and carries the hint', async () => {
    answer = (res) => res.writeHead(503, { 'retry-after': '2' }).end();
    const response = await transport().send(new Uint8Array([1]), 1000);
    expect(response).toMatchObject({ status: 'retryable', retryInMillis: 2000, error: { code: 503, retryAfterMillis: 2000 } });
  });

  test('a collector that does not answer in time is a retryable timeout', async () => {
    answer = () => {};
    const response = await transport().send(new Uint8Array([1]), 50);
    expect(response).toMatchObject({ status: 'retryable', error: { message: 'OTLP export timed out after 50 ms' } });
  });

  test('no collector listening is retryable', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const dead = createHttpTransport({ url: new URL(`http://127.0.0.1:${port}/v1/traces`), contentType: 'application/json', headers: {}, compression: 'none', agent: new http.Agent() });
    await expect(dead.send(new Uint8Array([1]), 1000)).resolves.toMatchObject({ status: 'retryable', error: { code: 'ECONNREFUSED' } });
  });
});
