// Atomic reload: the engine reads `current` for every span, and a reload swaps it in one
// assignment, only after the new file parsed, validated and compiled. A bad file changes
// nothing and says why.
import { ConfigError, type ConfigIssue } from '../config/config-error';
import type { CompiledRules } from './compile';
import type { RulesSource } from './engine';
import { loadRulesFile, type LoadRulesOptions } from './load';
import { strictDefaultRules } from './strict-default';

export type RulesLoadResult =
  | { ok: true; rules: CompiledRules }
  | {
      ok: false;
      /** Every problem, with file, field path and (YAML) line. */
      errors: ConfigIssue[];
      /** The same as text, one problem per line. */
      message: string;
    };

export class RulesHolder implements RulesSource {
  private rules: CompiledRules;
  private file: string | undefined;
  private options: LoadRulesOptions;
  private readonly listeners = new Set<(rules: CompiledRules) => void>();

  /** Starts with `initial` (default: the strict default rules). */
  constructor(initial: CompiledRules = strictDefaultRules(), options: LoadRulesOptions & { file?: string } = {}) {
    this.rules = initial;
    const { file, ...loadOptions } = options;
    this.file = file;
    this.options = loadOptions;
  }

  get current(): CompiledRules {
    return this.rules;
  }

  /** The file reload() reads, once one was loaded. */
  get currentFile(): string | undefined {
    return this.file;
  }

  /** Loads `file` and, when it is valid, puts it in force and remembers it for reload(). */
  load(file: string, options: LoadRulesOptions = this.options): RulesLoadResult {
    let rules: CompiledRules;
    try {
      rules = loadRulesFile(file, options).rules;
    } catch (error) {
      const issues: ConfigIssue[] =
        error instanceof ConfigError ? [...error.issues] : [{ source: file, path: '', field: '', message: error instanceof Error ? error.message : String(error) }];
      return { ok: false, errors: issues, message: error instanceof Error ? error.message : String(error) };
    }
    this.file = file;
    this.options = options;
    this.replace(rules);
    return { ok: true, rules };
  }

  /** Loads the remembered file again; with none, the rules in force stay and the result is ok. */
  reload(): RulesLoadResult {
    return this.file === undefined ? { ok: true, rules: this.rules } : this.load(this.file, this.options);
  }

  /** Puts compiled rules in force. */
  replace(rules: CompiledRules): void {
    this.rules = rules;
    for (const listener of this.listeners) listener(rules);
  }

  /** Called after every change of the rules in force; returns a function that unsubscribes. */
  onChange(listener: (rules: CompiledRules) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
