// Builds the package Node-RED loads: TypeScript in src/ bundled with esbuild into dist/, so the
// packed package needs none of the workspace packages.
//
//   dist/shared.js        connectors (from source) + message contract + config-node registry (one copy, one registry)
//   dist/nodes/<n>.js     one file per node, next to its editor HTML; imports ../shared.js
//   dist/nodes/icons/     the palette icons (Node-RED looks beside the node files)
//   dist/auto/plugin.js   the automatic-tracing runtime plugin; imports ../shared.js
//   dist/schemas/         the JSON Schemas the configuration is validated against
const esbuild = require('esbuild');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const src = path.join(root, 'src');
const dist = path.join(root, 'dist');
const pkg = require(path.join(root, 'package.json'));

// Modules that must exist once per process: imports of them from a node file or the plugin are
// pointed at the shared chunk instead of being bundled again.
const SHARED_MODULES = new Set(['message-context', 'threadline-registry', 'shared'].map((name) => path.join(src, `${name}.ts`)));

// The schema validator finds the schemas through the workspace package; in the bundle they sit
// in dist/schemas beside shared.js.
const SCHEMA_LOOKUP = "require.resolve('@threadline/schemas/package.json')";
const SCHEMA_LOOKUP_BUNDLED = "require('node:path').join(__dirname, 'schemas', 'package.json')";

const schemaLocation = {
  name: 'schema-location',
  setup(build) {
    build.onLoad({ filter: /schema-validator\.ts$/ }, async (args) => {
      const text = await fs.promises.readFile(args.path, 'utf8');
      if (!text.includes(SCHEMA_LOOKUP)) throw new Error(`${args.path}: expected ${SCHEMA_LOOKUP}; update scripts/build.js`);
      return { contents: text.replace(SCHEMA_LOOKUP, SCHEMA_LOOKUP_BUNDLED), loader: 'ts' };
    });
  },
};

// The connectors are bundled from their TypeScript sources, not from their CommonJS build: as ES
// modules, their imports of each other and of OpenTelemetry (whose ES module build esbuild then
// takes) become plain bindings. From the CommonJS build every imported function or enum is read
// through one or two property getters at each use, on the per-span path too.
const CONNECTORS_SOURCE = path.join(path.dirname(require.resolve('@threadline/connectors/package.json')), 'src', 'index.ts');
const connectorsFromSource = {
  name: 'connectors-from-source',
  setup(build) {
    build.onResolve({ filter: /^@threadline\/connectors$/ }, () => ({ path: CONNECTORS_SOURCE }));
  },
};

function resolveSource(resolveDir, request) {
  const base = path.resolve(resolveDir, request);
  for (const candidate of [base, `${base}.ts`, path.join(base, 'index.ts')]) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

function sharedExternal(outFile) {
  const target = path.relative(path.dirname(outFile), path.join(dist, 'shared.js')).split(path.sep).join('/');
  const shared = target.startsWith('.') ? target : `./${target}`;
  return {
    name: 'shared-external',
    setup(build) {
      build.onResolve({ filter: /^@threadline\/connectors$/ }, () => ({ path: shared, external: true }));
      build.onResolve({ filter: /^\.\.?\// }, (args) => {
        const file = resolveSource(args.resolveDir, args.path);
        return file !== undefined && SHARED_MODULES.has(file) ? { path: shared, external: true } : undefined;
      });
    },
  };
}

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: false,
  logLevel: 'warning',
  legalComments: 'inline',
};

function copyDir(from, to, filter) {
  fs.mkdirSync(to, { recursive: true });
  for (const name of fs.readdirSync(from)) if (filter(name)) fs.copyFileSync(path.join(from, name), path.join(to, name));
}

async function main() {
  fs.rmSync(dist, { recursive: true, force: true });
  await esbuild.build({ ...common, entryPoints: [path.join(src, 'shared.ts')], outfile: path.join(dist, 'shared.js'), plugins: [connectorsFromSource, schemaLocation] });

  const entries = [
    ...Object.values(pkg['node-red'].nodes),
    ...Object.values(pkg['node-red'].plugins ?? {}),
  ].map((file) => ({
    outFile: path.join(root, file),
    source: path.join(src, path.relative('dist', file).replace(/\.js$/, '.ts')),
  }));
  for (const { source, outFile } of entries) {
    if (!fs.existsSync(source)) throw new Error(`package.json lists ${path.relative(root, outFile)} but ${path.relative(root, source)} does not exist`);
    await esbuild.build({ ...common, entryPoints: [source], outfile: outFile, plugins: [sharedExternal(outFile)] });
  }

  copyDir(path.join(root, 'editor'), path.join(dist, 'nodes'), (name) => name.endsWith('.html'));
  copyDir(path.join(root, 'icons'), path.join(dist, 'nodes', 'icons'), (name) => name.endsWith('.svg') || name.endsWith('.png'));
  const schemasDir = path.dirname(require.resolve('@threadline/schemas/package.json'));
  copyDir(schemasDir, path.join(dist, 'schemas'), (name) => name.endsWith('.schema.json') || name === 'package.json');
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
