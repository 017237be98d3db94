// Public API of configuration loading and schema validation.
export type * from './types';
export type { DeepPartial, ThreadlineConfigInput } from './config-input';
export { ConfigError, formatIssue, type ConfigIssue } from './config-error';
export { CONFIG_SCHEMA_ID, loadConfig, parseConfigText, type FileLayer, type LoadConfigOptions } from './load-config';
export { resolveConfig, type ConfigLayer, type ConfigWarning, type ResolvedConfig } from './resolve-config';
export { readOtelEnvironment, parseKeyValueList, type EnvProblem, type EnvWarning, type OtelEnvironment } from './env';
export { defaultConfig, DEFAULT_EXPORT_TIMEOUT_MILLIS, DEFAULT_SERVICE_NAME, DEFAULT_TRACES_ENDPOINT, NO_TIMEOUT_MILLIS, SEMCONV_SENSITIVE_QUERY_KEYS } from './defaults';
export { expandReferences, substituteEnvReferences, type Environment, type ExpandResult } from './env-substitution';
export { detectFormat, parseText, type ParsedText, type TextFormat, type TextPosition } from './structured-text';
export { SchemaValidator, registerSchema, sharedSchemaValidator, validate, type SchemaIssue, type SchemaValidatorOptions } from './schema-validator';
export { locateIssues, parseValidatedText, readValidatedFile, type ValidatedText, type ValidatedTextOptions } from './validated-text';
