import * as fc from 'fast-check';
import type { Attributes } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { BatchQueue } from '../../../src/pipeline/export/batch-queue';
import { ATTR_REDACTION_FAILED, RedactStage } from '../../../src/pipeline/redact/redact-stage';
import type { Redactor } from '../../../src/pipeline/redact/redactor';
import { partsOf } from '../../../src/pipeline/redact/redactor';
import { compileRules, RuleEngine } from '../../../src/redaction';
import { PipelineCounters } from '../../../src/pipeline/stats';
import { finishedSpan, ScriptedExporter } from '../test-spans';

/** The semantic-convention URL defaults alone: rules with nothing else turned on. */
const urlDefaults = (): Redactor => new RuleEngine(compileRules({ summary: false }));

function stage(redactor: Redactor, mode: 'strip' | 'drop' = 'strip', maxQueueSize = 100) {
  const exporter = new ScriptedExporter();
  const counters = new PipelineCounters();
  const queue = new BatchQueue(exporter, counters, {
    maxQueueSize,
    maxBatchSize: 1000,
    scheduledDelayMillis: 1,
    exportTimeoutMillis: 1000,
    retry: { maxAttempts: 1, initialBackoffMillis: 1, maxBackoffMillis: 1 },
    shutdownTimeoutMillis: 1000,
  });
  return { exporter, counters, queue, stage: new RedactStage(redactor, queue, counters, mode) };
}

const throwing: Redactor = {
  redact() {
    throw new Error('rule engine broke');
  },
};

describe('RedactStage', () => {
  test('exports the redacted parts and keeps ids, times and resource from the original', async () => {
    const { exporter, stage: redact } = stage(urlDefaults());
    const span = finishedSpan({ attributes: { 'url.full': 'https://u:p@x.example/?sig=s' } });
    redact.onEnd(span);
    await redact.forceFlush();
    const [exported] = exporter.exported;
    expect(exported.attributes).toEqual({ 'url.full': 'https://REDACTED:REDACTED@x.example/?sig=REDACTED' });
    expect(exported.spanContext()).toEqual(span.spanContext());
    expect(exported.startTime).toEqual(span.startTime);
    expect(exported.resource).toBe(span.resource);
    expect(exported).not.toBe(span);
  });

  test('a redactor cannot change ids or times, only the redactable parts', async () => {
    const sneaky: Redactor = { redact: (span) => ({ ...partsOf(span), spanContext: () => ({ traceId: 'f'.repeat(32) }), startTime: [0, 0] }) as never };
    const { exporter, stage: redact } = stage(sneaky);
    const span = finishedSpan();
    redact.onEnd(span);
    await redact.forceFlush();
    expect(exporter.exported[0].spanContext().traceId).toBe(span.spanContext().traceId);
    expect(exporter.exported[0].startTime).toEqual(span.startTime);
  });

  test('unsampled spans never reach the queue', async () => {
    const { exporter, counters, stage: redact } = stage(urlDefaults());
    redact.onEnd(finishedSpan({ sampled: false }));
    await redact.forceFlush();
    expect(exporter.calls).toHaveLength(0);
    expect(counters.snapshot(0)).toMatchObject({ dropped: 0, exported: 0 });
  });

  test('fail closed (strip): a throwing redactor exports the span without any attribute, and counts it', async () => {
    const { exporter, counters, stage: redact } = stage(throwing);
    const span = finishedSpan({
      name: 'GET /pay',
      attributes: { 'card.number': '4111111111111111', 'url.full': 'https://x.example/?sig=1' },
      events: [{ name: 'exception', time: [1, 0], attributes: { 'exception.message': 'token=secret' } }],
    });
    redact.onEnd(span);
    await redact.forceFlush();
    const [exported] = exporter.exported;
    expect(exported.name).toBe('GET /pay');
    expect(exported.attributes).toEqual({ [ATTR_REDACTION_FAILED]: true });
    expect(exported.events).toEqual([expect.objectContaining({ name: 'exception', attributes: {}, droppedAttributesCount: 1 })]);
    expect(exported.droppedAttributesCount).toBe(2);
    expect(JSON.stringify(exported)).not.toMatch(/4111|secret|sig=1/);
    expect(counters.redactionFailures).toBe(1);
  });

  test('fail closed (drop): the span is not exported and counts as dropped', async () => {
    const { exporter, counters, stage: redact } = stage(throwing, 'drop');
    redact.onEnd(finishedSpan({ attributes: { secret: 'x' } }));
    await redact.forceFlush();
    expect(exporter.calls).toHaveLength(0);
    expect(counters.snapshot(0)).toMatchObject({ dropped: 1, redactionFailures: 1 });
  });

  test('a redactor returning malformed parts fails closed too', async () => {
    const broken: Redactor = { redact: () => ({ name: 'x', attributes: null }) as never };
    const { exporter, counters, stage: redact } = stage(broken);
    redact.onEnd(finishedSpan({ attributes: { secret: 'x' } }));
    await redact.forceFlush();
    expect(exporter.exported[0].attributes).toEqual({ [ATTR_REDACTION_FAILED]: true });
    expect(counters.redactionFailures).toBe(1);
  });

  test('a full queue refuses spans before redacting them', async () => {
    let redactions = 0;
    const counting: Redactor = {
      redact: (span) => {
        redactions++;
        return partsOf(span);
      },
    };
    const { counters, stage: redact } = stage(counting, 'strip', 2);
    for (let i = 0; i < 5; i++) redact.onEnd(finishedSpan());
    expect(redactions).toBe(2);
    expect(counters.dropped).toBe(3);
    await redact.shutdown();
  });

  test('property: no sensitive query value or URL password reaches the exporter', async () => {
    const secret = fc.stringMatching(/^[A-Za-z0-9]{8,16}$/).map((s) => `S3CR3T${s}`);
    const sensitiveKey = fc.constantFrom('sig', 'Signature', 'X-Amz-Signature', 'x-amz-credential', 'AWSAccessKeyId', 'X-Goog-Signature', 'X-Amz-Security-Token');
    const attributeName = fc.constantFrom('url.full', 'http.url');
    await fc.assert(
      fc.asyncProperty(secret, sensitiveKey, attributeName, fc.boolean(), async (value, key, name, withUser) => {
        const { exporter, stage: redact } = stage(urlDefaults());
        const user = withUser ? `bob:${value}@` : '';
        const attributes: Attributes = {
          [name]: `https://${user}files.example/doc?a=1&${key}=${value}&b=2`,
          'url.query': `${key}=${value}`,
          'http.target': `/doc?${key}=${value}`,
        };
        redact.onEnd(finishedSpan({ attributes }));
        await redact.forceFlush();
        const exported: ReadableSpan[] = exporter.exported;
        expect(exported).toHaveLength(1);
        expect(JSON.stringify(exported[0].attributes)).not.toContain(value);
      }),
      { numRuns: 200 },
    );
  });
});
