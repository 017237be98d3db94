// Installs of real platforms (Node-RED 5, n8n 1.x and 2.x) and of other Node.js majors, made on
// demand into a cache OUTSIDE the repository and reused by later runs. An install takes minutes and
// thousands of packages, so:
//   - each install lives in <cache>/<name>-<hash of its package.json>: a changed recipe is a new
//     folder, an unchanged one is reused;
//   - a lock folder (mkdir is atomic) keeps two test processes from installing the same thing at
//     once, and a second one keeps installs of different things from running side by side on a
//     2-core machine; a lock whose owner process is gone is taken over;
//   - a completion marker is written last, so a half-finished install (killed, out of disk) is
//     wiped and redone rather than used;
//   - progress goes to stderr (jest buffers console output until a test file ends).
// Cache root: THREADLINE_PLATFORM_CACHE, or ~/.cache/threadline-platforms.
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export type PackageJson = Record<string, unknown>;

export interface InstallOptions {
  /** A `node` executable to put first on PATH for npm (and so for native rebuilds via node-gyp). */
  nodeBinary?: string;
  /** npm install --ignore-scripts (then `rebuild` lists what still needs its install script). */
  ignoreScripts?: boolean;
  /** Packages to `npm rebuild` after the install (e.g. ['sqlite3']). */
  rebuild?: string[];
  /** Where progress lines go (default: stderr). */
  log?: (line: string) => void;
  /** Longest wait for each lock another process holds before giving up (default 45 min). */
  lockTimeoutMs?: number;
}

const COMPLETE_MARKER = '.threadline-install-complete';
const LOCK_OWNER_FILE = 'owner.json';
/** Held during any install, so that installs of different things do not run at once either. */
const MACHINE_LOCK = 'one-install-at-a-time.lock';
const LOCK_POLL_MS = 2_000;
const DEFAULT_LOCK_TIMEOUT_MS = 45 * 60_000;

export function platformCacheRoot(): string {
  const fromEnv = process.env.THREADLINE_PLATFORM_CACHE;
  return fromEnv && fromEnv.trim() !== '' ? path.resolve(fromEnv) : path.join(os.homedir(), '.cache', 'threadline-platforms');
}

function stderrLog(line: string): void {
  process.stderr.write(`[platform-cache] ${line}\n`);
}

function installKey(name: string, packageJson: PackageJson, options: InstallOptions): string {
  if (!/^[a-z0-9][a-z0-9._-]*$/i.test(name)) throw new Error(`platform-cache: install name "${name}" must be a plain folder name`);
  // The options that change what ends up in node_modules are part of the key too.
  const recipe = JSON.stringify({ packageJson, ignoreScripts: !!options.ignoreScripts, rebuild: options.rebuild ?? [], node: options.nodeBinary ? nodeVersionOf(options.nodeBinary) : process.version });
  return `${name}-${createHash('sha256').update(recipe).digest('hex').slice(0, 12)}`;
}

function nodeVersionOf(nodeBinary: string): string {
  return execFileSync(nodeBinary, ['--version'], { encoding: 'utf8' }).trim();
}

