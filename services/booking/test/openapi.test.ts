import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BookingTestApp, createBookingTestApp } from './booking-test-app.js';
import { createInMemoryCatalogue } from './in-memory-catalogue.js';

describe('the booking OpenAPI document', () => {
  let t: BookingTestApp;
  beforeAll(async () => {
    t = await createBookingTestApp('sqlite', { catalogue: createInMemoryCatalogue() });
  });
  afterAll(() => t.close());

  it('describes every public booking route', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    const paths = Object.keys(res.json().paths as Record<string, unknown>);
    for (const path of [
      '/api/availability/{eventId}',
      '/api/holds',
      '/api/holds/{holdId}',
      '/api/orders',
      '/api/orders/{orderId}',
      '/api/orders/{orderId}/cancel',
      '/api/tickets/{code}/check-in',
      '/api/sales/{eventId}',
    ]) {
      expect(paths).toContain(path);
    }
  });

  it('documents DELETE /api/holds/{holdId} as the 204 it answers, and the problems each route answers', async () => {
    type Operation = { responses: Record<string, { description: string; content?: Record<string, { schema: unknown }> }> };
    const doc = (await t.app.inject({ method: 'GET', url: '/docs/json' })).json() as { paths: Record<string, Record<string, Operation>> };
    const release = doc.paths['/api/holds/{holdId}']?.['delete'];
    expect(Object.keys(release?.responses ?? {}).sort()).toEqual(['204', '400', '401', '403', '404', '409']);
    expect(release?.responses['204']?.content).toBeUndefined();

    const declared = (path: string, method: string) => Object.keys(doc.paths[path]?.[method]?.responses ?? {});
    expect(declared('/api/holds', 'post')).toEqual(expect.arrayContaining(['201', '400', '401', '404', '409', '422']));
    expect(declared('/api/orders', 'post')).toEqual(expect.arrayContaining(['201', '400', '401', '402', '404', '409', '410', '422']));
    expect(declared('/api/tickets/{code}/check-in', 'post')).toEqual(expect.arrayContaining(['200', '401', '404', '409']));
    expect(declared('/api/availability/{eventId}', 'get')).toEqual(expect.arrayContaining(['200', '404', '409']));
    const conflict = doc.paths['/api/holds']?.['post']?.responses['409'];
    expect(Object.keys(conflict?.content ?? {})).toEqual(['application/problem+json']);
    expect(JSON.stringify(conflict?.content?.['application/problem+json']?.schema)).toContain('"title"');
  });

  it('declares the Location header of the 201s, and keeps the created resource schema', async () => {
    type Created = { headers?: Record<string, { schema: { type: string } }>; content?: Record<string, { schema: unknown }> };
    const doc = (await t.app.inject({ method: 'GET', url: '/docs/json' })).json() as { paths: Record<string, Record<string, { responses: Record<string, Created> }>> };
    for (const path of ['/api/holds', '/api/orders']) {
      const created = doc.paths[path]?.['post']?.responses['201'];
      expect(created?.headers?.['Location']?.schema.type, path).toBe('string');
      expect(JSON.stringify(created?.content?.['application/json']?.schema), path).toContain(path === '/api/holds' ? 'holdId' : 'orderId');
    }
    expect(doc.paths['/api/holds/{holdId}']?.['get']?.responses['200']?.headers).toBeUndefined();
  });

  it('declares the 400 of every route whose path parameters are validated', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/docs/json' })).json() as { paths: Record<string, Record<string, { responses: object }>> };
    const withParams = Object.entries(doc.paths).filter(([path]) => path.includes('{'));
    expect(withParams.length).toBeGreaterThan(4);
    for (const [path, operations] of withParams) {
      for (const [method, operation] of Object.entries(operations)) expect(Object.keys(operation.responses), `${method} ${path}`).toContain('400');
    }
  });
});
