// The viewer's pure view logic (collector/src/viewer/static/model.mjs): span tree, waterfall rows,
// time axis, formatting and the flow view's order of sections.
import type { ApiSpan, FlowView, TraceAudit } from '../src/api/contract';
import { loadViewerModule } from './viewer-module-loader';

interface TreeNode {
  span: ApiSpan;
  children: TreeNode[];
}
interface WaterfallRow {
  span: ApiSpan;
  depth: number;
  offsetMs: number;
  offsetPercent: number;
  widthPercent: number;
  childCount: number;
  collapsed: boolean;
  error: boolean;
  parentMissing: boolean;
}
type Section = { type: 'service'; service: string; spans: ApiSpan[]; startMs: number } | { type: 'flow'; flow: { flowName: string }; startMs: number };
interface ModelModule {
  buildSpanTree(spans: ApiSpan[]): TreeNode[];
  layoutWaterfall(spans: ApiSpan[], collapsed?: Set<string>): { bounds: { startMs: number; endMs: number; durationMs: number }; rows: WaterfallRow[] };
  timeTicks(durationMs: number, count?: number): { percent: number; label: string }[];
  formatDuration(ms: number): string;
  formatAge(thenMs: number, nowMs: number): string;
  serviceColour(service: string, order?: string[]): number;
  sortedAttributes(attributes: Record<string, unknown>): [string, string][];
  flowJourney(flowView: FlowView, spans: ApiSpan[]): Section[];
  breaksBySpan(audit: TraceAudit, traceId: string): Map<string, unknown[]>;
  scatterPoints(traces: { startMs: number; durationMs: number }[]): { points: { xPercent: number; yPercent: number }[]; fromMs: number; toMs: number; maxDurationMs: number };
}

const model = loadViewerModule<ModelModule>('model.mjs');
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const T0 = 1_763_780_000_000;

function span(spanId: string, parentSpanId: string | undefined, startOffset: number, durationMs: number, extra: Partial<ApiSpan> = {}): ApiSpan {
  return {
    traceId: TRACE,
    spanId: spanId.padEnd(16, '0'),
    ...(parentSpanId === undefined ? {} : { parentSpanId: parentSpanId.padEnd(16, '0') }),
    parentMissing: false,
    name: `span ${spanId}`,
    kind: 'internal',
    service: 'orders',
    startTimeUnixNano: '0',
    endTimeUnixNano: '0',
    startMs: T0 + startOffset,
    durationMs,
    status: { code: 'unset' },
    attributes: {},
    resource: {},
    scope: { name: 'test' },
    events: [],
    links: [],
    receivedMs: T0,
    ...extra,
  };
}

const ids = (rows: { span: ApiSpan }[]): string[] => rows.map((row) => row.span.spanId.replace(/0+$/, ''));

describe('buildSpanTree', () => {
  test('puts children under their parent, siblings by start time, whatever the arrival order', () => {
    const spans = [span('c', 'a', 30, 5), span('a', undefined, 0, 100), span('b', 'a', 10, 5), span('d', 'b', 12, 1)];
    const roots = model.buildSpanTree(spans);
    expect(roots).toHaveLength(1);
    expect(roots[0].children.map((node) => node.span.name)).toEqual(['span b', 'span c']);
    expect(roots[0].children[0].children.map((node) => node.span.name)).toEqual(['span d']);
  });

  test('a span whose parent never arrived starts a tree of its own', () => {
    const roots = model.buildSpanTree([span('a', undefined, 0, 10), span('b', 'f', 5, 1, { parentMissing: true })]);
    expect(roots.map((node) => node.span.name)).toEqual(['span a', 'span b']);
  });

  test('a parent cycle in malformed input loses no span', () => {
    const roots = model.buildSpanTree([span('a', 'b', 0, 10), span('b', 'a', 1, 1), span('c', undefined, 2, 1)]);
    const all: string[] = [];
    const walk = (node: TreeNode): void => {
      all.push(node.span.name);
      node.children.forEach(walk);
    };
    roots.forEach(walk);
    expect(all.sort()).toEqual(['span a', 'span b', 'span c']);
  });
});

describe('layoutWaterfall', () => {
  const spans = [
    span('a', undefined, 0, 200),
    span('b', 'a', 50, 100, { status: { code: 'error', message: 'boom' } }),
    span('c', 'b', 60, 0),
    span('d', 'a', 150, 50),
  ];

  test('rows come in tree order with depth, offset and width as shares of the whole trace', () => {
    const { bounds, rows } = model.layoutWaterfall(spans);
    expect(bounds).toEqual({ startMs: T0, endMs: T0 + 200, durationMs: 200 });
    expect(ids(rows)).toEqual(['a', 'b', 'c', 'd']);
    expect(rows.map((row) => row.depth)).toEqual([0, 1, 2, 1]);
    expect(rows[1]).toMatchObject({ offsetMs: 50, offsetPercent: 25, widthPercent: 50, error: true, childCount: 1 });
    expect(rows[3]).toMatchObject({ offsetPercent: 75, widthPercent: 25, error: false });
  });

  test('a span of zero length keeps a visible bar that stays inside the timeline', () => {
    const { rows } = model.layoutWaterfall([span('a', undefined, 0, 100), span('z', 'a', 100, 0)]);
    expect(rows[1].widthPercent).toBeGreaterThan(0);
    expect(rows[1].offsetPercent + rows[1].widthPercent).toBeLessThanOrEqual(100.2);
  });

  test('a collapsed span hides its descendants and says how many children it has', () => {
    const { rows } = model.layoutWaterfall(spans, new Set([span('b', undefined, 0, 0).spanId]));
    expect(ids(rows)).toEqual(['a', 'b', 'd']);
    expect(rows[1]).toMatchObject({ collapsed: true, childCount: 1 });
  });

  test('an empty trace has no rows', () => {
    expect(model.layoutWaterfall([]).rows).toEqual([]);
  });
});

