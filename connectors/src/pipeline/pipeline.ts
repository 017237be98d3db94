// One pipeline for every span: sample → enrich (resource) → redact → batch → export. Spans from
// the tracer and from span records take the same path; the redact stage is the provider's only
// span processor and the only way into the export queue.
import type { Tracer } from '@opentelemetry/api';
import { diag, SpanStatusCode, trace } from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { IdGenerator, Sampler, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import type { ThreadlineConfig } from '../config/types';
import type { CompiledRules } from '../redaction/compile';
import { RuleEngine } from '../redaction/engine';
import { rulesFromRedactionConfig } from '../redaction/load';
import { RulesHolder } from '../redaction/rules-holder';
import type { SpanRecord, TraceCarrier } from '../model';
import { BufferedIdGenerator } from '../propagation/ids';
import { FLAG_SAMPLED } from '../propagation/traceparent';
import { BatchQueue } from './export/batch-queue';
import { createOtlpExporter } from './export/otlp-exporter';
import type { RedactionFailureMode } from './redact/redact-stage';
import { RedactStage } from './redact/redact-stage';
import type { Redactor } from './redact/redactor';
import { LeanTracer, spanLimitsFromEnv } from './lean-tracer';
import { RandomFlagTracer } from './random-flag-tracer';
import { recordToReadableSpan } from './record-span';
import { buildResource } from './resource';
import { createSamplerFromConfig } from './sampling/sampler-from-config';
import type { EndRecordOptions, EndRecordResult, OpenedRecord, OpenRecordOptions, RecordOpenerOptions } from './span-record';
import { openedBy, openRecordWithFacts, recordToCarrier, stillAsOpened, validateRecord } from './span-record';
import type { PipelineStats } from './stats';
import { PipelineCounters } from './stats';
import { RecordSweeper } from './sweeper';
import { toHrTime } from './time';

/** Instrumentation scope of the pipeline's own tracer and of records opened without one. */
export const PIPELINE_SCOPE_NAME = '@threadline/connectors';
export const ABANDONED_STATUS_MESSAGE = 'span abandoned';

export interface PipelineOptions {
  /** Any OpenTelemetry SpanExporter instead of the OTLP one the config describes. */
  exporter?: SpanExporter;
  /** Default: crypto-random ids from a buffered pool. */
  idGenerator?: IdGenerator;
  /**
   * Whether the idGenerator's trace ids are random in their right-most 7 bytes (W3C Level 2), so
   * spans and records that start a trace carry the random flag. Default true; set false for a generator
   * that embeds a timestamp or a counter there.
   */
  randomTraceIds?: boolean;
  /** Instead of the sampler `config.sampling` describes. */
  sampler?: Sampler;
  /**
   * The redaction rules in force: compiled rules, or a RulesHolder to reload them while spans
   * flow. Default: what `config.redaction` names (a rules file, inline rules, else the strict
   * default rules).
   */
  rules?: CompiledRules | RulesHolder;
  /** Instead of the rule engine (tests, custom redaction). */
  redactor?: Redactor;
  /** Default `strip`; see RedactionFailureMode. */
  onRedactionFailure?: RedactionFailureMode;
  /** Register the provider as the global tracer provider. Default false. */
  registerGlobal?: boolean;
  /** How long shutdown keeps exporting before it gives up. Default: twice exporter.timeoutMillis, at least 1 s. */
  shutdownTimeoutMillis?: number;
  /** How often tracked records are checked against their deadlines. Default 1000 ms. */
  sweepIntervalMillis?: number;
}

export interface Pipeline {
  /** Tracer of the pipeline's own scope. */
  readonly tracer: Tracer;
  readonly provider: BasicTracerProvider;
  readonly resource: Resource;
  readonly sampler: Sampler;
  /** The redaction rules in force; `load(file)` / `reload()` swap them atomically (an invalid file changes nothing). */
  readonly redactionRules: RulesHolder;
  getTracer(name: string, version?: string): Tracer;
  /**
   * A tracer for hot paths that start and end a span per request with an explicit parent context:
   * the same decisions and the same redact → batch → export path, without the SDK's span object
   * (see lean-tracer.ts).
   */
  getLeanTracer(name: string, version?: string): Tracer;
  /** Resolves once every span queued so far is exported or given up on. */
  forceFlush(): Promise<void>;
  /**
   * Ends tracked records as abandoned, exports what is queued, and resolves within about
   * shutdownTimeoutMillis even when the collector is down. Idempotent; never rejects.
   */
  shutdown(): Promise<void>;
  /** Exact counters; see PipelineStats. */
  stats(): PipelineStats;
  /** Opens a span record; never throws (an invalid parent starts a new trace). */
  openRecord(options: OpenRecordOptions): SpanRecord;
  /** Closes a record into one exported span (when sampled); never throws, the result says what happened. */
  endRecord(record: SpanRecord, options?: EndRecordOptions): EndRecordResult;
  /** The record as the parent of outgoing calls; undefined when the record is not valid. */
  recordToCarrier(record: SpanRecord): TraceCarrier | undefined;
  /** Keep `record` in memory and end it as abandoned if it is still open `deadlineMs` from now. False for an invalid record. */
  trackRecord(record: SpanRecord, deadlineMs: number): boolean;
  /** Stop tracking `record` (endRecord does this itself). */
  untrackRecord(record: SpanRecord): boolean;
}

class ThreadlinePipeline implements Pipeline {
  readonly tracer: Tracer;
  readonly provider: BasicTracerProvider;
  readonly resource: Resource;
  readonly sampler: Sampler;
  readonly redactionRules: RulesHolder;
  private readonly counters = new PipelineCounters();
  private readonly idGenerator: IdGenerator;
  private readonly randomTraceIds: boolean;
  private readonly batchQueue: BatchQueue | undefined;
  private readonly redactStage: RedactStage | undefined;
  private readonly sweeper: RecordSweeper;
  private readonly registeredGlobal: boolean;
  private readonly defaultScope: InstrumentationScope = { name: PIPELINE_SCOPE_NAME };
  private readonly opener: RecordOpenerOptions;
  private shutdownOnce: Promise<void> | undefined;

  constructor(config: ThreadlineConfig, options: PipelineOptions) {
    this.resource = buildResource(config.service);
    this.sampler = options.sampler ?? createSamplerFromConfig(config.sampling, config.service.name);
    this.idGenerator = options.idGenerator ?? new BufferedIdGenerator();
    this.randomTraceIds = options.randomTraceIds ?? true;
    this.redactionRules = rulesHolderOf(config, options.rules);
    this.opener = { sampler: this.sampler, idGenerator: this.idGenerator, randomTraceIds: this.randomTraceIds };

    // Disabled exporter: the tracer still decides sampling and makes ids (so a trace passing
    // through keeps its ids and sampled flag downstream), but no span is queued, counted or sent.
    if (config.exporter.enabled) {
      const exporterConfig = config.exporter;
      this.batchQueue = new BatchQueue(options.exporter ?? createOtlpExporter(exporterConfig), this.counters, {
        maxQueueSize: exporterConfig.queue.maxSize,
        maxBatchSize: exporterConfig.queue.maxBatchSize,
        scheduledDelayMillis: exporterConfig.queue.scheduledDelayMillis,
        exportTimeoutMillis: exporterConfig.queue.exportTimeoutMillis,
        retry: exporterConfig.retry,
        shutdownTimeoutMillis: options.shutdownTimeoutMillis ?? Math.max(1000, 2 * exporterConfig.timeoutMillis),
      });
      const redactor = options.redactor ?? new RuleEngine(this.redactionRules);
      this.redactStage = new RedactStage(redactor, this.batchQueue, this.counters, options.onRedactionFailure);
    }

    this.provider = new BasicTracerProvider({
      resource: this.resource,
      sampler: this.sampler,
      idGenerator: this.idGenerator,
      spanProcessors: this.redactStage ? [this.redactStage] : [],
    });
    this.tracer = this.getTracer(PIPELINE_SCOPE_NAME);
    this.sweeper = new RecordSweeper((record) => this.endAbandoned(record), {
      intervalMillis: options.sweepIntervalMillis ?? 1000,
    });
    this.registeredGlobal = options.registerGlobal === true && trace.setGlobalTracerProvider(this.provider);
    if (options.registerGlobal === true && !this.registeredGlobal) {
      diag.warn('Threadline pipeline: a global tracer provider was already registered; this one was not');
    }
  }

  getTracer(name: string, version?: string): Tracer {
    return new RandomFlagTracer(this.provider.getTracer(name, version), this.randomTraceIds);
  }

  getLeanTracer(name: string, version?: string): Tracer {
    return new LeanTracer({
      sampler: this.sampler,
      idGenerator: this.idGenerator,
      randomRoots: this.randomTraceIds,
      resource: this.resource,
      scope: version === undefined ? { name } : { name, version },
      processor: this.redactStage,
      limits: spanLimitsFromEnv(),
    });
  }

  forceFlush(): Promise<void> {
    return this.redactStage?.forceFlush() ?? Promise.resolve();
  }

  shutdown(): Promise<void> {
    this.shutdownOnce ??= this.shutdownNow();
    return this.shutdownOnce;
  }

  stats(): PipelineStats {
    return this.counters.snapshot(this.batchQueue?.queued ?? 0);
  }

  openRecord(options: OpenRecordOptions): SpanRecord {
    const parent = options?.parent;
    // a parent record this pipeline opened: its context as it was built, not parsed and checked again
    const vouched = typeof parent === 'object' && parent !== null ? this.trusted(parent as SpanRecord) : undefined;
    return openRecordWithFacts(options ?? { name: '' }, this.opener, vouched).record;
  }

  endRecord(record: SpanRecord, options: EndRecordOptions = {}): EndRecordResult {
    const opened = this.trusted(record);
    if (opened === undefined) {
      const problems = validateRecord(record);
      if (problems.length > 0) return { outcome: 'invalid', problems };
    }
    if (this.sweeper.wasAbandoned(record)) return { outcome: 'already-ended' };
    this.sweeper.untrack(record);
    return this.finishRecord(record, options ?? {}, opened);
  }

  recordToCarrier(record: SpanRecord): TraceCarrier | undefined {
    return recordToCarrier(record);
  }

  trackRecord(record: SpanRecord, deadlineMs: number): boolean {
    if (this.trusted(record) === undefined && validateRecord(record).length > 0) return false;
    this.sweeper.track(record, deadlineMs);
    return true;
  }

  untrackRecord(record: SpanRecord): boolean {
    if (typeof record !== 'object' || record === null) return false;
    return this.sweeper.untrack(record);
  }

  /**
   * What this pipeline kept of `record` when it opened this very object and the record still
   * holds what it was opened with; undefined for anything else (a copy, JSON from a message, a
   * record changed since), which is validated in full. The trust boundary is the object.
   */
  private trusted(record: SpanRecord): OpenedRecord | undefined {
    if (typeof record !== 'object' || record === null) return undefined;
    const opened = openedBy(record, this.opener);
    return opened !== undefined && stillAsOpened(record, opened) ? opened : undefined;
  }

  private finishRecord(record: SpanRecord, options: EndRecordOptions, opened?: OpenedRecord): EndRecordResult {
    if (!this.redactStage) return { outcome: 'disabled' };
    if ((record.traceFlags & FLAG_SAMPLED) === 0) return { outcome: 'not-sampled' };
    try {
      const span = recordToReadableSpan(
        record,
        {
          endTime: toHrTime(options.endTime),
          status: options.status,
          attributes: options.attributes,
          events: options.events,
          error: options.error,
          incomplete: options.incomplete,
        },
        this.resource,
        this.defaultScope,
        opened,
      );
      return { outcome: this.redactStage.accept(span) ? 'queued' : 'dropped' };
    } catch (error) {
      return { outcome: 'invalid', problems: [error instanceof Error ? error.message : String(error)] };
    }
  }

  private endAbandoned(record: SpanRecord): void {
    this.finishRecord(record, { incomplete: true, status: { code: SpanStatusCode.ERROR, message: ABANDONED_STATUS_MESSAGE } });
  }

  private async shutdownNow(): Promise<void> {
    try {
      this.sweeper.stop();
      await this.provider.shutdown();
    } catch (error) {
      diag.error(`Threadline pipeline shutdown: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      if (this.registeredGlobal) trace.disable();
    }
  }
}

function rulesHolderOf(config: ThreadlineConfig, rules: CompiledRules | RulesHolder | undefined): RulesHolder {
  if (rules instanceof RulesHolder) return rules;
  if (rules !== undefined) return new RulesHolder(rules);
  return new RulesHolder(rulesFromRedactionConfig(config.redaction), config.redaction.rulesFile === undefined ? {} : { file: config.redaction.rulesFile, extraSensitiveQueryKeys: config.redaction.urlQuerySensitiveKeys });
}

/**
 * Builds the span pipeline `config` describes. Nothing is registered globally unless
 * `options.registerGlobal` is true. Throws, naming the field, when the configuration cannot work
 * (an unreadable TLS file, an endpoint that is not a URL, an unknown sampler).
 */
export function createPipeline(config: ThreadlineConfig, options: PipelineOptions = {}): Pipeline {
  return new ThreadlinePipeline(config, options);
}
