// The spans one execute() call produces. Records are opened with connectors' span records and
// closed here through the same redact stage as every other Threadline span (strict default rules
// plus the credential's baggage rules); the redacted spans wait in memory until span-export.ts
// sends them, before execute() returns. No queue, no timer: nothing outlives the call.
import type { CompiledRules, RecordAttributes, RecordEnd, RedactedSpan, RedactedSpanSink, SpanRecord, SpanRecordKind, TraceCarrier } from './connectors';
import {
  buildResource,
  BufferedIdGenerator,
  ConsistentProbabilitySampler,
  FLAG_SAMPLED,
  hrTimeToNanosString,
  openSpanRecord,
  ParentBasedSampler,
  PipelineCounters,
  recordToReadableSpan,
  RedactStage,
  RuleEngine,
  toHrTime,
  validateRecord,
} from './connectors';
import type { CollectorSettings } from './collector-settings';
import { PACKAGE_NAME, PACKAGE_VERSION } from './package-info';

const SCOPE = { name: PACKAGE_NAME, version: PACKAGE_VERSION };

class CollectingSink implements RedactedSpanSink {
  readonly spans: RedactedSpan[] = [];

  push(span: RedactedSpan): boolean {
    this.spans.push(span);
    return true;
  }

  canAccept(): boolean {
    return true;
  }

  countDropped(): void {}

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

export interface OpenOptions {
  name: string;
  kind?: SpanRecordKind;
  parent?: TraceCarrier;
  attributes?: RecordAttributes;
}

/** What ending a record adds: like RecordEnd, with the end time defaulting to now. */
export type EndOptions = Omit<RecordEnd, 'endTime'>;

export class SpanBatch {
  private readonly sink = new CollectingSink();
  private readonly stage: RedactStage;
  private readonly counters = new PipelineCounters();
  private readonly resource;
  private readonly sampler;
  private readonly idGenerator = new BufferedIdGenerator();

  constructor(settings: CollectorSettings, rules: CompiledRules) {
    this.resource = buildResource({ name: settings.serviceName, attributes: {} });
    this.sampler = new ParentBasedSampler({ root: new ConsistentProbabilitySampler(settings.samplingRatio) });
    this.stage = new RedactStage(new RuleEngine(rules), this.sink, this.counters);
  }

  /** A new span record: a child of `parent`, or the root of a new trace (sampled by the credential's ratio). */
  open(options: OpenOptions): SpanRecord {
    return openSpanRecord(
      { name: options.name, kind: options.kind, parent: options.parent, attributes: options.attributes, scope: SCOPE },
      { sampler: this.sampler, idGenerator: this.idGenerator, randomTraceIds: true },
    );
  }

  /**
   * Ends `record` into one redacted span waiting for export. Returns the problems when the record
   * is not a span record (nothing is recorded then); an unsampled record ends silently by design.
   */
  end(record: SpanRecord, options: EndOptions = {}): string[] {
    const problems = validateRecord(record);
    if (problems.length > 0) return problems;
    if ((record.traceFlags & FLAG_SAMPLED) === 0) return [];
    const span = recordToReadableSpan(record, { ...options, endTime: toHrTime(undefined) }, this.resource, SCOPE);
    this.stage.accept(span);
    return [];
  }

  /** The redacted spans ended so far. */
  get spans(): readonly RedactedSpan[] {
    return this.sink.spans;
  }

  /** Spans whose redaction failed (exported stripped of attributes). */
  get redactionFailures(): number {
    return this.counters.redactionFailures;
  }
}

/** Now, as span records write times (nanoseconds since the epoch, a decimal string). */
export function nowUnixNano(): string {
  return hrTimeToNanosString(toHrTime(undefined));
}
