// Runs the `threadline` command in-process (fast, for most cases) or as a real child process
// (for what only a process shows: the shebang entry point, exit codes, streams).
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { runCli } from '../../src/cli/main';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const FIXTURES = path.join(__dirname, 'fixtures');
const MAIN = path.join(REPO_ROOT, 'interceptor', 'src', 'cli', 'main.ts');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Pretend stdout and stderr are terminals (colours). */
  tty?: boolean;
}

export async function runInProcess(argv: string[], options: RunOptions = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const isTTY = options.tty ?? false;
  const code = await runCli(argv, {
    stdout: { write: (text) => void (stdout += text), isTTY },
    stderr: { write: (text) => void (stderr += text), isTTY },
    env: options.env ?? { PATH: process.env.PATH },
    cwd: options.cwd ?? REPO_ROOT,
  });
  return { code, stdout, stderr };
}

/** The real command: `node --import tsx interceptor/src/cli/main.ts ...argv`, killed after 30 s. */
export function runProcess(argv: string[], options: RunOptions = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...argv], {
      cwd: options.cwd ?? REPO_ROOT,
      env: options.env ?? { PATH: process.env.PATH },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
