/**
 * Metadata keys with JavaScript's prototype names: `__proto__` is refused with a 400 naming it
 * (it cannot be held, nor replicated, as data); `constructor` and `prototype` are plain data; no
 * request touches Object.prototype.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildDiscoveryApp, type DiscoveryApp } from '../src/app.js';
import { instanceBody } from './eureka-fixtures.js';

let discovery: DiscoveryApp;

beforeEach(async () => {
  discovery = buildDiscoveryApp({ evictionIntervalMs: 60_000, logger: false });
  await discovery.app.ready();
  await discovery.app.inject({ method: 'POST', url: '/eureka/apps/A-APP', payload: instanceBody('A-APP', 'a1') });
});
afterEach(() => discovery.app.close());

const setMetadata = (query: string) => discovery.app.inject({ method: 'PUT', url: `/eureka/apps/A-APP/a1/metadata?${query}` });
const served = async () =>
  (await discovery.app.inject({ method: 'GET', url: '/eureka/apps/A-APP/a1', headers: { accept: 'application/json' } })).json().instance.metadata;

describe('metadata keys', () => {
  it.each([['__proto__=x'], ['__proto__=x&zone=b'], ['zone=b&%5F%5Fproto%5F%5F=x']])('refuses ?%s with a 400 naming __proto__, changing nothing', async (query) => {
    const res = await setMetadata(query);
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ detail: 'querystring.__proto__: is not allowed as a metadata key', errors: [{ field: 'querystring.__proto__' }] });
    expect(await served()).toEqual({ zone: 'a' });
  });

  it('stores constructor, prototype and toString as plain data, served back as sent', async () => {
    expect((await setMetadata('constructor=c&prototype=p&toString=t')).statusCode).toBe(200);
    const metadata = discovery.registry.instance('A-APP', 'a1')?.metadata as Record<string, unknown>;
    expect(Object.getPrototypeOf(metadata)).toBe(Object.prototype);
    expect(Object.entries(metadata)).toEqual([['zone', 'a'], ['constructor', 'c'], ['prototype', 'p'], ['toString', 't']]);
    expect(await served()).toEqual({ zone: 'a', constructor: 'c', prototype: 'p', toString: 't' });
    const xml = (await discovery.app.inject({ method: 'GET', url: '/eureka/apps/A-APP/a1' })).body;
    expect(xml).toContain('<metadata><zone>a</zone><constructor>c</constructor><prototype>p</prototype><toString>t</toString></metadata>');
    expect(Object.prototype).not.toHaveProperty('x');
    expect(({} as Record<string, unknown>)['constructor']).toBe(Object);
  });
});
