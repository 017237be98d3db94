import { readFileSync } from 'node:fs';
import * as path from 'node:path';

/** The interceptor package's version; the same relative path holds from src/cli and dist/cli. */
export function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version?: unknown };
  return typeof manifest.version === 'string' ? manifest.version : 'unknown';
}
