import { readFileSync } from 'node:fs';
import * as path from 'node:path';

/** The collector package's version; the same relative path holds from src and dist. */
export function collectorVersion(): string {
  try {
    const manifest = JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version?: unknown };
    return typeof manifest.version === 'string' ? manifest.version : 'unknown';
  } catch {
    return 'unknown';
  }
}
