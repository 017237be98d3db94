// The viewer's static files: `/` is index.html, `/viewer/<path>` a file under the static folder.
// Paths are resolved inside the folder only; anything that would leave it is not found.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * The viewer's files: the sources' src/viewer/static when they are there (a repository checkout,
 * so an edited page shows without a rebuild), else the copy the package build puts in
 * dist/viewer/static.
 */
export function viewerStaticDir(): string {
  const packageRoot = path.join(__dirname, '..', '..');
  const sources = path.join(packageRoot, 'src', 'viewer', 'static');
  return existsSync(sources) ? sources : path.join(packageRoot, 'dist', 'viewer', 'static');
}

export interface StaticFile {
  body: Buffer;
  contentType: string;
}

/** The file for a request path (`/` or `/viewer/...`), or undefined when there is none. */
export async function readStaticFile(root: string, pathname: string): Promise<StaticFile | undefined> {
  let relative: string;
  if (pathname === '/' || pathname === '/viewer' || pathname === '/viewer/') relative = 'index.html';
  else if (pathname.startsWith('/viewer/')) {
    try {
      relative = decodeURIComponent(pathname.slice('/viewer/'.length));
    } catch {
      return undefined;
    }
  } else return undefined;
  const file = path.resolve(root, relative);
  if (file !== root && !file.startsWith(root + path.sep)) return undefined;
  try {
    const body = await readFile(file);
    return { body, contentType: CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream' };
  } catch {
    return undefined;
  }
}
