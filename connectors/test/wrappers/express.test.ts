// Pieces of the express middleware that need no server; the middleware itself is tested against a
// real express app in test/integration/wrappers-http.test.ts.
import type { NextFunction, Request, Response } from 'express';
import { routeTemplate, threadlineMiddleware } from '../../src/wrappers';
import type { TestTracing } from './support';
import { createTestTracing } from './support';

describe('routeTemplate', () => {
  it('joins the mount path and the route path', () => {
    expect(routeTemplate({ baseUrl: '/api', route: { path: '/users/:id' } })).toBe('/api/users/:id');
    expect(routeTemplate({ baseUrl: '', route: { path: '/health' } })).toBe('/health');
    expect(routeTemplate({ baseUrl: '/api', route: { path: '/' } })).toBe('/api');
  });

  it('gives no template when no route matched or its path is not a string', () => {
    expect(routeTemplate({ baseUrl: '', route: undefined })).toBeUndefined();
    expect(routeTemplate({ baseUrl: '', route: { path: /^\/re/ } })).toBeUndefined();
    expect(routeTemplate({ baseUrl: '', route: { path: ['/a', '/b'] } })).toBeUndefined();
  });
});

describe('threadlineMiddleware', () => {
  let tracing: TestTracing;
  beforeEach(() => {
    tracing = createTestTracing();
  });
  afterEach(async () => {
    await tracing.shutdown();
  });

  it('calls next() untraced when tracing itself fails', () => {
    const broken = {
      tracer: { startSpan: () => { throw new Error('tracer down'); } } as unknown as TestTracing['tracer'],
      propagator: tracing.propagator,
    };
    const next = jest.fn();
    const req = { method: 'GET', url: '/', headers: {}, headersDistinct: {} } as unknown as Request;
    threadlineMiddleware(broken)(req, {} as Response, next as NextFunction);
    expect(next).toHaveBeenCalledWith();
    expect(req.threadline).toBeUndefined();
  });
});
