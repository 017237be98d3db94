// Received spans in the shape OpenTelemetry's OTLP serializer reads (its ReadableSpan), so the
// connectors' exporter can send them upstream unchanged: same ids, times, kind, status, attributes,
// events, links, resource and scope. The serializer groups spans by resource object identity, so
// spans with equal resource attributes share one object. Attribute values that arrived as bytes
// were kept as base64 text by the decoder and go out as text.
import type { createOtlpExporter } from '@threadline/connectors';
import type { ReceivedAttributes, ReceivedSpan } from '../otlp/decode';

type ExportableSpan = Parameters<ReturnType<typeof createOtlpExporter>['export']>[0][number];
type HrTime = [number, number];

function hrTime(nanos: string): HrTime {
  const value = BigInt(nanos);
  return [Number(value / 1_000_000_000n), Number(value % 1_000_000_000n)];
}

function duration(start: string, end: string): HrTime {
  const difference = BigInt(end) - BigInt(start);
  return hrTime((difference > 0n ? difference : 0n).toString());
}

function traceState(value: string | undefined): { serialize(): string } | undefined {
  return value === undefined ? undefined : { serialize: () => value };
}

/** What the serializer reads of a resource: its attributes (and an optional schema URL). */
interface ResourceLike {
  attributes: ReceivedAttributes;
  schemaUrl?: string;
}

function spanContext(traceId: string, spanId: string, flags: number, state?: string, isRemote?: boolean) {
  return { traceId, spanId, traceFlags: flags & 0xff, isRemote, traceState: traceState(state) };
}

export function toExportableSpans(spans: readonly ReceivedSpan[]): ExportableSpan[] {
  const resources = new Map<string, ResourceLike>();
  return spans.map((span) => {
    const resourceKey = JSON.stringify(span.resource);
    let resource = resources.get(resourceKey);
    if (resource === undefined) {
      resource = { attributes: span.resource };
      resources.set(resourceKey, resource);
    }
    const exportable = {
      name: span.name,
      // The API's SpanKind starts at INTERNAL = 0; OTLP's at UNSPECIFIED = 0.
      kind: Math.max(0, span.kind - 1),
      spanContext: () => spanContext(span.traceId, span.spanId, span.flags, span.traceState),
      parentSpanContext: span.parentSpanId === undefined ? undefined : spanContext(span.traceId, span.parentSpanId, span.flags, undefined, (span.flags & 0x200) !== 0),
      startTime: hrTime(span.startTimeUnixNano),
      endTime: hrTime(span.endTimeUnixNano),
      status: span.status.message === undefined ? { code: span.status.code } : { code: span.status.code, message: span.status.message },
      attributes: span.attributes,
      links: span.links.map((link) => ({ context: spanContext(link.traceId, link.spanId, 0, link.traceState), attributes: link.attributes })),
      events: span.events.map((event) => ({ name: event.name, time: hrTime(event.timeUnixNano), attributes: event.attributes })),
      duration: duration(span.startTimeUnixNano, span.endTimeUnixNano),
      ended: true,
      resource,
      instrumentationScope: span.scope,
      droppedAttributesCount: 0,
      droppedEventsCount: 0,
      droppedLinksCount: 0,
    };
    // The serializer reads only the fields above; the full SDK Resource and Span classes are not needed.
    return exportable as unknown as ExportableSpan;
  });
}
