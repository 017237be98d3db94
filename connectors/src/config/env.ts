// The standard OpenTelemetry SDK environment variables, read as the OpenTelemetry specification
// ("Environment Variable Specification", "OTLP Exporter", "Resource SDK") defines them:
// - an empty value is the same as an unset one; enum values are case-insensitive;
// - a value that cannot be parsed or is out of range is ignored with a warning (as if unset);
// - OTEL_RESOURCE_ATTRIBUTES with any bad member is discarded as a whole, with a warning;
// - the per-signal OTEL_EXPORTER_OTLP_TRACES_* variables win over OTEL_EXPORTER_OTLP_*; the
//   TRACES_ endpoint is used as is, the generic one is a base URL that gets "v1/traces" appended.
// Two kinds of bad value are errors instead of warnings, because ignoring them would silently
// send spans somewhere the operator did not intend: an endpoint that is not an http(s) URL, and
// the grpc protocol (Threadline speaks OTLP over HTTP only).
import type { ThreadlineConfigInput } from './config-input';
import type { Environment } from './env-substitution';
import type { PropagatorName, SamplerName } from './types';

export interface EnvWarning {
  variable: string;
  message: string;
}

export interface EnvProblem {
  variable: string;
  /** JSON Pointer of the configuration field the variable sets. */
  path: string;
  message: string;
}

export interface OtelEnvironment {
  /** What the environment sets, in the shape of a configuration file. */
  input: ThreadlineConfigInput;
  /** Which variable set each field, by JSON Pointer. */
  variables: Record<string, string>;
  /** Values ignored, with the reason; print them. */
  warnings: EnvWarning[];
  /** Values that must not be ignored (see the module comment); fatal unless a file sets the field. */
  errors: EnvProblem[];
}

const INT32_MAX = 2147483647;

const SAMPLERS: readonly SamplerName[] = ['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'];
const RATIO_SAMPLERS: readonly SamplerName[] = ['traceidratio', 'parentbased_traceidratio'];
/** Samplers the specification knows that Threadline does not implement. */
const FOREIGN_SAMPLERS = ['jaeger_remote', 'parentbased_jaeger_remote', 'xray'];

const PROPAGATORS: readonly PropagatorName[] = ['tracecontext', 'baggage', 'b3', 'b3multi', 'jaeger'];
const FOREIGN_PROPAGATORS = ['xray', 'ottrace'];

/** Resource attributes that have their own field under `service`. */
const SERVICE_FIELDS: Record<string, 'name' | 'version' | 'namespace' | 'environment'> = {
  'service.name': 'name',
  'service.version': 'version',
  'service.namespace': 'namespace',
  'deployment.environment.name': 'environment',
};

const HTTP_TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Reads the supported OTEL_* variables from an environment (default: process.env). */
export function readOtelEnvironment(env: Environment = process.env): OtelEnvironment {
  return new EnvironmentReader(env).read();
}

class EnvironmentReader {
  private readonly input: ThreadlineConfigInput = {};
  private readonly variables: Record<string, string> = {};
  private readonly warnings: EnvWarning[] = [];
  private readonly errors: EnvProblem[] = [];

  constructor(private readonly env: Environment) {}

  read(): OtelEnvironment {
    this.readService();
    this.readExporter();
    this.readQueue();
    this.readSampling();
    this.readPropagators();
    return { input: this.input, variables: this.variables, warnings: this.warnings, errors: this.errors };
  }

  private readService(): void {
    const service: NonNullable<ThreadlineConfigInput['service']> = {};
    const resource = this.value('OTEL_RESOURCE_ATTRIBUTES');
    if (resource !== undefined) {
      const parsed = parseKeyValueList(resource);
      if (typeof parsed === 'string') {
        this.warn('OTEL_RESOURCE_ATTRIBUTES', `ignored as a whole: ${parsed}`);
      } else {
        const attributes: Record<string, string> = {};
        for (const [key, value] of parsed) {
          const field = SERVICE_FIELDS[key];
          if (field !== undefined) {
            service[field] = value;
            this.variables[`/service/${field}`] = 'OTEL_RESOURCE_ATTRIBUTES';
          } else {
            attributes[key] = value;
            this.variables[`/service/attributes/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`] = 'OTEL_RESOURCE_ATTRIBUTES';
          }
        }
        if (Object.keys(attributes).length > 0) service.attributes = attributes;
      }
    }
    const name = this.value('OTEL_SERVICE_NAME');
    if (name !== undefined) {
      service.name = name; // wins over service.name in OTEL_RESOURCE_ATTRIBUTES, as specified
      this.variables['/service/name'] = 'OTEL_SERVICE_NAME';
    }
    if (Object.keys(service).length > 0) this.input.service = service;
  }