describe('formatting', () => {
  test.each([
    [0, '0 ms'],
    [0.25, '250 µs'],
    [3.456, '3.46 ms'],
    [42.34, '42.3 ms'],
    [250.4, '250 ms'],
    [1534, '1.53 s'],
    [125_000, '2 min 5 s'],
    [Number.NaN, '–'],
  ])('formatDuration(%p) = %p', (ms, text) => {
    expect(model.formatDuration(ms)).toBe(text);
  });

  test('ticks are round steps across the whole duration, starting at zero', () => {
    const ticks = model.timeTicks(200);
    expect(ticks.map((tick) => tick.label)).toEqual(['0 ms', '50 ms', '100 ms', '150 ms', '200 ms']);
    expect(ticks[ticks.length - 1].percent).toBeCloseTo(100);
    expect(model.timeTicks(0)).toEqual([{ percent: 0, label: '0 ms' }]);
  });

  test('ages read like people say them', () => {
    expect(model.formatAge(T0 - 12_000, T0)).toBe('12 s ago');
    expect(model.formatAge(T0 - 5 * 60_000, T0)).toBe('5 min ago');
    expect(model.formatAge(T0 - 3 * 3_600_000, T0)).toBe('3 h ago');
  });

  test('services of a trace get distinct colours in their order; others a stable one', () => {
    expect(['a', 'b', 'c'].map((name) => model.serviceColour(name, ['a', 'b', 'c']))).toEqual([0, 1, 2]);
    expect(model.serviceColour('inventory')).toBe(model.serviceColour('inventory'));
  });

  test('attributes are sorted by key and shown as text', () => {
    expect(model.sortedAttributes({ 'http.route': '/x', 'a.list': [1, 'b'], 'b.flag': true })).toEqual([
      ['a.list', '[1,"b"]'],
      ['b.flag', 'true'],
      ['http.route', '/x'],
    ]);
  });
});

describe('scatterPoints', () => {
  test('x by start time, y by duration, as shares of the chart', () => {
    const chart = model.scatterPoints([
      { startMs: T0, durationMs: 50 },
      { startMs: T0 + 1000, durationMs: 200 },
      { startMs: T0 + 500, durationMs: 0 },
    ]);
    expect(chart).toMatchObject({ fromMs: T0, toMs: T0 + 1000, maxDurationMs: 200 });
    expect(chart.points.map((point) => [point.xPercent, point.yPercent])).toEqual([
      [0, 25],
      [100, 100],
      [50, 0],
    ]);
  });

  test('one trace sits in the middle; no trace, no point', () => {
    expect(model.scatterPoints([{ startMs: T0, durationMs: 0 }]).points).toEqual([expect.objectContaining({ xPercent: 50, yPercent: 0 })]);
    expect(model.scatterPoints([]).points).toEqual([]);
  });
});

describe('flowJourney', () => {
  test('services and flows read in time order; a service around a flow is split before and after it', () => {
    const spans = [
      span('a', undefined, 0, 100, { service: 'interceptor', kind: 'server' }),
      span('b', 'a', 10, 50, { service: 'node-red' }),
      span('c', 'b', 30, 20, { service: 'interceptor', kind: 'client' }),
      span('d', 'c', 32, 10, { service: 'inventory', kind: 'server' }),
    ];
    const flowView: FlowView = {
      traceId: TRACE,
      flows: [
        {
          platform: 'node-red',
          flowName: 'Orders',
          startMs: T0 + 10,
          durationMs: 50,
          steps: [{ step: { platform: 'node-red', flowName: 'Orders', nodeName: 'receive' }, spanIds: [spans[1].spanId], startMs: T0 + 10, durationMs: 50, status: 'ok' }],
        },
      ],
      services: [
        { service: 'interceptor', spanIds: [spans[0].spanId, spans[2].spanId] },
        { service: 'inventory', spanIds: [spans[3].spanId] },
      ],
    };
    const journey = model.flowJourney(flowView, spans);
    expect(journey.map((section) => (section.type === 'flow' ? `flow ${section.flow.flowName}` : `${section.service} ${ids(section.spans.map((s) => ({ span: s }))).join(',')}`))).toEqual([
      'interceptor a',
      'flow Orders',
      'interceptor c',
      'inventory d',
    ]);
  });
});

describe('breaksBySpan', () => {
  test('files each context break under the span of this trace it concerns', () => {
    const other = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
    const step = { service: 'node-red', spanName: 'x', label: 'x' };
    const audit: TraceAudit = {
      traceId: TRACE,
      complete: false,
      settled: true,
      spanCount: 2,
      missingParents: [],
      contextBreaks: [
        { role: 'caller', rule: 'same-flow-sequence', at: { ...step, traceId: other, spanId: '1'.repeat(16) }, from: { ...step, traceId: TRACE, spanId: '2'.repeat(16) }, reason: 'r' },
      ],
    };
    const found = model.breaksBySpan(audit, TRACE);
    expect([...found.keys()]).toEqual(['2'.repeat(16)]);
  });
});
