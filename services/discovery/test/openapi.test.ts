/** The discovery service's OpenAPI document and UI: every Eureka route of the contract, once. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDiscoveryApp, type DiscoveryApp } from '../src/app.js';

describe('OpenAPI document of the discovery service', () => {
  let discovery: DiscoveryApp;
  beforeAll(async () => {
    // With a token and protected reads: the docs reveal no topology and stay open, like /health.
    discovery = buildDiscoveryApp({ evictionIntervalMs: 60_000, logger: false, token: 'registry-secret', protectReads: true });
    await discovery.app.ready();
  });
  afterAll(() => discovery.app.close());

  it('lists the Eureka routes with a summary and a tag, under /eureka', async () => {
    const res = await discovery.app.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json() as { openapi: string; paths: Record<string, Record<string, { summary?: string; tags?: string[] }>> };
    expect(doc.openapi).toMatch(/^3\./);
    const expected: Array<[string, string]> = [
      ['/eureka/apps/{app}', 'post'],
      ['/eureka/apps/{app}/{id}', 'put'],
      ['/eureka/apps/{app}/{id}', 'delete'],
      ['/eureka/apps', 'get'],
      ['/eureka/apps/delta', 'get'],
      ['/eureka/apps/{app}', 'get'],
      ['/eureka/apps/{app}/{id}', 'get'],
      ['/eureka/instances/{id}', 'get'],
      ['/eureka/apps/{app}/{id}/status', 'put'],
      ['/eureka/apps/{app}/{id}/status', 'delete'],
      ['/eureka/apps/{app}/{id}/metadata', 'put'],
      ['/eureka/vips/{vip}', 'get'],
    ];
    for (const [path, method] of expected) {
      const operation = doc.paths[path]?.[method];
      expect(operation, `${method} ${path}`).toBeDefined();
      expect(operation?.summary, `${method} ${path}`).toBeTruthy();
      expect(operation?.tags, `${method} ${path}`).toEqual(['eureka']);
    }
    // The /eureka/v2 twins are the same routes; the dashboard is a page, not API.
    expect(Object.keys(doc.paths).filter((p) => p.startsWith('/eureka/v2') || p === '/')).toEqual([]);
  });

  it('serves the UI at /docs', async () => {
    const res = await discovery.app.inject({ method: 'GET', url: '/docs/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
  });
});
