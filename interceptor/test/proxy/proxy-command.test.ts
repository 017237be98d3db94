// `threadline proxy`: its command line, start-up failures, and the signals (SIGHUP reloads,
// SIGTERM drains and exits 0), run in-process with stand-in signals and buffered output.
import { EventEmitter } from 'node:events';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { runProxyCommand } from '../../src/cli/proxy-command';
import type { CliIo } from '../../src/cli/io';
import type { AdminServer } from '../../src/admin';
import type { Interceptor } from '../../src/interceptor';
import { TempFolder, eventually, rawRequest, startUpstream } from './support';
import type { Upstream } from './support';

interface Captured {
  io: CliIo;
  stdout: () => string;
  stderr: () => string;
}

function captureIo(env: NodeJS.ProcessEnv = {}): Captured {
  let stdout = '';
  let stderr = '';
  return {
    io: { stdout: { write: (text) => void (stdout += text) }, stderr: { write: (text) => void (stderr += text) }, env, cwd: folder.path },
    stdout: () => stdout,
    stderr: () => stderr,
  };
}

let folder: TempFolder;
let upstream: Upstream;

beforeAll(async () => {
  folder = new TempFolder();
  upstream = await startUpstream((_request, response) => response.end('ok'));
});

afterAll(async () => {
  await upstream.close();
  folder.remove();
});

describe('the command line', () => {
  test('--help prints the usage and exits 0', async () => {
    const out = captureIo();
    expect(await runProxyCommand(['--help'], out.io)).toBe(0);
    expect(out.stdout()).toContain('Usage: threadline proxy --config FILE [options]');
    expect(out.stdout()).toContain('SIGHUP reloads the configuration');
  });

  test.each([
    [[], 'missing required option --config FILE'],
    [['--config'], 'needs a value'],
    [['--config', 'x.yaml', '--port', '1'], "unknown option '--port'"],
    [['--config', 'x.yaml', 'extra'], "unexpected argument 'extra'"],
  ])('%j → exit 2: %s', async (argv, message) => {
    const out = captureIo();
    expect(await runProxyCommand(argv, out.io)).toBe(2);
    expect(out.stderr()).toMatch(new RegExp(`^threadline proxy: .*${message}`));
    expect(out.stderr()).toContain('Usage: threadline proxy');
  });

  test('an invalid configuration → exit 1 with every problem, file and line', async () => {
    folder.write('listen: { port: 0 }\nroutes: []\nadmin: { port: 0 }\n', 'no-token.yaml');
    const out = captureIo();
    expect(await runProxyCommand(['--config', 'no-token.yaml'], out.io)).toBe(1);
    expect(out.stderr()).toContain('Invalid interceptor configuration in');
    expect(out.stderr()).toContain("no-token.yaml:3:1 admin: missing required field 'token'");
  });

  test('a port already in use → exit 1, saying so', async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as AddressInfo).port;
    try {
      folder.write({ listen: { port }, routes: [], admin: { enabled: false }, exporter: { enabled: false } }, 'taken.json');
      const out = captureIo();
      expect(await runProxyCommand(['-c', 'taken.json'], out.io)).toBe(1);
      expect(out.stderr()).toMatch(/cannot start: .*EADDRINUSE/);
    } finally {
      taken.close();
    }
  });
});

describe('running', () => {
  test('serves, reloads on SIGHUP (refusing a bad file), and on SIGTERM drains and exits 0', async () => {
    const token = 'command-admin-token-0123';
    const config = (path: string): Record<string, unknown> => ({
      listen: { port: 0 },
      routes: [{ name: 'svc', path, upstream: upstream.url }],
      exporter: { enabled: false },
      admin: { port: 0, token: '${ADMIN_TOKEN}' },
    });
    const file = folder.write(config('/one'), 'running.json');
    const signals = new EventEmitter();
    const out = captureIo({ ADMIN_TOKEN: token });
    let interceptor: Interceptor | undefined;
    let admin: AdminServer | undefined;
    const exit = runProxyCommand(['--config', 'running.json'], out.io, {
      signals,
      onStarted: (started, adminServer) => {
        interceptor = started;
        admin = adminServer;
      },
    });
    await eventually(() => interceptor !== undefined, 10_000, 'the proxy started');
    const port = interceptor!.address.port;
    expect(out.stderr()).toMatch(new RegExp(`listening on http://127\\.0\\.0\\.1:${port} \\(1 route, forward proxy off\\), admin on http://127\\.0\\.0\\.1:\\d+`));
    expect((await rawRequest(port, { path: '/one' })).status).toBe(200);
    await eventually(() => out.stdout().includes('"path":"/one"'), 5000, 'the access-log line');

    // The admin surface belongs to the command: token required, config redacted.
    expect((await fetch(`${admin!.url}/config`)).status).toBe(401);
    const shown = await (await fetch(`${admin!.url}/config`, { headers: { authorization: `Bearer ${token}` } })).text();
    expect(shown).not.toContain(token);

    writeFileSync(file, '{ "listen": ');
    signals.emit('SIGHUP');
    await eventually(() => out.stderr().includes('reload refused'), 5000, 'the refusal');
    expect((await rawRequest(port, { path: '/one' })).status).toBe(200);

    writeFileSync(file, JSON.stringify(config('/two')));
    signals.emit('SIGHUP');
    await eventually(() => out.stderr().includes('configuration reloaded'), 5000, 'the reload');
    expect((await rawRequest(port, { path: '/two' })).status).toBe(200);
    expect((await rawRequest(port, { path: '/one' })).status).toBe(404);

    signals.emit('SIGTERM');
    expect(await exit).toBe(0);
    expect(out.stderr()).toContain('stopping; in-flight requests have 10000 ms to finish');
    expect(out.stderr()).toContain('stopped (spans exported 0, dropped 0, failed 0)');
    expect(signals.listenerCount('SIGHUP') + signals.listenerCount('SIGTERM') + signals.listenerCount('SIGINT')).toBe(0);
    await expect(fetch(`${admin!.url}/healthz`)).rejects.toThrow();
  });
});