  private readExporter(): void {
    const exporter: NonNullable<ThreadlineConfigInput['exporter']> = {};
    const set = <K extends keyof typeof exporter>(field: K, value: (typeof exporter)[K], variable: string): true => {
      exporter[field] = value;
      this.variables[`/exporter/${field}`] = variable;
      return true;
    };

    const disabled = this.value('OTEL_SDK_DISABLED');
    if (disabled !== undefined) {
      const lower = disabled.toLowerCase();
      if (lower === 'true') set('enabled', false, 'OTEL_SDK_DISABLED');
      else if (lower !== 'false') this.warn('OTEL_SDK_DISABLED', `${quote(disabled)} is neither true nor false; treated as false (export stays enabled)`);
    }

    this.readEndpoint((url, variable) => set('tracesEndpoint', url, variable));

    this.firstValid(['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', 'OTEL_EXPORTER_OTLP_PROTOCOL'], (value, variable) => {
      const lower = value.toLowerCase();
      if (lower === 'http/protobuf' || lower === 'http/json') return set('protocol', lower, variable);
      if (lower === 'grpc') {
        this.errors.push({
          variable,
          path: '/exporter/protocol',
          message: 'OTLP over gRPC is not supported; use http/protobuf (the collector listens on port 4318 for it) or http/json',
        });
        return true;
      }
      return this.warn(variable, `${quote(value)} is not an OTLP protocol; ignored (use http/protobuf or http/json)`);
    });

    this.firstValid(['OTEL_EXPORTER_OTLP_TRACES_HEADERS', 'OTEL_EXPORTER_OTLP_HEADERS'], (value, variable) => {
      const headers = parseHeaders(value);
      if (typeof headers === 'string') return this.warn(variable, `ignored as a whole: ${headers}`);
      return set('headers', headers, variable);
    });

    this.firstValid(['OTEL_EXPORTER_OTLP_TRACES_TIMEOUT', 'OTEL_EXPORTER_OTLP_TIMEOUT'], (value, variable) => {
      const millis = this.integer(variable, value, 0, '0 means no limit');
      return millis !== undefined && set('timeoutMillis', millis, variable);
    });

    this.firstValid(['OTEL_EXPORTER_OTLP_TRACES_COMPRESSION', 'OTEL_EXPORTER_OTLP_COMPRESSION'], (value, variable) => {
      const lower = value.toLowerCase();
      if (lower === 'gzip' || lower === 'none') return set('compression', lower, variable);
      return this.warn(variable, `${quote(value)} is not a supported compression; ignored (use gzip or none)`);
    });

    const tls: NonNullable<typeof exporter.tls> = {};
    const tlsFiles = [
      ['caFile', 'CERTIFICATE'],
      ['certFile', 'CLIENT_CERTIFICATE'],
      ['keyFile', 'CLIENT_KEY'],
    ] as const;
    for (const [field, suffix] of tlsFiles) {
      this.firstValid([`OTEL_EXPORTER_OTLP_TRACES_${suffix}`, `OTEL_EXPORTER_OTLP_${suffix}`], (value, variable) => {
        tls[field] = value;
        this.variables[`/exporter/tls/${field}`] = variable;
        return true;
      });
    }
    if (Object.keys(tls).length > 0) exporter.tls = tls;

    if (Object.keys(exporter).length > 0) this.input.exporter = { ...this.input.exporter, ...exporter };
  }

  // OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is used as is (an empty path becomes "/");
  // OTEL_EXPORTER_OTLP_ENDPOINT is a base URL: "v1/traces" is appended after a "/".
  private readEndpoint(use: (url: string, variable: string) => void): void {
    const perSignal = this.value('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
    const [variable, value] = perSignal !== undefined ? ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', perSignal] : ['OTEL_EXPORTER_OTLP_ENDPOINT', this.value('OTEL_EXPORTER_OTLP_ENDPOINT')];
    if (value === undefined) return;
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      url = new URL('invalid:');
    }
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') {
      this.errors.push({
        variable,
        path: '/exporter/tracesEndpoint',
        message: `${quote(hideUserInfo(value))} is not an http:// or https:// URL with a host; spans would have nowhere sensible to go`,
      });
      return;
    }
    if (variable === 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT') {
      use(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*(?=[?#]|$)/i.test(value) ? value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/?#]*)/i, '$1/') : value, variable);
    } else {
      url.pathname = url.pathname.endsWith('/') ? `${url.pathname}v1/traces` : `${url.pathname}/v1/traces`;
      use(url.href, variable);
    }
  }

  private readQueue(): void {
    const queue: NonNullable<NonNullable<ThreadlineConfigInput['exporter']>['queue']> = {};
    const settings = [
      ['maxSize', 'OTEL_BSP_MAX_QUEUE_SIZE', 1, undefined],
      ['maxBatchSize', 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE', 1, undefined],
      ['scheduledDelayMillis', 'OTEL_BSP_SCHEDULE_DELAY', 0, undefined],
      ['exportTimeoutMillis', 'OTEL_BSP_EXPORT_TIMEOUT', 0, '0 means no limit'],
    ] as const;
    for (const [field, variable, min, note] of settings) {
      const value = this.value(variable);
      if (value === undefined) continue;
      const number = this.integer(variable, value, min, note);
      if (number === undefined) continue;
      queue[field] = number;
      this.variables[`/exporter/queue/${field}`] = variable;
    }
    if (Object.keys(queue).length > 0) this.input.exporter = { ...this.input.exporter, queue };
  }

  private readSampling(): void {
    const samplerValue = this.value('OTEL_TRACES_SAMPLER');
    let sampler: SamplerName | undefined;
    if (samplerValue !== undefined) {
      const lower = samplerValue.toLowerCase();
      if ((SAMPLERS as readonly string[]).includes(lower)) sampler = lower as SamplerName;
      else if (FOREIGN_SAMPLERS.includes(lower)) this.warn('OTEL_TRACES_SAMPLER', `${quote(samplerValue)} is not supported by Threadline; ignored`);
      else this.warn('OTEL_TRACES_SAMPLER', `${quote(samplerValue)} is not a known sampler; ignored (use one of ${SAMPLERS.join(', ')})`);
    }
    const sampling: NonNullable<ThreadlineConfigInput['sampling']> = {};
    if (sampler !== undefined) {
      sampling.sampler = sampler;
      this.variables['/sampling/sampler'] = 'OTEL_TRACES_SAMPLER';
    }
    const argument = this.value('OTEL_TRACES_SAMPLER_ARG');
    if (argument !== undefined) {
      if (sampler === undefined) {
        this.warn('OTEL_TRACES_SAMPLER_ARG', 'ignored: it only applies together with a valid OTEL_TRACES_SAMPLER');
      } else if (!RATIO_SAMPLERS.includes(sampler)) {
        this.warn('OTEL_TRACES_SAMPLER_ARG', `ignored: the ${sampler} sampler takes no argument`);
      } else {
        const ratio = /^[+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$/.test(argument) ? Number(argument) : NaN;
        if (ratio >= 0 && ratio <= 1) {
          sampling.ratio = ratio;
          this.variables['/sampling/ratio'] = 'OTEL_TRACES_SAMPLER_ARG';
        } else {
          this.warn('OTEL_TRACES_SAMPLER_ARG', `${quote(argument)} is not a probability from 0 to 1; ignored`);
        }
      }
    }
    if (Object.keys(sampling).length > 0) this.input.sampling = sampling;
  }

  private readPropagators(): void {
    const value = this.value('OTEL_PROPAGATORS');
    if (value === undefined) return;
    const names = [...new Set(value.split(',').map((name) => name.trim().toLowerCase()).filter((name) => name !== ''))];
    const chosen: PropagatorName[] = [];
    if (names.includes('none')) {
      if (names.length > 1) this.warn('OTEL_PROPAGATORS', `'none' is listed with other names; none of them is used`);
    } else {
      for (const name of names) {
        if ((PROPAGATORS as readonly string[]).includes(name)) chosen.push(name as PropagatorName);
        else if (FOREIGN_PROPAGATORS.includes(name)) this.warn('OTEL_PROPAGATORS', `'${name}' is not supported by Threadline; skipped`);
        else this.warn('OTEL_PROPAGATORS', `'${name}' is not a known propagator; skipped (use ${PROPAGATORS.join(', ')} or none)`);
      }
      if (chosen.length === 0) return; // nothing usable: as if unset
    }
    this.input.propagation = { inbound: chosen, outbound: [...chosen] };
    this.variables['/propagation/inbound'] = 'OTEL_PROPAGATORS';
    this.variables['/propagation/outbound'] = 'OTEL_PROPAGATORS';
  }

  /** The variable's value; empty or blank counts as unset, as the specification requires. */
  private value(name: string): string | undefined {
    const raw = this.env[name];
    if (raw === undefined) return undefined;
    const trimmed = raw.trim();
    return trimmed === '' ? undefined : trimmed;
  }

  /** Tries the variables in order; `accept` returns false for an invalid (ignored) value. */
  private firstValid(names: readonly string[], accept: (value: string, variable: string) => boolean): void {
    for (const name of names) {
      const value = this.value(name);
      if (value !== undefined && accept(value, name)) return;
    }
  }

  private integer(variable: string, value: string, min: number, note: string | undefined): number | undefined {
    const number = /^[0-9]+$/.test(value) ? Number(value) : NaN;
    if (number >= min && number <= INT32_MAX) return number;
    this.warn(variable, `${quote(value)} is not an integer from ${min} to ${INT32_MAX}${note === undefined ? '' : ` (${note})`}; ignored`);
    return undefined;
  }

  private warn(variable: string, message: string): false {
    this.warnings.push({ variable, message: `${variable}: ${message}` });
    return false;
  }
}

/**
 * Parses a comma-separated key=value list (OTEL_RESOURCE_ATTRIBUTES, OTEL_EXPORTER_OTLP_HEADERS):
 * spaces around members, keys and values are trimmed, keys and values are percent-decoded, empty
 * members are skipped. Returns the entries in order, or a message saying what is wrong.
 */
export function parseKeyValueList(text: string): Array<[string, string]> | string {
  const entries: Array<[string, string]> = [];
  for (const member of text.split(',')) {
    if (member.trim() === '') continue;
    const equals = member.indexOf('=');
    if (equals === -1) return `member ${entries.length + 1} has no '=' (expected key=value)`;
    let key: string;
    let value: string;
    try {
      key = decodeURIComponent(member.slice(0, equals).trim());
      value = decodeURIComponent(member.slice(equals + 1).trim());
    } catch {
      return `member ${entries.length + 1} has an invalid percent-encoding (write '%' as %25)`;
    }
    if (key === '') return `member ${entries.length + 1} has an empty key`;
    entries.push([key, value]);
  }
  return entries;
}

// Header values are usually credentials: messages name the member, never the value.
function parseHeaders(text: string): Record<string, string> | string {
  const entries = parseKeyValueList(text);
  if (typeof entries === 'string') return entries;
  const headers: Record<string, string> = {};
  for (const [index, [name, value]] of entries.entries()) {
    if (!HTTP_TOKEN.test(name)) return `member ${index + 1} has a name that is not a valid HTTP header name`;
    if (hasControlCharacter(value)) return `the value of header '${name}' contains line breaks or control characters`;
    headers[name] = value;
  }
  return headers;
}

/** Control characters other than tab would split or corrupt the HTTP header. */
function hasControlCharacter(value: string): boolean {
  for (let index = 0; index < value.length; index++) {
    const code = value.charCodeAt(index);
    if ((code < 0x20 && code !== 0x09) || code === 0x7f) return true;
  }
  return false;
}

function quote(value: string): string {
  return JSON.stringify(value.length > 80 ? value.slice(0, 77) + '...' : value);
}

function hideUserInfo(url: string): string {
  return url.replace(/\/\/[^/@]*@/, '//***@');
}
