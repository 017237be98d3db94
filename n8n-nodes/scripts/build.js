// Builds the community node package: one CommonJS bundle per node and credential (everything they
// use from connectors and OpenTelemetry included, n8n-workflow left to n8n), plus the icons and the
// codex file n8n reads next to the node. `node scripts/build.js [outDir]` (default dist/).
const fs = require('node:fs');
const path = require('node:path');
const esbuild = require('esbuild');

const root = path.join(__dirname, '..');

const entries = {
  'nodes/Threadline/Threadline.node': 'nodes/Threadline/Threadline.node.ts',
  'credentials/ThreadlineCollectorApi.credentials': 'credentials/ThreadlineCollectorApi.credentials.ts',
};

const assets = [
  'nodes/Threadline/Threadline.node.json',
  'nodes/Threadline/threadline.svg',
  'nodes/Threadline/threadline.dark.svg',
  'credentials/threadline.svg',
  'credentials/threadline.dark.svg',
];

/** Builds into `outDir` (emptied first); resolves to { file: bytes } of the bundles. */
async function build(outDir = path.join(root, 'dist')) {
  fs.rmSync(outDir, { recursive: true, force: true });
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: Object.fromEntries(Object.entries(entries).map(([out, source]) => [out, path.join(root, source)])),
    outdir: outDir,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    // n8n provides n8n-workflow; a second copy would break `instanceof NodeOperationError` in n8n.
    external: ['n8n-workflow'],
    // ES module builds of the OpenTelemetry packages tree-shake; their CommonJS builds do not.
    mainFields: ['module', 'main'],
    // n8n's community-package scan refuses `process` and `globalThis` in node code. Two bundled
    // modules name them, and neither is needed inside n8n:
    // - connectors' rule compiler reads a hashing key from the environment (`options.env ??
    //   process.env`); the node passes its own empty `env` (baggage-rules.ts: configuration comes
    //   from the credential, not from environment variables), so `process.env` is never reached and
    //   is defined away.
    // - OpenTelemetry's API keeps its registered providers on the global object (`globalThis`,
    //   else `self`, `window`, `global`, else a fresh `{}`); n8n 2.x registers its own there. The
    //   node only uses the API's constants and no-op context, so with those names undefined the
    //   API takes its own fallback, a private registry, instead of the host's (which also keeps it
    //   from picking up n8n's tracer by accident). The resources module's default service name
    //   (`globalThis.process.argv0`, in a try) falls back to "unknown_service"; the node always
    //   sets service.name from the credential.
    define: { 'process.env': 'undefined', globalThis: 'undefined', self: 'undefined', window: 'undefined', global: 'undefined' },
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
  });
  for (const asset of assets) {
    fs.mkdirSync(path.dirname(path.join(outDir, asset)), { recursive: true });
    fs.copyFileSync(path.join(root, asset), path.join(outDir, asset));
  }
  const sizes = {};
  for (const [file, output] of Object.entries(result.metafile.outputs)) sizes[path.relative(outDir, path.resolve(root, file))] = output.bytes;
  return sizes;
}

module.exports = { build };

if (require.main === module) {
  build(process.argv[2] && path.resolve(process.argv[2]))
    .then((sizes) => {
      for (const [file, bytes] of Object.entries(sizes)) console.log(`${file}  ${(bytes / 1024).toFixed(1)} KiB`);
    })
    .catch((error) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 1;
    });
}
