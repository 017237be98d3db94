import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { BufferedIdGenerator, newSpanId, newTraceId } from '../../src/propagation';

describe('ids', () => {
  test('format: lowercase hex, 32 and 16 chars, unique across pool refills', () => {
    const traceIds = new Set<string>();
    const spanIds = new Set<string>();
    for (let i = 0; i < 5000; i++) {
      const traceId = newTraceId();
      const spanId = newSpanId();
      expect(traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(spanId).toMatch(/^[0-9a-f]{16}$/);
      traceIds.add(traceId);
      spanIds.add(spanId);
    }
    expect(traceIds.size).toBe(5000);
    expect(spanIds.size).toBe(5000);
  });

  test('the right-most 7 bytes of trace ids look uniformly random (so flag 0x02 is honest)', () => {
    // Each of the 56 right-most bits should be set about half the time.
    const n = 4000;
    const ones = new Array<number>(56).fill(0);
    for (let i = 0; i < n; i++) {
      const low = BigInt(`0x${newTraceId().slice(18)}`);
      for (let bit = 0; bit < 56; bit++) if ((low >> BigInt(bit)) & 1n) ones[bit]++;
    }
    // 6 standard deviations around n/2
    const tolerance = 6 * Math.sqrt(n / 4);
    for (const count of ones) expect(Math.abs(count - n / 2)).toBeLessThan(tolerance);
  });

  test('plugs into the OpenTelemetry SDK as its IdGenerator', () => {
    const generator = new BufferedIdGenerator();
    const generateTraceId = jest.spyOn(generator, 'generateTraceId');
    const tracer = new BasicTracerProvider({ idGenerator: generator }).getTracer('test');
    const span = tracer.startSpan('s');
    expect(generateTraceId).toHaveBeenCalled();
    expect(span.spanContext().traceId).toBe(generateTraceId.mock.results[0].value);
    span.end();
  });
});
