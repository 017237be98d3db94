// ACCEPTANCE 2 (issue 3): fail closed. A rule that cannot be applied (its matcher throws inside
// the engine) drops the values it was applied to — they are not exported raw — and the failure
// is counted; a fault of the engine as a whole strips the span. Checked on the bytes a real OTLP
// receiver process got.
import { SpanStatusCode } from '@opentelemetry/api';
import { createPipeline, type Pipeline } from '../../connectors/src/pipeline';
import { compileAction, compileRules, RulesHolder, defineDetector, STRICT_DEFAULT_RULES, type CompiledRules } from '../../connectors/src/redaction';
import { pipelineConfig } from '../support/otlp-pipeline-config';
import { startReceiver, type Receiver } from '../support/otlp-receiver-client';

jest.setTimeout(30_000);

let receiver: Receiver;
let pipeline: Pipeline | undefined;
beforeAll(async () => {
  receiver = await startReceiver({ keepRawBodies: true });
});
afterEach(async () => {
  await pipeline?.shutdown();
  pipeline = undefined;
  await receiver.clear();
});
afterAll(async () => {
  await receiver.stop();
});

/** A detector whose matcher throws on values holding "FRAGILE". */
const fragile = defineDetector('detectors.fragile', compileAction('replace', { key: undefined, length: 32 }), () => true, (text) => {
  if (text.includes('FRAGILE')) throw new RangeError('matcher blew up');
});

async function rawText(): Promise<string> {
  return (await receiver.rawBodies()).map((entry) => entry.body.toString('latin1')).join('\n');
}

test('a rule whose matcher throws: the values it failed on are dropped, the rest exported, the failures counted', async () => {
  const rules = compileRules(STRICT_DEFAULT_RULES, { customDetectors: [fragile] });
  pipeline = createPipeline(pipelineConfig({ exporter: { tracesEndpoint: receiver.url } }), { rules });
  const span = pipeline.tracer.startSpan('checkout FRAGILE-name-7f3a', {
    attributes: { 'order.note': 'FRAGILE-note-91c2 card 4111111111111111', 'order.id': 'o-17', 'app.tags': ['ok', 'FRAGILE-tag-5d0e'] },
  });
  span.addEvent('step', { detail: 'FRAGILE-event-0b7c', fine: 'kept' });
  span.setStatus({ code: SpanStatusCode.ERROR, message: 'FRAGILE-status-66aa' });
  span.end();
  await pipeline.forceFlush();

  const [received] = await receiver.waitForSpans(1);
  expect(received.name).toBe('REDACTED');
  expect(received.attributes).toMatchObject({ 'order.id': 'o-17', 'threadline.redaction.failed': true });
  expect(received.attributes).not.toHaveProperty('order.note');
  expect(received.attributes).not.toHaveProperty('app.tags');
  expect(received.events[0].attributes).toEqual({ fine: 'kept' });
  expect(received.status).toEqual({ code: 2, message: 'REDACTED' });
  expect(pipeline.stats().redactionFailures).toBe(5);
  const bytes = await rawText();
  for (const value of ['FRAGILE-name-7f3a', 'FRAGILE-note-91c2', '4111111111111111', 'FRAGILE-tag-5d0e', 'FRAGILE-event-0b7c', 'FRAGILE-status-66aa']) expect(bytes).not.toContain(value);
  expect(bytes).toContain('o-17');
});

test('a fault of the engine as a whole: the span leaves without attributes, and is counted', async () => {
  const holder = new RulesHolder();
  pipeline = createPipeline(pipelineConfig({ exporter: { tracesEndpoint: receiver.url } }), { rules: holder });
  // Rules that did not come from compileRules cannot be applied at all.
  holder.replace({ ...holder.current } as CompiledRules);
  pipeline.tracer.startSpan('pay', { attributes: { 'order.note': 'mail bob@example.com', 'order.id': 'o-18' } }).end();
  await pipeline.forceFlush();

  const [received] = await receiver.waitForSpans(1);
  expect(received.name).toBe('pay');
  expect(received.attributes).toEqual({ 'threadline.redaction.failed': true });
  expect(pipeline.stats().redactionFailures).toBe(1);
  expect(await rawText()).not.toMatch(/bob@example\.com|o-18/);
});
