// From the fields of a `threadline-config` node (as the editor saved them) to the options of
// createThreadline. The fields become loadConfig overrides, so a wrong value is reported by the
// configuration schema with the field path; what the form leaves empty falls back to the OTEL_*
// environment and the embedded defaults.
import * as path from 'node:path';
import type { SamplerName, ThreadlineConfigInput, ThreadlineOptions } from '@threadline/connectors';
import { ConfigError, SAMPLER_NAMES, formatIssue, parseRulesText } from '@threadline/connectors';
import { autoTraceConfigOptions } from '../auto/options';

export const DEFAULT_SERVICE_NAME = 'node-red';
export const DEFAULT_SPAN_DEADLINE_SECONDS = 300;

export type RulesSource = 'default' | 'inline' | 'file';

/** The config node's `defaults` in the editor. */
export interface ConfigNodeFields {
  name?: string;
  serviceName?: string;
  endpoint?: string;
  protocol?: string;
  sampler?: string;
  ratio?: string | number;
  rulesSource?: string;
  rules?: string;
  rulesFile?: string;
  autoTracing?: boolean;
  deadline?: string | number;
}

/** The config node's credentials: kept out of flows.json by Node-RED. */
export interface ConfigNodeCredentials {
  /** Sent as `authorization: Bearer <token>`. */
  token?: string;
  /** One `name: value` per line. */
  headers?: string;
}

export interface ConfigNodeSettings {
  options: ThreadlineOptions;
  autoTracing: boolean;
  spanDeadlineMs: number;
}

function text(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

function numberField(value: unknown, field: string): number | undefined {
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) return undefined;
  const parsed = typeof value === 'number' ? value : Number(String(value).trim());
  if (!Number.isFinite(parsed)) throw new Error(`${field}: expected a number, got ${JSON.stringify(value)}`);
  return parsed;
}

/** `name: value` lines (blank lines and lines starting with # ignored); throws naming the line. */
export function parseHeaderLines(value: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  (value ?? '').split(/\r?\n/).forEach((line, index) => {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const colon = trimmed.indexOf(':');
    const name = colon > 0 ? trimmed.slice(0, colon).trim() : '';
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
      throw new Error(`collector headers, line ${index + 1}: expected "name: value" with a header name before the colon`);
    }
    headers[name.toLowerCase()] = trimmed.slice(colon + 1).trim();
  });
  return headers;
}

/** Throws an Error naming the field for anything the form got wrong. */
export function configNodeSettings(fields: ConfigNodeFields, credentials: ConfigNodeCredentials = {}, userDir?: string): ConfigNodeSettings {
  const overrides: ThreadlineConfigInput = {
    service: { name: text(fields.serviceName) ?? DEFAULT_SERVICE_NAME },
  };
  const exporter: NonNullable<ThreadlineConfigInput['exporter']> = {};
  const endpoint = text(fields.endpoint);
  if (endpoint !== undefined) exporter.tracesEndpoint = endpoint;
  const protocol = text(fields.protocol);
  if (protocol !== undefined) {
    if (protocol !== 'http/protobuf' && protocol !== 'http/json') throw new Error(`protocol: expected http/protobuf or http/json, got "${protocol}"`);
    exporter.protocol = protocol;
  }
  const headers = parseHeaderLines(credentials.headers);
  const token = text(credentials.token);
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  if (Object.keys(headers).length > 0) exporter.headers = headers;
  if (Object.keys(exporter).length > 0) overrides.exporter = exporter;

  const sampler = text(fields.sampler);
  const ratio = numberField(fields.ratio, 'sampling ratio');
  if (sampler !== undefined || ratio !== undefined) {
    if (sampler !== undefined && !SAMPLER_NAMES.includes(sampler as SamplerName)) {
      throw new Error(`sampler: expected one of ${SAMPLER_NAMES.join(', ')}, got "${sampler}"`);
    }
    overrides.sampling = {};
    if (sampler !== undefined) overrides.sampling.sampler = sampler as SamplerName;
    if (ratio !== undefined) overrides.sampling.ratio = ratio;
  }

  const autoTracing = fields.autoTracing === true;
  // a config node that traces every node gets the deeper export queue and larger batches (unless the environment sets them)
  const options: ThreadlineOptions = autoTracing ? { overrides, ...autoTraceConfigOptions() } : { overrides };
  const rulesSource = (text(fields.rulesSource) ?? 'default') as RulesSource;
  if (rulesSource === 'inline') {
    const rulesText = typeof fields.rules === 'string' ? fields.rules : '';
    if (rulesText.trim() === '') throw new Error('rules: "inline" is selected but no rules are written');
    // YAML is a superset of JSON, so the one parser takes both; errors carry the line.
    options.rules = parseRulesText(rulesText, 'inline rules.yaml').rules;
  } else if (rulesSource === 'file') {
    const file = text(fields.rulesFile);
    if (file === undefined) throw new Error('rules file: "file" is selected but no file is named');
    overrides.redaction = { rulesFile: path.resolve(userDir ?? process.cwd(), file) };
  } else if (rulesSource !== 'default') {
    throw new Error(`rules: expected default, inline or file, got "${rulesSource}"`);
  }

  const deadline = numberField(fields.deadline, 'span deadline') ?? DEFAULT_SPAN_DEADLINE_SECONDS;
  if (deadline <= 0) throw new Error(`span deadline: expected more than 0 seconds, got ${deadline}`);
  return { options, autoTracing, spanDeadlineMs: deadline * 1000 };
}

/** The form's labels for the configuration fields it sets, so a problem names what the user sees. */
const FORM_LABELS: Record<string, string> = {
  'service.name': 'Service',
  'exporter.tracesEndpoint': 'Collector',
  'exporter.protocol': 'Protocol',
  'sampling.sampler': 'Sampling',
  'sampling.ratio': 'Ratio',
  'redaction.rulesFile': 'Rules file',
};

/**
 * Why the config node could not start, in the form's words: a ConfigError about the form's values
 * names the form field; problems in a rules file or the environment keep their file, line and
 * variable.
 */
export function describeStartProblem(error: unknown): string {
  if (!(error instanceof ConfigError)) return error instanceof Error ? error.message : String(error);
  return error.issues
    .map((issue) => {
      if (issue.source !== 'overrides') return formatIssue(issue);
      const field = issue.field.startsWith('exporter.headers') ? 'Headers' : FORM_LABELS[issue.field] ?? issue.field;
      return `${field}: ${issue.message}`;
    })
    .join('; ');
}
