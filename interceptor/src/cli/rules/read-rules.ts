// Loading a rules file for a command: the engine's loader does the work (schema, field paths,
// YAML lines, compile checks); this only resolves the path and turns its ConfigError into data
// every command prints the same way.
import * as path from 'node:path';
import { ConfigError, loadRulesFile, type ConfigIssue, type LoadedRules } from '@threadline/connectors';
import type { CliIo } from '../io';

export type RulesReadResult = { ok: true; file: string; loaded: LoadedRules } | { ok: false; file: string; issues: readonly ConfigIssue[] };

/**
 * Reads and compiles one rules file. A hash action whose key variable is unset does not fail
 * here (CI runs without the production secret): such values are dropped, and the engine's
 * warning says so.
 */
export function readRules(file: string, io: CliIo): RulesReadResult {
  try {
    const loaded = loadRulesFile(path.resolve(io.cwd, file), { env: io.env, requireHashKey: false });
    return { ok: true, file, loaded };
  } catch (error) {
    if (error instanceof ConfigError) return { ok: false, file, issues: error.issues.map((issue) => withDisplayedSource(issue, io.cwd, file)) };
    throw error;
  }
}

// The loader names the absolute path; show the file as the admin typed it.
function withDisplayedSource(issue: ConfigIssue, cwd: string, file: string): ConfigIssue {
  return issue.source === path.resolve(cwd, file) ? { ...issue, source: file } : issue;
}
