// Redaction cost per span: a typical HTTP server span (twenty attributes, as the express wrapper
// and the interceptor record them) through the pipeline's redact stage under the strict default
// rules, against the same stage with redaction off (a redactor that returns the span's parts as
// they are), in one run. The stage hands each span to a sink that only counts, so the figure is
// the redaction and the sealing of the export snapshot, nothing else. Median of several rounds.
import { SpanKind } from '@opentelemetry/api';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
// The compiled library (npm run bench builds it), as users run it; the stage and counters are internal.
import { partsOf, RuleEngine, strictDefaultRules, type Redactor } from '@threadline/connectors';
import { RedactStage } from '@threadline/connectors/dist/pipeline/redact/redact-stage';
import type { RedactedSpan, RedactedSpanSink } from '@threadline/connectors/dist/pipeline/redact/redacted-span';
import { PipelineCounters } from '@threadline/connectors/dist/pipeline/stats';

const SPANS_PER_ROUND = 5_000;
const ROUNDS = 11;

export interface RedactionBenchRow {
  name: string;
  spansPerSec: number;
  microsPerSpan: number;
}

let requestNumber = 0;

/**
 * Twenty attributes of an HTTP server span. Ids, ports and sizes differ on every request (never
 * repeated across rounds), as in real traffic; method, route, host, agent and types repeat.
 */
function typicalServerSpans(count: number): ReadableSpan[] {
  const spans: ReadableSpan[] = [];
  const collector: SpanProcessor = {
    onStart: () => undefined,
    onEnd: (span) => void spans.push(span),
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
  const tracer = new BasicTracerProvider({ spanProcessors: [collector] }).getTracer('bench');
  for (let n = 0; n < count; n++) {
    const i = requestNumber++;
    const span = tracer.startSpan('GET /orders/:id', {
      kind: SpanKind.SERVER,
      attributes: {
        'http.request.method': 'GET',
        'http.route': '/orders/:id',
        'url.scheme': 'https',
        'url.path': `/orders/${1000 + i}`,
        'url.query': `page=${i % 7}&sort=desc`,
        'url.full': `https://shop.example/orders/${1000 + i}?page=${i % 7}&sort=desc`,
        'server.address': 'shop.example',
        'server.port': 443,
        'client.address': '127.0.0.1',
        'client.port': 40000 + (i % 20000),
        'network.protocol.name': 'http',
        'network.protocol.version': '1.1',
        'user_agent.original': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36',
        'http.request.header.content-type': ['application/json'],
        'http.request.header.accept': ['application/json'],
        'http.response.header.content-type': ['application/json; charset=utf-8'],
        'http.request.body.size': 0,
        'http.response.body.size': 512 + (i % 100),
        'http.response.status_code': 200,
        'order.customer_tier': i % 3 === 0 ? 'gold' : 'standard',
      },
    });
    span.end();
  }
  return spans;
}

class CountingSink implements RedactedSpanSink {
  count = 0;
  push(_span: RedactedSpan): boolean {
    this.count++;
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

const passThrough: Redactor = { redact: (span) => partsOf(span) };

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Median microseconds per span over ROUNDS rounds of fresh spans (after a warm-up round). */
function measure(redactor: Redactor): number {
  const sink = new CountingSink();
  const stage = new RedactStage(redactor, sink, new PipelineCounters());
  const round = (): number => {
    const spans = typicalServerSpans(SPANS_PER_ROUND);
    const started = process.hrtime.bigint();
    for (const span of spans) stage.onEnd(span);
    return Number(process.hrtime.bigint() - started) / 1e3 / SPANS_PER_ROUND;
  };
  round();
  const rounds: number[] = [];
  for (let r = 0; r < ROUNDS; r++) rounds.push(round());
  if (sink.count !== SPANS_PER_ROUND * (ROUNDS + 1)) throw new Error(`the stage passed ${sink.count} spans, expected ${SPANS_PER_ROUND * (ROUNDS + 1)}`);
  return median(rounds);
}

export async function runRedactionBench(): Promise<RedactionBenchRow[]> {
  const row = (name: string, micros: number): RedactionBenchRow => ({ name, microsPerSpan: micros, spansPerSec: 1e6 / micros });
  const off = measure(passThrough);
  const strict = measure(new RuleEngine(strictDefaultRules()));
  return [row('redact stage, redaction off (pass-through)', off), row('redact stage, strict default rules', strict)];
}
