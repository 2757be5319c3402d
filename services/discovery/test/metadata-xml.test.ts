/**
 * Metadata the registry could not serve back as XML is refused with a 400 naming the field, over
 * real HTTP: Eureka writes each metadata entry as an element named by its key, so a key that is not
 * an XML name (`a b`, `x<y`) or a value with a control character XML cannot carry made the whole
 * registry unreadable to every XML client (full fetch and delta alike). Keys are refused at input;
 * values are escaped on output; what was stored before the checks is left out of the XML rather than
 * breaking it.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildDiscoveryApp, type DiscoveryApp } from '../src/app.js';
import { instanceBody } from './eureka-fixtures.js';

let discovery: DiscoveryApp;
let base: string;

beforeEach(async () => {
  discovery = buildDiscoveryApp({ evictionIntervalMs: 60_000, logger: false });
  await discovery.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(discovery.app.server.address() as { port: number }).port}/eureka`;
});
afterEach(() => discovery.app.close());

const registerJson = (body: unknown, app = 'META-APP') =>
  fetch(`${base}/apps/${app}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const register = (overrides: Record<string, unknown>) => registerJson(instanceBody('META-APP', 'm1', overrides));
const registerXml = (metadata: string) =>
  fetch(`${base}/apps/META-APP`, {
    method: 'POST',
    headers: { 'content-type': 'application/xml' },
    body: `<?xml version="1.0" encoding="UTF-8"?><instance><instanceId>x1</instanceId><hostName>x1.example.internal</hostName>
      <app>META-APP</app><ipAddr>10.0.1.8</ipAddr><port enabled="true">8080</port>
      <dataCenterInfo class="com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo"><name>MyOwn</name></dataCenterInfo>
      <metadata>${metadata}</metadata></instance>`,
  });
const putMetadata = (query: string) => fetch(`${base}/apps/META-APP/m1/metadata?${query}`, { method: 'PUT' });
const getXml = (path: string) => fetch(`${base}${path}`, { headers: { accept: 'application/xml' } }).then((r) => r.text());
const getJson = (path: string) =>
  fetch(`${base}${path}`, { headers: { accept: 'application/json' } }).then((r) => r.json() as Promise<{ instance: { metadata: unknown } }>);

async function expectRefused(res: Response, field: string) {
  expect(res.status).toBe(400);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const problem = (await res.json()) as { type: string; detail: string; errors: unknown };
  expect(problem.type).toBe('https://stream-seat.dev/problems/validation');
  expect(problem.detail.startsWith(`${field}: `)).toBe(true);
  expect(problem.errors).toEqual([{ field, message: expect.any(String) }]);
}

/** XML 1.0's Char production: what any document may contain, escaped or not. */
const NOT_AN_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/** Parses a document as an XML client must: well-formed, every character an XML Char. */
function parseStrictly(xml: string): Record<string, unknown> {
  expect(XMLValidator.validate(xml)).toBe(true);
  expect(xml).not.toMatch(NOT_AN_XML_CHAR);
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false, trimValues: false });
  return parser.parse(xml) as Record<string, unknown>;
}

type XmlInstance = { instanceId: string; metadata: Record<string, unknown> };
function xmlInstances(document: Record<string, unknown>): XmlInstance[] {
  const apps = (document['applications'] as { application: unknown }).application;
  return [apps]
    .flat()
    .flatMap((a) => [(a as { instance: unknown }).instance].flat()) as XmlInstance[];
}

describe('register: metadata keys', () => {
  it.each([['a b'], ['x<y'], ['zone</metadata>'], [''], ['1zone'], ['-zone'], ['a:b'], ['@attr'], ['$'], ['#text'], ['zoné'], ['k'.repeat(201)]])(
    'refuses the key %j with a 400 naming it, registering nothing',
    async (key) => {
      await expectRefused(await register({ metadata: { zone: 'a', [key]: '1' } }), `instance.metadata.${key}`);
      expect(discovery.registry.size()).toBe(0);
    },
  );

  it('refuses a bad key in dataCenterInfo.metadata (written as elements too)', async () => {
    const dataCenterInfo = { '@class': 'com.netflix.appinfo.AmazonInfo', name: 'Amazon', metadata: { 'instance-id': 'i-1', 'a b': 'x' } };
    await expectRefused(await register({ dataCenterInfo }), 'instance.dataCenterInfo.metadata.a b');
    expect(discovery.registry.size()).toBe(0);
  });
});

describe('register: metadata values', () => {
  it.each([
    ['NUL', '\u0000'],
    ['a bell inside text', 'a\u0007b'],
    ['a carriage return inside text', 'a\rb'],
    ['DEL', 'a\u007fb'],
    ['a C1 control', 'a\u0085b'],
    ['a lone surrogate', 'a\ud800b'],
    ['U+FFFF', 'a\uffffb'],
    ['an object', { x: 1 }],
    ['a list', [1, 2]],
  ])('refuses %s with a 400 naming the key, registering nothing', async (_name, value) => {
    await expectRefused(await register({ metadata: { zone: 'a', bad: value } }), 'instance.metadata.bad');
    expect(discovery.registry.size()).toBe(0);
  });

  it.each([
    ['a list', [1, 2]],
    ['text', 'zone=a'],
    ['a number', 5],
  ])('refuses metadata that is %s with a 400 naming instance.metadata', async (_name, metadata) => {
    await expectRefused(await register({ metadata }), 'instance.metadata');
    expect(discovery.registry.size()).toBe(0);
  });

  it('refuses the probe’s registration as sent', async () => {
    await expectRefused(await register({ metadata: { 'a b': '1', 'x<y': '\u0000' } }), 'instance.metadata.a b');
    expect(discovery.registry.size()).toBe(0);
  });

  it('accepts what clients send: strings, numbers and booleans as text, empty and absent metadata', async () => {
    const metadata = { 'management.port': 8081, secure: true, zone: 'eu-1', _private: '', 'xmlConfig': 'x', 'user.name': 'admin' };
    expect((await register({ metadata })).status).toBe(204);
    expect(discovery.registry.instance('META-APP', 'm1')?.metadata).toEqual({ ...metadata, 'management.port': '8081', secure: 'true' });
    for (const empty of [{}, null, undefined, { '@class': 'java.util.Collections$EmptyMap' }]) {
      expect((await register({ metadata: empty })).status).toBe(204);
      expect(discovery.registry.instance('META-APP', 'm1')?.metadata).toEqual({});
    }
  });
});