function isComplete(dir: string): boolean {
  return fs.existsSync(path.join(dir, COMPLETE_MARKER));
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

interface LockOwner {
  pid: number;
  host: string;
  since: string;
}

function readLockOwner(lockDir: string): LockOwner | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(lockDir, LOCK_OWNER_FILE), 'utf8')) as LockOwner;
  } catch {
    return undefined;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Takes the lock folder, waiting while a live process holds it; returns the release function. */
async function acquireLock(lockDir: string, log: (line: string) => void, timeoutMs: number): Promise<() => void> {
  const deadline = Date.now() + timeoutMs;
  let announced = false;
  let ownerlessSince: number | undefined;
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      const owner: LockOwner = { pid: process.pid, host: os.hostname(), since: new Date().toISOString() };
      fs.writeFileSync(path.join(lockDir, LOCK_OWNER_FILE), JSON.stringify(owner));
      return () => fs.rmSync(lockDir, { recursive: true, force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = readLockOwner(lockDir);
    if (owner === undefined) {
      // Between another process's mkdir and its owner file: give it a moment before calling it stale.
      ownerlessSince ??= Date.now();
      if (Date.now() - ownerlessSince > 10_000) {
        log(`removing ownerless lock ${lockDir}`);
        fs.rmSync(lockDir, { recursive: true, force: true });
        ownerlessSince = undefined;
      }
    } else if (owner.host === os.hostname() && !processAlive(owner.pid)) {
      log(`removing stale lock of exited process ${owner.pid}`);
      fs.rmSync(lockDir, { recursive: true, force: true });
      continue;
    } else if (!announced) {
      log(`waiting for process ${owner.pid} (since ${owner.since}) to finish installing into ${path.dirname(lockDir)}`);
      announced = true;
    }
    if (Date.now() > deadline) throw new Error(`platform-cache: lock ${lockDir} still held after ${Math.round(timeoutMs / 1000)} s`);
    await sleep(LOCK_POLL_MS);
  }
}

interface RunOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
}

/** Runs a command, passing its output on line by line; rejects with its last lines on failure. */
function run(command: string, args: string[], options: RunOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const tail: string[] = [];
    const onData = (chunk: Buffer): void => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() === '') continue;
        options.log(`  ${line}`);
        tail.push(line);
        if (tail.length > 40) tail.shift();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', (error) => reject(new Error(`platform-cache: could not run ${command}: ${error.message}`)));
    child.once('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`platform-cache: "${command} ${args.join(' ')}" in ${options.cwd} failed (${signal ?? `exit ${code}`}):\n${tail.join('\n')}`));
    });
  });
}

/**
 * The environment npm runs in. With another Node, its folder goes first on PATH (npm's
 * `#!/usr/bin/env node` and node-gyp then use it) and node-gyp takes that Node's own headers when
 * the binary comes from a registry package that ships them (no download from outside).
 */
function npmEnvironment(nodeBinary: string | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };
  // Settings of an npm that runs this process (npm run test:platforms) must not leak into the install.
  for (const key of Object.keys(env)) {
    if (/^npm_(config|package|lifecycle)_/i.test(key) && !/^npm_config_(update_notifier|fund|audit|cache|registry|userconfig|globalconfig|cafile)$/i.test(key)) delete env[key];
  }
  // node-gyp would otherwise download the headers of that Node version, which needs access to
  // more than the registry; a Node installed with its headers (a distribution package, or the
  // registry's node-<platform>-<arch>) has them at <prefix>/include/node.
  const binDir = path.dirname(nodeBinary ?? process.execPath);
  env.PATH = [binDir, env.PATH ?? ''].join(path.delimiter);
  const prefix = path.resolve(binDir, '..');
  if (fs.existsSync(path.join(prefix, 'include', 'node', 'node.h'))) env.npm_config_nodedir = prefix;
  return env;
}

/**
 * A folder whose node_modules holds what `packageJson` asks for, installed once and reused.
 * `name` is a plain folder-name prefix (e.g. 'n8n-1.123').
 */
