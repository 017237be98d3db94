// An https:// upstream whose certificate a private CA signed (routes[].tls.caFile): trusted with
// the CA, refused (502 and an error span) without it.
import { SpanStatusCode } from '@opentelemetry/api';
import { execFileSync } from 'node:child_process';
import { writeFileSync, readFileSync } from 'node:fs';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { TempFolder, eventually, proxyConfig, rawRequest, startProxy } from './support';

let folder: TempFolder;
let server: https.Server;
let url: string;

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: folder.path, stdio: 'pipe' });
}

beforeAll(async () => {
  folder = new TempFolder();
  const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  try {
    openssl('req', '-x509', ...ecKey, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=threadline proxy test CA');
    writeFileSync(join(folder.path, 'server.ext'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
    openssl('req', ...ecKey, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
    openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '1', '-extfile', 'server.ext');
  } catch (error) {
    throw new Error(`this test needs the openssl command to make its certificates: ${(error as Error).message}`, { cause: error });
  }
  server = https.createServer({ key: readFileSync(join(folder.path, 'server.key')), cert: readFileSync(join(folder.path, 'server.crt')) }, (request, response) => {
    response.end(`secure ${request.url} ${request.headers.traceparent === undefined ? 'untraced' : 'traced'}`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  folder.remove();
});

test('trusted with the route’s CA file (relative to the config), context injected', async () => {
  const proxy = await startProxy(folder, proxyConfig([{ name: 'secure', path: '/', upstream: url, tls: { caFile: 'ca.crt' } }]));
  try {
    const response = await rawRequest(proxy.port, { path: '/pay' });
    expect(response).toMatchObject({ status: 200, body: 'secure /pay traced' });
  } finally {
    await proxy.close();
  }
});

test('without the CA the certificate is refused: 502 and an error span', async () => {
  const proxy = await startProxy(folder, proxyConfig([{ name: 'secure', path: '/', upstream: url }]));
  try {
    const response = await rawRequest(proxy.port, { path: '/pay' });
    expect(response.status).toBe(502);
    expect(JSON.parse(response.body).error).toMatch(/^upstream request failed \((SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|DEPTH_ZERO_SELF_SIGNED_CERT)\)$/);
    await eventually(async () => (await proxy.spans()).length === 1);
    const [span] = await proxy.spans();
    expect(span!.status.code).toBe(SpanStatusCode.ERROR);
    expect(span!.attributes['http.response.status_code']).toBe(502);
  } finally {
    await proxy.close();
  }
});

test('an unreadable CA file is a configuration error naming the field', async () => {
  await expect(startProxy(folder, proxyConfig([{ name: 'secure', path: '/', upstream: url, tls: { caFile: 'missing.crt' } }]))).rejects.toThrow(/routes\[0\]\.tls\.caFile: file not found: .*missing\.crt/);
});
