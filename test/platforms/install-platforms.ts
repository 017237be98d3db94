// Installs the real platforms the `platforms` jest project runs against into the platform cache
// (THREADLINE_PLATFORM_CACHE, or ~/.cache/threadline-platforms), so a test run finds them ready.
// The suites install on demand too; this script is for doing it ahead of time, one at a time
// (installs are CPU- and disk-heavy):
//
//   node --import tsx test/platforms/install-platforms.ts            # every platform
//   node --import tsx test/platforms/install-platforms.ts n8n-1      # only the named ones
//                                 (node-red-5, n8n-1, n8n-2)
import { ensureN8n1, ensureN8n2 } from '../support/n8n-install';
import { ensureNodeRed5 } from '../support/node-red-install';
import { installSeconds } from '../support/platform-cache';

const installers: Record<string, () => Promise<{ dir: string }>> = {
  'n8n-1': () => ensureN8n1(),
  'n8n-2': () => ensureN8n2(),
  'node-red-5': () => ensureNodeRed5(),
};

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((name) => !(name in installers));
  if (unknown.length > 0) {
    console.error(`unknown platform(s): ${unknown.join(', ')}; known: ${Object.keys(installers).join(', ')}`);
    process.exit(2);
  }
  for (const name of wanted.length > 0 ? wanted : Object.keys(installers)) {
    const started = Date.now();
    const { dir } = await installers[name]();
    const took = Math.round((Date.now() - started) / 1000);
    console.log(`${name}: ${dir} (install took ${installSeconds(dir) ?? '?'} s; this run ${took} s)`);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