export async function ensureInstalled(name: string, packageJson: PackageJson, options: InstallOptions = {}): Promise<string> {
  const log = options.log ?? stderrLog;
  const root = platformCacheRoot();
  const dir = path.join(root, installKey(name, packageJson, options));
  if (isComplete(dir)) return dir;

  fs.mkdirSync(root, { recursive: true });
  const release = await acquireLock(`${dir}.lock`, log, options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS);
  let releaseMachine: (() => void) | undefined;
  try {
    if (isComplete(dir)) return dir; // another process finished it while we waited
    // One install at a time on this machine (jest runs suites in parallel; installs are CPU-bound).
    releaseMachine = await acquireLock(path.join(root, MACHINE_LOCK), log, options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS);
    if (fs.existsSync(dir)) {
      log(`${dir} holds an unfinished install: removing it and starting again`);
      fs.rmSync(dir, { recursive: true, force: true });
    }
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify({ private: true, ...packageJson }, null, 2)}\n`);
    const runOptions: RunOptions = { cwd: dir, env: npmEnvironment(options.nodeBinary), log };
    const started = Date.now();
    log(`installing ${name} into ${dir} (this can take several minutes)`);
    const installArgs = ['install', '--no-audit', '--no-fund', '--loglevel=http', '--no-progress'];
    if (options.ignoreScripts) installArgs.push('--ignore-scripts');
    await run('npm', installArgs, { ...runOptions, log: throttled(log) });
    for (const pkg of options.rebuild ?? []) {
      log(`rebuilding ${pkg} (native build)`);
      await run('npm', ['rebuild', pkg, '--foreground-scripts'], runOptions);
    }
    fs.writeFileSync(path.join(dir, COMPLETE_MARKER), JSON.stringify({ finishedAt: new Date().toISOString(), seconds: Math.round((Date.now() - started) / 1000) }));
    log(`${name} installed in ${Math.round((Date.now() - started) / 1000)} s`);
    return dir;
  } finally {
    releaseMachine?.();
    release();
  }
}

/** npm's http log prints a line per package: pass on every 100th, and everything else. */
function throttled(log: (line: string) => void): (line: string) => void {
  let fetched = 0;
  return (line) => {
    if (/npm http fetch/.test(line)) {
      fetched++;
      if (fetched % 100 === 0) log(`  ... ${fetched} registry requests`);
      return;
    }
    log(line);
  };
}

/** How many seconds an install took, from its marker (for reports); undefined if not installed. */
export function installSeconds(dir: string): number | undefined {
  try {
    return (JSON.parse(fs.readFileSync(path.join(dir, COMPLETE_MARKER), 'utf8')) as { seconds: number }).seconds;
  } catch {
    return undefined;
  }
}

/**
 * The path of a `node` executable of the given major version: the running one if it matches,
 * otherwise from the registry package node-<platform>-<arch>@<major> (which also ships the headers
 * for native builds), falling back to node@<major> (whose install script fetches the former).
 */
export async function ensureNodeBinary(major: number, options: Pick<InstallOptions, 'log'> = {}): Promise<string> {
  if (!Number.isInteger(major) || major < 1) throw new Error(`ensureNodeBinary: major must be a positive integer, got ${major}`);
  if (Number(process.versions.node.split('.')[0]) === major) return process.execPath;
  const platformPackage = `node-${process.platform}-${process.arch}`;
  const attempts: { pkg: string; ignoreScripts: boolean }[] = [
    { pkg: platformPackage, ignoreScripts: true },
    { pkg: 'node', ignoreScripts: false },
  ];
  const failures: string[] = [];
  for (const attempt of attempts) {
    try {
      const dir = await ensureInstalled(`node-${major}`, { name: `threadline-node-${major}`, dependencies: { [attempt.pkg]: `^${major}.0.0` } }, { ignoreScripts: attempt.ignoreScripts, log: options.log });
      const binary = findNodeBinary(dir, attempt.pkg);
      if (binary) return binary;
      failures.push(`${attempt.pkg}@${major}: installed, but no bin/node in ${dir}`);
    } catch (error) {
      failures.push(`${attempt.pkg}@${major}: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  throw new Error(`ensureNodeBinary(${major}) failed:\n${failures.join('\n')}`);
}

function findNodeBinary(dir: string, pkg: string): string | undefined {
  const candidates = [path.join(dir, 'node_modules', pkg, 'bin', 'node'), path.join(dir, 'node_modules', 'node', 'bin', 'node'), path.join(dir, 'node_modules', '.bin', 'node')];
  for (const candidate of candidates) {
    if (fs.existsSync(candidate)) return fs.realpathSync(candidate);
  }
  return undefined;
}
