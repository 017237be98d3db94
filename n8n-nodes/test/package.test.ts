import * as fs from 'node:fs';
import * as path from 'node:path';
import type { IHttpRequestOptions } from 'n8n-workflow';
import { ThreadlineCollectorApi } from '../credentials/ThreadlineCollectorApi.credentials';
import { OPERATIONS } from '../nodes/Threadline/description';
import { PACKAGE_NAME, PACKAGE_VERSION } from '../nodes/Threadline/package-info';
import { Threadline } from '../nodes/Threadline/Threadline.node';
import { TEST_CREDENTIALS } from './support/fake-execute-functions';

const packageDir = path.join(__dirname, '..');
const packageJson = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as Record<string, unknown> & {
  n8n: { n8nNodesApiVersion: number; strict: boolean; nodes: string[]; credentials: string[] };
};

describe('the community node package', () => {
  it('follows the n8n community node rules in package.json', () => {
    expect(packageJson.name).toBe(PACKAGE_NAME);
    expect(packageJson.version).toBe(PACKAGE_VERSION);
    expect(packageJson.license).toBe('MIT');
    expect(packageJson.keywords).toContain('n8n-community-node-package');
    expect(packageJson.files).toEqual(['dist']);
    expect(packageJson.dependencies).toBeUndefined();
    expect(packageJson.peerDependencies).toEqual({ 'n8n-workflow': '*' });
    const scripts = packageJson.scripts as Record<string, string>;
    for (const hook of ['preinstall', 'install', 'postinstall', 'prepare', 'prepublish']) expect(scripts[hook]).toBeUndefined();
    expect(packageJson.n8n).toEqual({
      n8nNodesApiVersion: 1,
      strict: true,
      credentials: ['dist/credentials/ThreadlineCollectorApi.credentials.js'],
      nodes: ['dist/nodes/Threadline/Threadline.node.js'],
    });
  });

  it('describes one node with every operation, the credential and both icons', () => {
    const { description } = new Threadline();
    expect(description).toMatchObject({ name: 'threadline', version: 1, credentials: [{ name: 'threadlineCollectorApi', required: true }] });
    expect(description.icon).toEqual({ light: 'file:threadline.svg', dark: 'file:threadline.dark.svg' });
    const operation = description.properties.find((property) => property.name === 'operation')!;
    expect((operation.options as Array<{ value: string }>).map((option) => option.value).sort()).toEqual([...OPERATIONS].sort());
    for (const icon of ['threadline.svg', 'threadline.dark.svg']) {
      expect(fs.readFileSync(path.join(packageDir, 'nodes', 'Threadline', icon), 'utf8')).toContain('<svg');
      expect(fs.existsSync(path.join(packageDir, 'credentials', icon))).toBe(true);
    }
    const codex = JSON.parse(fs.readFileSync(path.join(packageDir, 'nodes', 'Threadline', 'Threadline.node.json'), 'utf8')) as { node: string };
    expect(codex.node).toBe('n8n-nodes-threadline.threadline');
  });
});

describe('the Threadline Collector credential', () => {
  const credential = new ThreadlineCollectorApi();

  it('tests the collector with an empty OTLP export to the endpoint', () => {
    expect(credential.name).toBe('threadlineCollectorApi');
    expect(credential.test.request).toMatchObject({ method: 'POST', url: '={{$credentials.endpoint}}', body: { resourceSpans: [] } });
    expect(credential.properties.map((property) => property.name)).toEqual(expect.arrayContaining(['endpoint', 'protocol', 'token', 'headers', 'serviceName']));
  });

  it('adds the bearer token and the extra headers, and nothing when they are empty', async () => {
    const request: IHttpRequestOptions = { url: 'http://c/v1/traces', headers: { 'content-type': 'application/json' } };
    expect((await credential.authenticate(TEST_CREDENTIALS, request)).headers).toEqual({ 'content-type': 'application/json' });
    const authenticated = await credential.authenticate({ ...TEST_CREDENTIALS, token: 'abc', headers: 'X-Org = acme ,x-key=a%2Cb' }, request);
    expect(authenticated.headers).toEqual({ 'content-type': 'application/json', authorization: 'Bearer abc', 'x-org': 'acme', 'x-key': 'a,b' });
  });

  it('rejects a malformed header list, naming the member but not the value', async () => {
    await expect(credential.authenticate({ ...TEST_CREDENTIALS, headers: 'x-key=secret,broken' }, { url: 'http://c' })).rejects.toThrow(
      "Threadline Collector credential, Headers: member 2 has no '=' (expected key=value)",
    );
    await expect(credential.authenticate({ ...TEST_CREDENTIALS, headers: 'bad header=secret' }, { url: 'http://c' })).rejects.toThrow(/member 1 has a name that is not a valid HTTP header name/);
  });
});
