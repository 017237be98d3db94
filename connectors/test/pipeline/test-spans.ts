// Small builders for pipeline unit tests: finished spans without a tracer, and an exporter that
// records what it was given and answers as told.
import type { Attributes, SpanContext } from '@opentelemetry/api';
import { SpanKind, SpanStatusCode, TraceFlags } from '@opentelemetry/api';
import type { ExportResult } from '@opentelemetry/core';
import { ExportResultCode } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableSpan, SpanExporter, TimedEvent } from '@opentelemetry/sdk-trace-base';

let sequence = 0;

export function finishedSpan(overrides: { attributes?: Attributes; events?: TimedEvent[]; name?: string; sampled?: boolean } = {}): ReadableSpan {
  sequence++;
  const context: SpanContext = {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: sequence.toString(16).padStart(16, '0'),
    traceFlags: overrides.sampled === false ? TraceFlags.NONE : TraceFlags.SAMPLED,
  };
  return {
    name: overrides.name ?? `span-${sequence}`,
    kind: SpanKind.INTERNAL,
    spanContext: () => context,
    parentSpanContext: undefined,
    startTime: [1_700_000_000, 0],
    endTime: [1_700_000_001, 0],
    status: { code: SpanStatusCode.UNSET },
    attributes: overrides.attributes ?? {},
    links: [],
    events: overrides.events ?? [],
    duration: [1, 0],
    ended: true,
    resource: resourceFromAttributes({ 'service.name': 'unit' }),
    instrumentationScope: { name: 'unit' },
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  };
}

type Answer = ExportResult | 'hang';

/** Records every export call; answers from `script` in order (then SUCCESS), asynchronously. */
export class ScriptedExporter implements SpanExporter {
  readonly calls: ReadableSpan[][] = [];
  readonly script: Answer[] = [];
  shutdowns = 0;

  get exported(): ReadableSpan[] {
    return this.calls.flat();
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    this.calls.push(spans.slice());
    const answer = this.script.shift() ?? { code: ExportResultCode.SUCCESS };
    if (answer === 'hang') return;
    setImmediate(() => resultCallback(answer));
  }

  async shutdown(): Promise<void> {
    this.shutdowns++;
  }
}
