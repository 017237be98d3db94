// The proxy as the user runs it: `threadline proxy --config FILE` in a child process. The test
// learns the ports from the startup line on stderr and stops it with a signal.
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import * as path from 'node:path';

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const CLI = path.join(REPO_ROOT, 'interceptor', 'src', 'cli', 'main.ts');
const START_TIMEOUT_MS = 20_000;

export interface ProxyProcess {
  child: ChildProcessWithoutNullStreams;
  port: number;
  /** e.g. http://127.0.0.1:40123, when the admin surface is on. */
  adminUrl?: string;
  /** Access-log lines (stdout) so far. */
  stdout: string[];
  /** Everything written to stderr so far. */
  stderr(): string;
  /** Sends a signal and resolves with the exit code (SIGKILL after `timeoutMs`). */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | null>;
  /** Resolves when stderr has a line matching `pattern`. */
  waitForStderr(pattern: RegExp, timeoutMs?: number): Promise<void>;
}

export async function startProxyProcess(configFile: string, env: NodeJS.ProcessEnv = {}): Promise<ProxyProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'proxy', '--config', configFile], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  let stdoutRest = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    const lines = (stdoutRest + chunk.toString('utf8')).split('\n');
    stdoutRest = lines.pop() ?? '';
    stdout.push(...lines.filter((line) => line !== ''));
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const waitForStderr = async (pattern: RegExp, timeoutMs = 10_000): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(stderr)) {
      if (child.exitCode !== null) throw new Error(`the proxy exited with ${child.exitCode}:\n${stderr}`);
      if (Date.now() > deadline) throw new Error(`no ${pattern} on stderr within ${timeoutMs} ms:\n${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  try {
    await waitForStderr(/listening on http:\/\/[^:]+:\d+/, START_TIMEOUT_MS);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  const port = Number(/listening on http:\/\/[^ ]+:(\d+)/.exec(stderr)![1]);
  const admin = /admin on (http:\/\/\S+)/.exec(stderr)?.[1];
  return {
    child,
    port,
    ...(admin === undefined ? {} : { adminUrl: admin }),
    stdout,
    stderr: () => stderr,
    waitForStderr,
    async stop(signal = 'SIGTERM', timeoutMs = 15_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      const force = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.kill(signal);
      const code = await exited;
      clearTimeout(force);
      return code;
    },
  };
}
