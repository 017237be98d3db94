// Automatic tracing as settings.js describes it:
//
//   threadline: {
//     autoTrace: {
//       enabled: true,                  // off unless true (or a config node switches it on)
//       configFile: '/etc/threadline.yaml',   // a Threadline configuration file, and/or
//       config: { service: { name: 'flows' }, exporter: { tracesEndpoint: 'http://…/v1/traces' } },
//       deadlineMs: 30000,              // open node spans are ended as incomplete after this
//       ignoreTypes: ['debug', 'junction'],   // node types that get no span
//     }
//   }
//
// Wrong values are reported by name and the plugin stays off; it never stops Node-RED starting.
import type { ConfigWarning, Environment, RecordAttributes, ThreadlineConfigInput } from '@threadline/connectors';
import type { NodeIdentity } from '../node-attributes';

export const DEFAULT_DEADLINE_MS = 30_000;

/**
 * Export queue depth (spans) of a Threadline that traces every node: a flow under load ends a
 * dozen spans per message, and the exporter's usual 2048 would drop spans in bursts.
 */
export const AUTO_TRACE_QUEUE_SIZE = 16_384;
/**
 * Spans per export request: each request costs the exporter a fixed few hundred microseconds
 * (an HTTP request, its socket writes and answer), which at the usual 512 is a sizeable share of a
 * span's cost when every node is traced. 2048 spans stay far below collectors' body limits.
 */
export const AUTO_TRACE_BATCH_SIZE = 2048;

/** The exporter settings automatic tracing defaults, as the OTEL_* variables that set them. */
const AUTO_TRACE_DEFAULTS: Readonly<Record<string, string>> = {
  OTEL_BSP_MAX_QUEUE_SIZE: String(AUTO_TRACE_QUEUE_SIZE),
  OTEL_BSP_MAX_EXPORT_BATCH_SIZE: String(AUTO_TRACE_BATCH_SIZE),
};

function isUnset(value: string | undefined): boolean {
  return value === undefined || value.trim() === '';
}

/**
 * The environment a Threadline for automatic tracing is configured from: `env` with the deeper
 * queue and larger batches as OTEL_BSP_* variables where `env` does not set them. They act as the
 * lowest layer above the embedded defaults, so a real OTEL_BSP_* variable, a configuration file,
 * settings.js `config` or a config node's own value still decide.
 */
export function autoTraceEnvironment(env: Environment = process.env): Environment {
  let result = env;
  for (const [name, value] of Object.entries(AUTO_TRACE_DEFAULTS)) if (isUnset(env[name])) result = { ...result, [name]: value };
  return result;
}

/**
 * The configuration warnings to show for `env`: not those about a default autoTraceEnvironment
 * put in (e.g. the batch size clamped to a smaller queue a file sets), which would name a
 * variable the user never set.
 */
export function autoTraceWarnings(env: Environment = process.env): (warning: ConfigWarning) => void {
  return (warning) => {
    if (warning.variable !== undefined && Object.hasOwn(AUTO_TRACE_DEFAULTS, warning.variable) && isUnset(env[warning.variable])) return;
    process.emitWarning(warning.message, { type: 'ThreadlineConfigWarning', code: 'THREADLINE_CONFIG' });
  };
}

/** loadConfig options for a Threadline that traces every node: the defaults above, and their warnings left out. */
export function autoTraceConfigOptions(env: Environment = process.env): { env: Environment; onWarning: (warning: ConfigWarning) => void } {
  return { env: autoTraceEnvironment(env), onWarning: autoTraceWarnings(env) };
}

export interface AutoTraceSettings {
  enabled: boolean;
  configFile?: string;
  config?: ThreadlineConfigInput;
  deadlineMs: number;
  ignoreTypes: string[];
}

/** How the tracer itself behaves, whoever owns the pipeline. */
export interface TracerOptions {
  deadlineMs: number;
  ignoreTypes: ReadonlySet<string>;
  /** `node_red.flow.*` of the flow a node runs in (node-attributes.ts); default: node_red.flow.id from the node's `z`. */
  flowAttributes?: (node: NodeIdentity) => RecordAttributes;
}

export class AutoTraceSettingsError extends Error {
  constructor(readonly problems: string[]) {
    super(`Threadline automatic tracing: invalid settings.js threadline.autoTrace: ${problems.join('; ')}`);
    this.name = 'AutoTraceSettingsError';
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function positiveInteger(value: unknown, field: string, fallback: number, problems: string[]): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    problems.push(`${field}: expected a positive integer, got ${JSON.stringify(value)}`);
    return fallback;
  }
  return value;
}

/** Reads `settings.threadline.autoTrace`; throws AutoTraceSettingsError naming each wrong field. */
export function readAutoTraceSettings(settings: Record<string, unknown> | undefined): AutoTraceSettings {
  const section = isObject(settings?.threadline) ? settings.threadline.autoTrace : undefined;
  const defaults: AutoTraceSettings = { enabled: false, deadlineMs: DEFAULT_DEADLINE_MS, ignoreTypes: [] };
  if (section === undefined) return defaults;
  const prefix = 'threadline.autoTrace';
  if (!isObject(section)) throw new AutoTraceSettingsError([`${prefix}: expected an object`]);
  const problems: string[] = [];
  const known = new Set(['enabled', 'configFile', 'config', 'deadlineMs', 'ignoreTypes']);
  for (const key of Object.keys(section)) if (!known.has(key)) problems.push(`${prefix}.${key}: unknown field`);
  if (section.enabled !== undefined && typeof section.enabled !== 'boolean') problems.push(`${prefix}.enabled: expected true or false`);
  if (section.configFile !== undefined && (typeof section.configFile !== 'string' || section.configFile === '')) {
    problems.push(`${prefix}.configFile: expected a file path`);
  }
  if (section.config !== undefined && !isObject(section.config)) problems.push(`${prefix}.config: expected an object`);
  const ignoreTypes = section.ignoreTypes ?? [];
  if (!Array.isArray(ignoreTypes) || ignoreTypes.some((type) => typeof type !== 'string')) {
    problems.push(`${prefix}.ignoreTypes: expected an array of node type names`);
  }
  const result: AutoTraceSettings = {
    enabled: section.enabled === true,
    deadlineMs: positiveInteger(section.deadlineMs, `${prefix}.deadlineMs`, DEFAULT_DEADLINE_MS, problems),
    ignoreTypes: Array.isArray(ignoreTypes) ? ignoreTypes.filter((type): type is string => typeof type === 'string') : [],
  };
  if (typeof section.configFile === 'string' && section.configFile !== '') result.configFile = section.configFile;
  if (isObject(section.config)) result.config = section.config as ThreadlineConfigInput;
  if (problems.length > 0) throw new AutoTraceSettingsError(problems);
  return result;
}
