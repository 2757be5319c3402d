import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventTestApp, type EventTestApp } from './event-test-app.js';

describe('OpenAPI document of the event service', () => {
  let t: EventTestApp;
  beforeAll(async () => {
    t = await createEventTestApp('sqlite');
  });
  afterAll(() => t.close());

  it('describes every catalogue route with a summary, a tag and its schemas', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json() as { openapi: string; paths: Record<string, Record<string, { summary?: string; tags?: string[]; responses?: object }>> };
    expect(doc.openapi).toMatch(/^3\./);
    const expected: Array<[string, string]> = [
      ['/api/venues', 'post'],
      ['/api/venues', 'get'],
      ['/api/venues/{id}', 'get'],
      ['/api/events', 'post'],
      ['/api/events', 'get'],
      ['/api/events/{id}', 'get'],
      ['/api/events/{id}', 'patch'],
      ['/api/events/{id}/publish', 'post'],
      ['/api/events/{id}/cancel', 'post'],
      ['/api/events/{id}/seatmap', 'get'],
    ];
    for (const [path, method] of expected) {
      const operation = doc.paths[path]?.[method];
      expect(operation, `${method} ${path}`).toBeDefined();
      expect(operation?.summary, `${method} ${path}`).toBeTruthy();
      expect(operation?.tags?.length, `${method} ${path}`).toBeGreaterThan(0);
      expect(Object.keys(operation?.responses ?? {}), `${method} ${path}`).not.toHaveLength(0);
    }
    const seatmap = JSON.stringify(doc.paths['/api/events/{id}/seatmap']);
    expect(seatmap).toContain('priceCents');
  });

  it('declares the problem+json answers of each route, with one problem schema', async () => {
    type Operation = { responses: Record<string, { content?: Record<string, { schema: unknown }> }> };
    const doc = (await t.app.inject({ method: 'GET', url: '/docs/json' })).json() as { paths: Record<string, Record<string, Operation>> };
    const declared = (path: string, method: string) => Object.keys(doc.paths[path]?.[method]?.responses ?? {}).sort();
    expect(declared('/api/venues', 'post')).toEqual(['201', '400', '401', '403', '409', '422']);
    expect(declared('/api/events/{id}/publish', 'post')).toEqual(['200', '400', '401', '403', '404', '409', '412']);
    expect(declared('/api/events/{id}/cancel', 'post')).toEqual(['200', '400', '401', '403', '404', '409', '412']);
    expect(declared('/api/events/{id}', 'patch')).toEqual(['200', '400', '401', '403', '404', '409', '412']);
    expect(declared('/api/events/{id}', 'get')).toEqual(['200', '400', '404']);
    const problems = Object.values(doc.paths).flatMap((methods) =>
      Object.values(methods).flatMap((op) => Object.entries(op.responses).filter(([status]) => Number(status) >= 400)),
    );
    expect(problems.length).toBeGreaterThan(20);
    const schemas = new Set(problems.map(([, response]) => JSON.stringify(response.content?.['application/problem+json']?.schema)));
    expect(schemas.size).toBe(1);
    expect([...schemas][0]).toContain('"type"');
  });

  it('declares the Location header of the 201s', async () => {
    type Created = { headers?: Record<string, { schema: { type: string } }> };
    const doc = (await t.app.inject({ method: 'GET', url: '/docs/json' })).json() as { paths: Record<string, Record<string, { responses: Record<string, Created> }>> };
    for (const path of ['/api/venues', '/api/events']) expect(doc.paths[path]?.['post']?.responses['201']?.headers?.['Location']?.schema.type, path).toBe('string');
  });

  it('declares the 400 of every route whose path parameters are validated', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/docs/json' })).json() as { paths: Record<string, Record<string, { responses: object }>> };
    const withParams = Object.entries(doc.paths).filter(([path]) => path.includes('{'));
    expect(withParams.length).toBeGreaterThan(3);
    for (const [path, operations] of withParams) {
      for (const [method, operation] of Object.entries(operations)) expect(Object.keys(operation.responses), `${method} ${path}`).toContain('400');
    }
  });

  it('serves the UI at /docs', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/docs/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
  });
});
