// `npm pack` of the publishable package. Everything the nodes need is bundled into dist/ (see
// build.js), so the published manifest needs neither the workspace's devDependencies nor its
// build scripts (a packed package must not try to build itself on install). This stages
// package.json without them, plus the `files`, in a temporary folder and packs that.
//
//   node scripts/pack.js [output folder]   → prints the path of the .tgz
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');

function main() {
  const outDir = path.resolve(process.argv[2] ?? root);
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  if (!fs.existsSync(path.join(root, 'dist', 'shared.js'))) throw new Error('dist/ is missing: run npm run build first');
  const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'threadline-node-red-pack-'));
  try {
    for (const entry of manifest.files) fs.cpSync(path.join(root, entry), path.join(stage, entry), { recursive: true });
    delete manifest.dependencies;
    delete manifest.devDependencies;
    delete manifest.scripts;
    fs.writeFileSync(path.join(stage, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    fs.mkdirSync(outDir, { recursive: true });
    const output = execFileSync('npm', ['pack', '--json', '--pack-destination', outDir], { cwd: stage, encoding: 'utf8' });
    const [packed] = JSON.parse(output);
    process.stdout.write(`${path.join(outDir, packed.filename)}\n`);
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
}

main();