describe('register: XML bodies', () => {
  it.each([
    ['a control character in a value', '<zone>a</zone><bad>x\u0001y</bad>', 'instance.metadata.bad'],
    ['a value with child elements', '<zone>a</zone><bad><x>1</x></bad>', 'instance.metadata.bad'],
    ['a key given twice', '<zone>a</zone><zone>b</zone>', 'instance.metadata.zone'],
  ])('refuses %s with a 400 naming it', async (_name, metadata, field) => {
    await expectRefused(await registerXml(metadata), field);
    expect(discovery.registry.size()).toBe(0);
  });

  it('accepts escaped values and a value element with attributes', async () => {
    expect((await registerXml('<zone>eu &amp; &lt;us&gt;</zone><weight unit="n">5</weight><empty/>')).status).toBe(204);
    expect(discovery.registry.instance('META-APP', 'x1')?.metadata).toEqual({ zone: 'eu & <us>', weight: '5', empty: '' });
  });
});

describe('PUT .../metadata?k=v', () => {
  beforeEach(async () => {
    expect((await register({})).status).toBe(204);
  });
  const unchanged = async () => expect(discovery.registry.instance('META-APP', 'm1')?.metadata).toEqual({ zone: 'a' });

  it.each([
    ['a%20b=1', 'querystring.a b'],
    ['x%3Cy=1', 'querystring.x<y'],
    ['zone%3C%2Fmetadata%3E=1', 'querystring.zone</metadata>'],
    ['=1', 'querystring'],
    ['1zone=1', 'querystring.1zone'],
    [`${'k'.repeat(201)}=1`, `querystring.${'k'.repeat(201)}`],
    ['weight=5&bad=%00', 'querystring.bad'],
    ['bad=a%0Db', 'querystring.bad'],
    ['bad=a%C2%85b', 'querystring.bad'],
  ])('refuses ?%s with a 400 naming the key, changing nothing', async (query, field) => {
    await expectRefused(await putMetadata(query), field);
    await unchanged();
  });

  it('refuses the probe’s query as sent', async () => {
    await expectRefused(await putMetadata('zone%3C%2Fmetadata%3E=1'), 'querystring.zone</metadata>');
    await unchanged();
    expect(parseStrictly(await getXml('/apps'))).toBeTruthy();
  });

  it('accepts XML names, tabs and newlines', async () => {
    expect((await putMetadata('management.port=8081&_x=a%09b%0Ac&a-b=')).status).toBe(200);
    expect(discovery.registry.instance('META-APP', 'm1')?.metadata).toEqual({ zone: 'a', 'management.port': '8081', _x: 'a\tb\nc', 'a-b': '' });
  });
});

describe('values served back as XML', () => {
  const tricky = `<&>"' ]]> &amp; <metadata>`;

  it('escapes <&>"\' in values: the full registry and the delta parse, and the values round-trip exactly', async () => {
    expect((await register({ metadata: { zone: 'a', tricky, quote: '"', apos: "'" } })).status).toBe(204);
    expect((await putMetadata(`put=${encodeURIComponent(tricky)}&tab=${encodeURIComponent('a\tb')}`)).status).toBe(200);
    const expected = { zone: 'a', tricky, quote: '"', apos: "'", put: tricky, tab: 'a\tb' };
    for (const path of ['/apps', '/apps/delta']) {
      const [instance] = xmlInstances(parseStrictly(await getXml(path)));
      expect(instance?.metadata, path).toEqual(expected);
    }
    const one = parseStrictly(await getXml('/apps/META-APP/m1'))['instance'] as XmlInstance;
    expect(one.metadata).toEqual(expected);
    expect((await getJson('/apps/META-APP/m1')).instance.metadata).toEqual(expected);
  });

  it('leaves out of the XML a metadata entry stored before the checks, keeping the document readable', async () => {
    expect((await register({})).status).toBe(204);
    // As an older release (or peer) could have stored it: straight into the registry, past the checks.
    discovery.registry.updateMetadata('META-APP', 'm1', { 'a b': '1', 'zone</metadata>': '2', '1bad': '3', nul: 'x\u0000y', ok: '<ok>' });
    for (const path of ['/apps', '/apps/delta']) {
      const [instance] = xmlInstances(parseStrictly(await getXml(path)));
      expect(instance?.metadata, path).toEqual({ zone: 'a', nul: 'x\uFFFDy', ok: '<ok>' });
    }
    // JSON can carry every key and character: served as stored.
    expect((await getJson('/apps/META-APP/m1')).instance.metadata).toEqual({ zone: 'a', 'a b': '1', 'zone</metadata>': '2', '1bad': '3', nul: 'x\u0000y', ok: '<ok>' });
  });
});
