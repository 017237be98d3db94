// The platform cache (test/support/platform-cache.ts) with real npm installs of a small local
// package (no registry): one install per recipe, reused; concurrent callers wait for the one
// install; a half-finished install is redone; a changed recipe is a new folder; failures name npm's
// output.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureInstalled, ensureNodeBinary, installSeconds, platformCacheRoot } from '../support/platform-cache';

jest.setTimeout(120_000);

let folder: string;
let localPackage: string;
const savedRoot = process.env.THREADLINE_PLATFORM_CACHE;

beforeAll(() => {
  folder = fs.mkdtempSync(path.join(os.tmpdir(), 'threadline-platform-cache-'));
  localPackage = path.join(folder, 'greeting');
  fs.mkdirSync(localPackage);
  fs.writeFileSync(path.join(localPackage, 'package.json'), JSON.stringify({ name: 'greeting', version: '1.0.0', main: 'index.js' }));
  fs.writeFileSync(path.join(localPackage, 'index.js'), "module.exports = 'hello';\n");
});

beforeEach(() => {
  process.env.THREADLINE_PLATFORM_CACHE = fs.mkdtempSync(path.join(folder, 'cache-'));
});

afterAll(() => {
  if (savedRoot === undefined) delete process.env.THREADLINE_PLATFORM_CACHE;
  else process.env.THREADLINE_PLATFORM_CACHE = savedRoot;
  fs.rmSync(folder, { recursive: true, force: true });
});

function recipe(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name: 'cache-test', dependencies: { greeting: `file:${localPackage}` }, ...extra };
}

test('installs into the cache root once and reuses the folder', async () => {
  const lines: string[] = [];
  const dir = await ensureInstalled('greeting', recipe(), { log: (line) => lines.push(line) });
  expect(path.dirname(dir)).toBe(platformCacheRoot());
  expect(path.basename(dir)).toMatch(/^greeting-[0-9a-f]{12}$/);
  expect(fs.existsSync(path.join(dir, 'node_modules', 'greeting', 'index.js'))).toBe(true);
  expect(installSeconds(dir)).toEqual(expect.any(Number));
  expect(lines.filter((line) => line.startsWith('installing greeting'))).toHaveLength(1);

  const again: string[] = [];
  expect(await ensureInstalled('greeting', recipe(), { log: (line) => again.push(line) })).toBe(dir);
  expect(again).toEqual([]);
});

test('two callers at once: one installs, the other waits for it and gets the same folder', async () => {
  const lines: string[] = [];
  const log = (line: string): void => void lines.push(line);
  const [first, second] = await Promise.all([ensureInstalled('greeting', recipe(), { log }), ensureInstalled('greeting', recipe(), { log })]);
  expect(second).toBe(first);
  expect(lines.filter((line) => line.startsWith('installing greeting'))).toHaveLength(1);
  expect(fs.readdirSync(platformCacheRoot()).filter((name) => name.endsWith('.lock'))).toEqual([]);
});

test('a folder without the completion marker is wiped and installed again', async () => {
  const dir = await ensureInstalled('greeting', recipe(), { log: () => undefined });
  const marker = fs.readdirSync(dir).find((name) => name.startsWith('.threadline'))!;
  fs.rmSync(path.join(dir, marker));
  fs.writeFileSync(path.join(dir, 'left-over-from-a-killed-install'), '');
  const lines: string[] = [];
  expect(await ensureInstalled('greeting', recipe(), { log: (line) => lines.push(line) })).toBe(dir);
  expect(lines.some((line) => line.includes('unfinished install'))).toBe(true);
  expect(fs.existsSync(path.join(dir, 'left-over-from-a-killed-install'))).toBe(false);
  expect(fs.existsSync(path.join(dir, marker))).toBe(true);
});

test('a lock left by a process that no longer exists is taken over', async () => {
  const root = platformCacheRoot();
  fs.mkdirSync(root, { recursive: true });
  const probe = await ensureInstalled('greeting', recipe({ version: '0.0.1' }), { log: () => undefined });
  fs.rmSync(probe, { recursive: true, force: true });
  const lockDir = `${probe}.lock`;
  fs.mkdirSync(lockDir);
  // A pid far above any real one on Linux (pid_max is at most 2^22).
  fs.writeFileSync(path.join(lockDir, 'owner.json'), JSON.stringify({ pid: 2 ** 22 + 7, host: os.hostname(), since: new Date().toISOString() }));
  const lines: string[] = [];
  expect(await ensureInstalled('greeting', recipe({ version: '0.0.1' }), { log: (line) => lines.push(line) })).toBe(probe);
  expect(lines.some((line) => line.includes('stale lock'))).toBe(true);
});

test('a different recipe or different flags give a different folder', async () => {
  const log = (): void => undefined;
  const plain = await ensureInstalled('greeting', recipe(), { log });
  const other = await ensureInstalled('greeting', recipe({ description: 'changed' }), { log });
  const noScripts = await ensureInstalled('greeting', recipe(), { log, ignoreScripts: true });
  expect(new Set([plain, other, noScripts]).size).toBe(3);
});

test('a failing install is reported with npm’s output and leaves no completed folder', async () => {
  const failing = path.join(folder, 'failing');
  fs.mkdirSync(failing, { recursive: true });
  fs.writeFileSync(path.join(failing, 'package.json'), JSON.stringify({ name: 'failing', version: '1.0.0', scripts: { install: 'node -e "console.error(\'native build broke\'); process.exit(3)"' } }));
  const broken = { name: 'cache-test', dependencies: { failing: `file:${failing}` } };
  await expect(ensureInstalled('broken', broken, { log: () => undefined })).rejects.toThrow(/npm install .*failed.*native build broke/s);
  // The same package with its script skipped installs; the rebuild asked for then fails the same way.
  await expect(ensureInstalled('broken', broken, { log: () => undefined, ignoreScripts: true, rebuild: ['failing'] })).rejects.toThrow(/npm rebuild failing.*failed.*native build broke/s);
  const left = fs.readdirSync(platformCacheRoot()).filter((name) => name.startsWith('broken-'));
  for (const name of left) expect(fs.readdirSync(path.join(platformCacheRoot(), name)).some((file) => file.startsWith('.threadline'))).toBe(false);
});

test('bad arguments are refused with a clear message', async () => {
  await expect(ensureInstalled('../escape', recipe())).rejects.toThrow(/plain folder name/);
  await expect(ensureNodeBinary(0)).rejects.toThrow(/positive integer/);
  await expect(ensureNodeBinary(Number(process.versions.node.split('.')[0]))).resolves.toBe(process.execPath);
});
