// The viewer's addresses and search form (collector/src/viewer/static/route.mjs): deep links to a
// trace, the token taken from the address, and the search fields turned into API parameters.
import { loadViewerModule } from './viewer-module-loader';

interface Route {
  view: string;
  traceId?: string;
  tab?: string;
  spanId?: string;
  query: URLSearchParams;
  token?: string;
}
interface RouteModule {
  parseRoute(hash: string): Route;
  routeHash(route: Partial<Route>): string;
  parseDuration(text: string, field?: string): number;
  parseAttributeFilter(text: string): { key: string; value: string }[];
  formatAttributeFilter(pairs: { key: string; value: string }[]): string;
  searchToApiParams(query: URLSearchParams, nowMs: number): { params: URLSearchParams; errors: string[] };
}

const route = loadViewerModule<RouteModule>('route.mjs');
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';

describe('addresses', () => {
  test.each([
    ['', { view: 'traces' }],
    ['#/', { view: 'traces' }],
    [`#/trace/${TRACE}`, { view: 'trace', traceId: TRACE, tab: 'waterfall' }],
    [`#/trace/${TRACE.toUpperCase()}/flow`, { view: 'trace', traceId: TRACE, tab: 'flow' }],
    [`#/trace/${TRACE}?span=${SPAN}`, { view: 'trace', traceId: TRACE, tab: 'waterfall', spanId: SPAN }],
    ['#/audit?window=1h', { view: 'audit' }],
    ['#/trace/not-a-trace-id', { view: 'not-found' }],
    [`#/trace/${TRACE}/graph`, { view: 'not-found' }],
    ['#/elsewhere', { view: 'not-found' }],
  ])('%s', (hash, expected) => {
    expect(route.parseRoute(hash)).toMatchObject(expected);
  });

  test('a deep link survives a round trip', () => {
    const hash = `#/trace/${TRACE}/flow?span=${SPAN}`;
    expect(route.routeHash(route.parseRoute(hash))).toBe(hash);
    expect(route.routeHash({ view: 'traces', query: new URLSearchParams('service=orders') })).toBe('#/?service=orders');
  });

  test('a token is taken out of the address, alone or beside a route', () => {
    const alone = route.parseRoute('#token=s3cret');
    expect(alone).toMatchObject({ view: 'traces', token: 's3cret' });
    const withRoute = route.parseRoute(`#/trace/${TRACE}?token=s3cret`);
    expect(withRoute).toMatchObject({ view: 'trace', token: 's3cret' });
    expect(route.routeHash(withRoute)).toBe(`#/trace/${TRACE}`);
  });
});

describe('search fields', () => {
  test.each([
    ['250', 250],
    ['250ms', 250],
    ['1.5s', 1500],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['800us', 0.8],
  ])('duration %s = %p ms', (text, ms) => {
    expect(route.parseDuration(text)).toBeCloseTo(ms);
  });

  test('a duration that is not one says so', () => {
    expect(() => route.parseDuration('soon', 'min duration')).toThrow('min duration: "soon" is not a duration');
  });

  test('attribute filters: pairs, quoted values with spaces, values holding "="', () => {
    const pairs = route.parseAttributeFilter('http.response.status_code=500  http.route="/orders/:id now" q=a=b');
    expect(pairs).toEqual([
      { key: 'http.response.status_code', value: '500' },
      { key: 'http.route', value: '/orders/:id now' },
      { key: 'q', value: 'a=b' },
    ]);
    expect(route.parseAttributeFilter(route.formatAttributeFilter(pairs))).toEqual(pairs);
  });

  test.each([
    ['status', 'attribute: "status" is not key=value'],
    ['=500', 'attribute: "=500" is not key=value'],
    ['a="open', 'attribute: the quoted value of "a" has no closing quote'],
  ])('attribute filter %p is refused: %s', (text, message) => {
    expect(() => route.parseAttributeFilter(text)).toThrow(message);
  });

  test('the form becomes the parameters of GET /api/traces', () => {
    const now = 1_763_780_000_000;
    const query = new URLSearchParams({
      service: 'orders',
      status: 'error',
      complete: 'false',
      minDuration: '1.5s',
      attrs: 'http.response.status_code=500 node_red.node.name="reserve stock"',
      since: '15m',
      name: 'GET',
    });
    const { params, errors } = route.searchToApiParams(query, now);
    expect(errors).toEqual([]);
    expect(params.get('service')).toBe('orders');
    expect(params.get('status')).toBe('error');
    expect(params.get('complete')).toBe('false');
    expect(params.get('minDurationMs')).toBe('1500');
    expect(params.getAll('attr')).toEqual(['http.response.status_code=500', 'node_red.node.name=reserve stock']);
    expect(params.get('from')).toBe(String(now - 15 * 60_000));
    expect(params.get('name')).toBe('GET');
  });

  test('a custom time range and bad fields: the bad ones are named, the good ones kept', () => {
    const query = new URLSearchParams({ since: 'custom', from: '2025-11-22T03:00:00Z', to: 'yesterday', maxDuration: 'long', limit: '5000' });
    const { params, errors } = route.searchToApiParams(query, 0);
    expect(params.get('from')).toBe(String(Date.parse('2025-11-22T03:00:00Z')));
    expect(params.has('to')).toBe(false);
    expect(errors).toEqual([
      'max duration: "long" is not a duration (examples: 250ms, 1.5s, 2m)',
      'to: "yesterday" is not a date and time',
      'limit: "5000" is not a whole number from 1 to 1000',
    ]);
  });
});
