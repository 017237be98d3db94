// `npm start` is the README's first command: its demo must bring up both services and print each
// sample trace complete, caller's trace continued, invalid context restarted.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

test('the quickstart demo prints three complete traces and exits cleanly with --once', () => {
  const root = path.resolve(__dirname, '..', '..');
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'demo/quickstart.ts', '--once'], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  expect(run.stdout).toContain("trace 4bf92f3577b34da6a3ce929d0e0e4736 (continues the caller's span 00f067aa0ba902b7)");
  expect(run.stdout.match(/\(new trace\)/g)).toHaveLength(2);
  expect(run.stdout.match(/SERVER GET \/orders\/:id/g)).toHaveLength(3);
  expect(run.stdout.match(/ {6}SERVER GET \/stock\/:sku +inventory/g)).toHaveLength(3);
}, 70_000);
