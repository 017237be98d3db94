// Rules files take the one path every user-written file takes (parse → ${VAR} → schema, with
// field paths and YAML lines), then compileRules for what a schema cannot check.
import type { Environment } from '../config/env-substitution';
import type { TextFormat } from '../config/structured-text';
import type { RedactionConfig } from '../config/types';
import { parseValidatedText, readValidatedFile, type ValidatedText } from '../config/validated-text';
import { compileRules, RULES_SUBJECT, type CompiledRules } from './compile';
import { RULES_SCHEMA_ID, type RedactionRules } from './rules-document';
import { strictDefaultRules } from './strict-default';
import { sensitiveKeySet } from './url';

export { RULES_SUBJECT };

export interface LoadRulesOptions {
  /** Variables for ${VAR} references and hashing.keyEnv. Default: process.env. */
  env?: Environment;
  /** Overrides detection by file extension and content. */
  format?: TextFormat;
  /** Default true; see CompileRulesOptions.requireHashKey. */
  requireHashKey?: boolean;
  /** More query keys whose values are always REDACTED. */
  extraSensitiveQueryKeys?: readonly string[];
}

export interface LoadedRules {
  rules: CompiledRules;
  /** The file's data after ${VAR} substitution, as validated. */
  document: RedactionRules;
}

function compileValidated(validated: ValidatedText<RedactionRules>, source: string, options: LoadRulesOptions): LoadedRules {
  const rules = compileRules(validated.data, {
    env: options.env,
    source,
    parsed: validated.parsed,
    requireHashKey: options.requireHashKey,
    extraSensitiveQueryKeys: options.extraSensitiveQueryKeys,
  });
  return { rules, document: validated.data };
}

/** Reads, validates and compiles a rules file (YAML or JSON); throws ConfigError naming every problem. */
export function loadRulesFile(file: string, options: LoadRulesOptions = {}): LoadedRules {
  const validated = readValidatedFile<RedactionRules>(file, RULES_SCHEMA_ID, { env: options.env, format: options.format, emptyValue: {}, subject: RULES_SUBJECT });
  return compileValidated(validated, file, options);
}

/** The same for text; `sourceName` appears in messages and picks the format by its extension. */
export function parseRulesText(text: string, sourceName: string, options: LoadRulesOptions = {}): LoadedRules {
  const validated = parseValidatedText<RedactionRules>(text, sourceName, RULES_SCHEMA_ID, { env: options.env, format: options.format, emptyValue: {}, subject: RULES_SUBJECT });
  return compileValidated(validated, sourceName, options);
}

function onlyDefaultKeys(keys: readonly string[]): boolean {
  const defaults = sensitiveKeySet();
  return keys.every((key) => defaults.has(key.toLowerCase()));
}

/**
 * The rules a connectors config names: `redaction.rulesFile` (relative to the working
 * directory), else `redaction.rules` written inline, else the strict default. The config's
 * `urlQuerySensitiveKeys` always add to the rules' query keys. Throws ConfigError.
 */
export function rulesFromRedactionConfig(config: RedactionConfig, env?: Environment): CompiledRules {
  const extraSensitiveQueryKeys = config.urlQuerySensitiveKeys;
  if (config.rulesFile !== undefined) return loadRulesFile(config.rulesFile, { env, extraSensitiveQueryKeys }).rules;
  if (config.rules !== undefined) return compileRules(config.rules, { env, source: 'redaction.rules', extraSensitiveQueryKeys });
  if (onlyDefaultKeys(extraSensitiveQueryKeys)) return strictDefaultRules();
  return compileRules(strictDefaultRules().document, { env, source: 'strict default (built in)', extraSensitiveQueryKeys });
}
