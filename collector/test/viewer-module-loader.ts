// Loads one of the viewer's browser modules (plain ES modules, served as they are) into a unit
// test: esbuild bundles it with its imports into CommonJS, which is then evaluated here. The
// viewer itself has no build step; this is only how jest, which runs CommonJS, gets at it.
import { buildSync } from 'esbuild';
import * as path from 'node:path';

const STATIC_DIR = path.join(__dirname, '..', 'src', 'viewer', 'static');

export function loadViewerModule<T>(file: string): T {
  const result = buildSync({
    entryPoints: [path.join(STATIC_DIR, file)],
    bundle: true,
    format: 'cjs',
    platform: 'neutral',
    write: false,
    logLevel: 'silent',
  });
  const holder: { exports: Record<string, unknown> } = { exports: {} };
  const evaluate = new Function('module', 'exports', result.outputFiles[0].text) as (module: unknown, exports: unknown) => void;
  evaluate(holder, holder.exports);
  return holder.exports as T;
}
