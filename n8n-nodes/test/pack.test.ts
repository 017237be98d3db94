// Acceptance 4 (the `npm pack` half): the tarball npm would publish holds only dist, package.json,
// README and LICENSE, and its node and credential load the way n8n loads them. The real n8n load
// is the end-to-end suite's (test/platforms); this runs scripts/pack-check.js, which builds into a
// staging copy and leaves the package's own dist/ alone.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

describe('npm pack', () => {
  it('gives a tarball with only dist, package.json, README and LICENSE, whose node and credential load', () => {
    const run = spawnSync(process.execPath, [path.join(__dirname, '..', 'scripts', 'pack-check.js')], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const files = run.stdout
      .split('\n')
      .filter((line) => line.startsWith('  '))
      .map((line) => line.trim());
    expect(files).toEqual([
      'LICENSE',
      'README.md',
      'dist/credentials/ThreadlineCollectorApi.credentials.js',
      'dist/credentials/threadline.dark.svg',
      'dist/credentials/threadline.svg',
      'dist/nodes/Threadline/Threadline.node.js',
      'dist/nodes/Threadline/Threadline.node.json',
      'dist/nodes/Threadline/threadline.dark.svg',
      'dist/nodes/Threadline/threadline.svg',
      'package.json',
    ]);
    expect(run.stdout).toContain('loads: node threadline, credential threadlineCollectorApi');
  }, 60_000);
});
