// TLS: export to an HTTPS collector whose certificate a test CA signed, with a client certificate
// (mutual TLS). Without the client certificate the export fails, and the failure says why.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createPipeline } from '../../connectors/src/pipeline';
import type { Pipeline } from '../../connectors/src/pipeline';
import type { TlsConfig } from '../../connectors/src/config/types';
import { pipelineConfig } from '../support/otlp-pipeline-config';
import { startReceiver } from '../support/otlp-receiver-client';
import type { Receiver } from '../support/otlp-receiver-client';

jest.setTimeout(30_000);

let dir: string;
let receiver: Receiver;
let pipeline: Pipeline | undefined;

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

/** A CA, a server certificate for 127.0.0.1 and a client certificate, all signed by the CA. */
function makeCertificates(): void {
  const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl('req', '-x509', ...ecKey, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=threadline test CA');
  writeFileSync(path.join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  openssl('req', ...ecKey, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
  openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '1', '-extfile', 'server.ext');
  writeFileSync(path.join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
  openssl('req', ...ecKey, '-keyout', 'client.key', '-out', 'client.csr', '-subj', '/CN=threadline pipeline');
  openssl('x509', '-req', '-in', 'client.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'client.crt', '-days', '1', '-extfile', 'client.ext');
}

const file = (name: string): string => path.join(dir, name);

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'threadline-tls-'));
  try {
    makeCertificates();
  } catch (error) {
    throw new Error(`this test needs the openssl command to make its certificates: ${(error as Error).message}`, { cause: error });
  }
  receiver = await startReceiver({ tls: { certFile: file('server.crt'), keyFile: file('server.key'), clientCaFile: file('ca.crt') } });
});

afterEach(async () => {
  await pipeline?.shutdown();
  pipeline = undefined;
  await receiver.clear();
});

afterAll(async () => {
  await receiver?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function tlsPipeline(tls: TlsConfig): Pipeline {
  return createPipeline(
    pipelineConfig({
      exporter: { tracesEndpoint: receiver.url, tls, timeoutMillis: 2000, retry: { maxAttempts: 2, initialBackoffMillis: 10, maxBackoffMillis: 20 } },
    }),
  );
}

test('mutual TLS with a custom CA and a client certificate delivers spans', async () => {
  expect(receiver.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/v1\/traces$/);
  pipeline = tlsPipeline({ caFile: file('ca.crt'), certFile: file('client.crt'), keyFile: file('client.key') });
  pipeline.tracer.startSpan('over mTLS').end();
  await pipeline.forceFlush();
  const spans = await receiver.waitForSpans(1);
  expect(spans.map((span) => span.name)).toEqual(['over mTLS']);
  expect(pipeline.stats()).toMatchObject({ exported: 1, failed: 0, exportErrors: 0 });
});

test('without the client certificate the collector refuses the connection and the failure is reported', async () => {
  pipeline = tlsPipeline({ caFile: file('ca.crt') });
  pipeline.tracer.startSpan('no client cert').end();
  await pipeline.forceFlush();
  const stats = pipeline.stats();
  expect(stats).toMatchObject({ exported: 0, failed: 1, exportErrors: 2, queued: 0 });
  expect(stats.lastExportError).toMatch(/certificate required/i);
  expect(await receiver.spans()).toEqual([]);
});

test('without the custom CA the collector certificate is not trusted', async () => {
  pipeline = tlsPipeline({ certFile: file('client.crt'), keyFile: file('client.key') });
  pipeline.tracer.startSpan('untrusted server').end();
  await pipeline.forceFlush();
  const stats = pipeline.stats();
  expect(stats).toMatchObject({ exported: 0, failed: 1 });
  expect(stats.lastExportError).toMatch(/certificate/i);
});

test('an unreadable TLS file is a configuration error naming the field and the file', () => {
  const missing = file('missing-ca.crt');
  expect(() => tlsPipeline({ caFile: missing })).toThrow(`exporter.tls.caFile: cannot read "${missing}"`);
  expect(() => tlsPipeline({ caFile: file('ca.crt'), certFile: file('client.crt') })).toThrow('exporter.tls: certFile and keyFile go together');
});
