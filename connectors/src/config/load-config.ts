// loadConfig(): the resolved ThreadlineConfig, from four layers, each field taken from the
// highest layer that sets it:
//
//   embedded defaults  <  OTEL_* environment variables  <  configuration file  <  overrides
//
// Why this order. The OpenTelemetry "declarative configuration" specification says that when
// its own config file (OTEL_EXPERIMENTAL_CONFIG_FILE) is used, every other OTEL_* variable is
// ignored unless the file references it as ${VAR}; plain SDK setups, on the other hand, are
// configured by those variables alone. Threadline's file is not that OpenTelemetry file, and it
// runs where platforms inject OTEL_* variables (Kubernetes operators, container platforms), so
// it takes the middle road the specification's own discussion asked for: the variables apply to
// every field the file does not set, and a field the file sets wins. A file that wants the
// environment to win for one field says so explicitly with a reference, e.g.
// `tracesEndpoint: ${OTEL_EXPORTER_OTLP_TRACES_ENDPOINT:-http://collector:4318/v1/traces}`.
// `overrides` are values set in code (e.g. a Node-RED config node's form) and win over all.
import { ConfigError, type ConfigIssue } from './config-error';
import type { ThreadlineConfigInput } from './config-input';
import { readOtelEnvironment } from './env';
import { dottedPath, valueAt } from './json-pointer';
import type { Environment } from './env-substitution';
import { resolveConfig, type ConfigLayer, type ConfigWarning } from './resolve-config';
import { sharedSchemaValidator } from './schema-validator';
import type { ParsedText, TextFormat } from './structured-text';
import type { ThreadlineConfig } from './types';
import { locateIssues, parseValidatedText, readValidatedFile, type ValidatedText } from './validated-text';

/** $id of the configuration schema, schemas/threadline-config.schema.json. */
export const CONFIG_SCHEMA_ID = 'https://threadline.dev/schemas/threadline-config.schema.json';

const SUBJECT = 'Threadline configuration';

/** A configuration file read by another loader; see LoadConfigOptions.fileLayer. */
export interface FileLayer {
  /** Name used in messages, usually the file path. */
  source: string;
  input: ThreadlineConfigInput;
  parsed?: ParsedText;
}

export interface LoadConfigOptions {
  /** A YAML (.yaml, .yml) or JSON (.json) configuration file; other names are sniffed. */
  file?: string;
  /** Environment for OTEL_* variables and ${VAR} references. Default: process.env. */
  env?: Environment;
  /**
   * Instead of `file`: a file another loader has already read and validated (for example the
   * interceptor's, whose telemetry fields have this shape at the same paths). It takes the file's
   * place in the layers, and `parsed` gives its cross-field problems their lines.
   */
  fileLayer?: FileLayer;
  /** Values set in code; they win over the file and the environment. */
  overrides?: ThreadlineConfigInput;
  /** Receives each ignored or adjusted value. Default: process.emitWarning. */
  onWarning?: (warning: ConfigWarning) => void;
}

/**
 * Loads, validates and resolves the configuration. Throws ConfigError listing every problem
 * (file, field, line:column, what is wrong); invalid OTEL_* values are warnings instead, except
 * where ignoring them would send spans somewhere unintended.
 */
export function loadConfig(options: LoadConfigOptions = {}): ThreadlineConfig {
  const env = options.env ?? process.env;
  const onWarning = options.onWarning ?? emitWarning;
  const issues: ConfigIssue[] = [];
  const layers: ConfigLayer[] = [];

  const environment = readOtelEnvironment(env);
  layers.push({ source: 'environment', input: environment.input, explicit: false, variables: environment.variables });

  if (options.file !== undefined) {
    const file = collect(issues, () => readValidatedFile<ThreadlineConfigInput>(options.file as string, CONFIG_SCHEMA_ID, { env, emptyValue: {}, subject: SUBJECT }));
    if (file !== undefined) layers.push({ source: options.file, input: file.data, explicit: true, parsed: file.parsed });
  } else if (options.fileLayer !== undefined) {
    const { source, input, parsed } = options.fileLayer;
    layers.push({ source, input, explicit: true, ...(parsed === undefined ? {} : { parsed }) });
  }
  if (options.overrides !== undefined) {
    const overrideIssues = sharedSchemaValidator().validate(CONFIG_SCHEMA_ID, options.overrides);
    issues.push(...locateIssues(overrideIssues, 'overrides'));
    if (overrideIssues.length === 0) layers.push({ source: 'overrides', input: options.overrides, explicit: true });
  }

  // A fatal environment value only matters when no higher layer sets the same field.
  const setAbove = (pointer: string): boolean => layers.some((layer) => layer.explicit && valueAt(layer.input, pointer) !== undefined);
  for (const problem of environment.errors) {
    if (!setAbove(problem.path)) issues.push({ source: 'environment', variable: problem.variable, path: problem.path, field: dottedPath(problem.path), message: problem.message });
  }
  if (issues.length > 0) throw new ConfigError(issues, SUBJECT);

  const resolved = resolveConfig(layers);
  if (resolved.issues.length > 0) throw new ConfigError(resolved.issues, SUBJECT);
  for (const warning of environment.warnings) onWarning({ source: 'environment', variable: warning.variable, message: warning.message });
  for (const warning of resolved.warnings) onWarning(warning);
  return resolved.config;
}

/**
 * Parses configuration text (YAML or JSON), substitutes ${VAR} references and validates it.
 * Returns the file's own values, not yet merged with defaults or the environment: pass them to
 * loadConfig({ overrides }) to resolve. Throws ConfigError.
 */
export function parseConfigText(text: string, sourceName: string, options: { env?: Environment; format?: TextFormat } = {}): ThreadlineConfigInput {
  return parseValidatedText<ThreadlineConfigInput>(text, sourceName, CONFIG_SCHEMA_ID, { ...options, emptyValue: {}, subject: SUBJECT }).data;
}

function collect<T>(issues: ConfigIssue[], read: () => ValidatedText<T>): ValidatedText<T> | undefined {
  try {
    return read();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    issues.push(...error.issues);
    return undefined;
  }
}

function emitWarning(warning: ConfigWarning): void {
  process.emitWarning(warning.message, { type: 'ThreadlineConfigWarning', code: 'THREADLINE_CONFIG' });
}
