// The built-in collector as the user runs it: `threadline collector` in its own process (tsx), and
// Threadline pipelines that export to it. Shared by the collector-*.test.ts suites.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as path from 'node:path';
import { createThreadline, defaultConfig, type Threadline, type ThreadlineConfig } from '@threadline/connectors';
import { stopChild } from '../support/child-process';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
const CLI = path.join(REPO_ROOT, 'interceptor', 'src', 'cli', 'main.ts');
const START_TIMEOUT_MS = 30_000;

export interface CliProcess {
  child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
}

/** Runs `threadline <args>` (the real command line, from source). */
export function runThreadline(args: string[], env: NodeJS.ProcessEnv = {}): CliProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

export interface CollectorProcess extends CliProcess {
  /** http://127.0.0.1:PORT */
  url: string;
  tracesUrl: string;
  token?: string;
  /** GET a JSON endpoint of the collector's API (with the token when there is one). */
  get<T>(pathname: string): Promise<T>;
  /** SIGTERM, then wait for the process to end; resolves with its exit code. */
  stop(): Promise<number | null>;
}

/** Starts `threadline collector --port 0 ...args` and resolves once it prints its URL. */
export async function startCollectorProcess(args: string[] = [], options: { token?: string } = {}): Promise<CollectorProcess> {
  const tokenArgs = options.token === undefined ? [] : ['--token', options.token];
  const cli = runThreadline(['collector', '--port', '0', ...tokenArgs, ...args]);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => fail(`no "listening on" line within ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS);
    const fail = (reason: string): void => {
      clearTimeout(timer);
      cli.child.kill('SIGKILL');
      reject(new Error(`collector did not start: ${reason}\n${cli.stderr()}`));
    };
    const onExit = (code: number | null): void => fail(`exited with code ${code}`);
    cli.child.once('exit', onExit);
    cli.child.stderr.on('data', () => {
      const match = /listening on (http:\/\/\S+)/.exec(cli.stderr());
      if (match === null) return;
      clearTimeout(timer);
      cli.child.off('exit', onExit);
      resolve(match[1]!);
    });
  });
  const headers: Record<string, string> = options.token === undefined ? {} : { authorization: `Bearer ${options.token}` };
  const collector: CollectorProcess = {
    ...cli,
    url,
    tracesUrl: `${url}/v1/traces`,
    async get<T>(pathname: string): Promise<T> {
      const response = await fetch(`${url}${pathname}`, { headers });
      const text = await response.text();
      if (!response.ok) throw new Error(`GET ${pathname}: ${response.status} ${text}`);
      return JSON.parse(text) as T;
    },
    async stop() {
      await stopChild(cli.child, 10_000);
      return cli.exited;
    },
  };
  if (options.token !== undefined) collector.token = options.token;
  return collector;
}

/** A Threadline pipeline for `service` exporting to the collector quickly (protobuf unless told). */
export function pipelineTo(tracesUrl: string, service: string, tune: (config: ThreadlineConfig) => void = () => {}): Threadline {
  const config = defaultConfig();
  config.service = { name: service, attributes: {} };
  config.exporter = { ...config.exporter, tracesEndpoint: tracesUrl, queue: { ...config.exporter.queue, scheduledDelayMillis: 50 }, retry: { ...config.exporter.retry, initialBackoffMillis: 100, maxBackoffMillis: 500 } };
  config.sampling = { ...config.sampling, sampler: 'parentbased_always_on' };
  tune(config);
  return createThreadline({ config });
}

/** Polls `probe` until it returns a value (not undefined) or the time is up. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
