// Checks the package as npm would publish it: builds it into a staging copy of the package folder,
// runs `npm pack` there, and checks the tarball: only dist/, package.json, README.md and LICENSE;
// every node and credential the `n8n` section names loads the way n8n loads it (require the file,
// take the class named like the file, read its description) with its icons and codex beside it;
// the bundles require nothing but n8n-workflow and Node.js built-ins, and hold no timers.
// `node scripts/pack-check.js` prints a summary and exits 1 with the problems found.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { builtinModules } = require('node:module');
const { build } = require('./build');

const root = path.join(__dirname, '..');
const repoNodeModules = path.join(root, '..', 'node_modules');
const ALLOWED_TOP_LEVEL = new Set(['package.json', 'README.md', 'LICENSE']);
// Timers, and the globals n8n's community-package scan refuses (see build.js).
const FORBIDDEN_IN_BUNDLE = ['setTimeout(', 'setInterval(', 'setImmediate(', 'process.env', 'globalThis'];

function copyPackageSources(stage) {
  for (const entry of fs.readdirSync(root)) {
    if (entry === 'node_modules' || entry === 'dist') continue;
    fs.cpSync(path.join(root, entry), path.join(stage, entry), { recursive: true });
  }
}

function requiredModules(source) {
  return [...source.matchAll(/require\("([^"]+)"\)/g)].map((match) => match[1]);
}

function isBuiltin(name) {
  return name.startsWith('node:') || builtinModules.includes(name);
}

/** Loads a node or credential file like n8n's loader: the export named like the file. */
function loadClass(file) {
  const className = path.basename(file).split('.')[0];
  const loaded = require(file)[className];
  if (typeof loaded !== 'function') throw new Error(`${path.basename(file)} does not export a class ${className}`);
  return new loaded();
}

async function packCheck() {
  const problems = [];
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'threadline-n8n-pack-'));
  try {
    const stage = path.join(work, 'stage');
    fs.mkdirSync(stage);
    copyPackageSources(stage);
    const sizes = await build(path.join(stage, 'dist'));
    const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: stage, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }))[0];
    const files = packed.files.map((file) => file.path).sort();
    for (const file of files) {
      if (!file.startsWith('dist/') && !ALLOWED_TOP_LEVEL.has(file)) problems.push(`the tarball holds ${file} (only dist/, package.json, README.md, LICENSE belong there)`);
    }
    for (const required of ALLOWED_TOP_LEVEL) if (!files.includes(required)) problems.push(`the tarball lacks ${required}`);

    // Unpack as n8n would find it, with n8n-workflow resolvable from the folder above (n8n provides it).
    const unpacked = path.join(work, 'installed');
    fs.mkdirSync(unpacked);
    execFileSync('tar', ['-xzf', path.join(work, packed.filename), '-C', unpacked]);
    fs.mkdirSync(path.join(unpacked, 'node_modules'));
    fs.symlinkSync(path.join(repoNodeModules, 'n8n-workflow'), path.join(unpacked, 'node_modules', 'n8n-workflow'));
    const pkgDir = path.join(unpacked, 'package');
    const manifest = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
    if (manifest.dependencies && Object.keys(manifest.dependencies).length > 0) problems.push('package.json has dependencies');
    const loaded = [];
    for (const kind of ['nodes', 'credentials']) {
      for (const relative of manifest.n8n[kind]) {
        const file = path.join(pkgDir, relative);
        if (!fs.existsSync(file)) {
          problems.push(`${relative} (n8n.${kind}) is not in the tarball`);
          continue;
        }
        const source = fs.readFileSync(file, 'utf8');
        for (const name of requiredModules(source)) if (name !== 'n8n-workflow' && !isBuiltin(name)) problems.push(`${relative} requires ${name} at run time`);
        for (const token of FORBIDDEN_IN_BUNDLE) if (source.includes(token)) problems.push(`${relative} contains ${token}`);
        let instance;
        try {
          instance = loadClass(file);
        } catch (error) {
          problems.push(`${relative} does not load: ${error instanceof Error ? error.message : String(error)}`);
          continue;
        }
        const icon = kind === 'nodes' ? instance.description.icon : instance.icon;
        for (const variant of ['light', 'dark']) {
          const iconFile = String(icon?.[variant] ?? '').replace(/^file:/, '');
          if (!iconFile || !fs.existsSync(path.join(path.dirname(file), iconFile))) problems.push(`${relative}: ${variant} icon ${iconFile || '(none)'} is missing`);
        }
        if (kind === 'nodes' && !fs.existsSync(file.replace(/\.js$/, '.json'))) problems.push(`${relative}: codex file is missing`);
        loaded.push(kind === 'nodes' ? `node ${instance.description.name}` : `credential ${instance.name}`);
      }
    }
    return { problems, files, loaded, tarball: packed.filename, tarballBytes: packed.size, bundleBytes: sizes };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

module.exports = { packCheck };

if (require.main === module) {
  packCheck()
    .then((result) => {
      console.log(`${result.tarball}: ${(result.tarballBytes / 1024).toFixed(1)} KiB, ${result.files.length} files`);
      for (const file of result.files) console.log(`  ${file}`);
      console.log(`loads: ${result.loaded.join(', ')}`);
      if (result.problems.length > 0) {
        for (const problem of result.problems) console.error(`problem: ${problem}`);
        process.exitCode = 1;
      }
    })
    .catch((error) => {
      console.error(error instanceof Error ? error.stack : error);
      process.exitCode = 1;
    });
}
