import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError, Conflict, Unauthorized } from './errors.js';
import { type App, createService, KEEP_ALIVE_TIMEOUT_MS, MALFORMED_PERCENT_ENCODING, registerRoutes } from './service.js';

let app: App;

beforeAll(async () => {
  app = createService({ name: 'test', logger: false });
  app.post(
    '/things',
    { schema: { body: z.object({ name: z.string().min(1), count: z.number().int().min(0) }) } },
    async (request) => ({ ok: request.body.name }),
  );
  app.post('/bodiless', async (request) => ({ body: request.body ?? null }));
  app.get('/conflict', async () => {
    throw new Conflict('seats-unavailable', 'Seats unavailable', 'Some seats are taken', { unavailable: ['A-1'] });
  });
  app.get('/boom', async () => {
    throw new Error('secret internals: password=xyz');
  });
  app.get('/unauthorized', async () => {
    throw new Unauthorized();
  });
  app.get('/teapot', async () => {
    throw new AppError(418, 'teapot', "I'm a teapot");
  });
  let ready = true;
  app.addReadinessCheck({
    name: 'database',
    check: async () => {
      if (!ready) throw new Error('down');
    },
  });
  app.get('/plain', async () => ({ plain: true }));
  app.get('/cached', async (_request, reply) => {
    reply.header('cache-control', 'public, max-age=60');
    return { cached: true };
  });
  app.get('/toggle', async () => {
    ready = !ready;
    return { ready };
  });
  await app.ready();
});

afterAll(() => app.close());

const problemType = 'application/problem+json; charset=utf-8';

describe('the problem handler', () => {
  it('keeps idle connections KEEP_ALIVE_TIMEOUT_MS, the figure a load balancer in front is checked against', () => {
    expect(app.server.keepAliveTimeout).toBe(KEEP_ALIVE_TIMEOUT_MS);
  });

  it('answers malformed JSON with a 400 problem', async () => {
    const res = await app.inject({ method: 'POST', url: '/things', payload: '{"name":', headers: { 'content-type': 'application/json' } });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toBe(problemType);
    expect(res.json().detail).toMatch(/body/i);
    // Its own type, the field named as for any invalid one (it was `ctp-invalid-json-body`, with no `errors`).
    expect(res.json()).toMatchObject({ type: 'https://stream-seat.dev/problems/invalid-json', errors: [{ field: 'body' }] });
  });

  it('refuses a key given twice in one object, naming it, where JSON.parse had kept the last silently', async () => {
    const twice = await app.inject({ method: 'POST', url: '/things', payload: '{"name":"a","count":1,"count":2}', headers: { 'content-type': 'application/json' } });
    expect(twice.statusCode).toBe(400);
    expect(twice.headers['content-type']).toBe(problemType);
    expect(twice.json().errors).toEqual([{ field: 'count', message: 'is given more than once' }]);
    // Also on a route that reads no body, and spelled otherwise (`\u0063ount` is `count`).
    const bodiless = await app.inject({ method: 'POST', url: '/bodiless', payload: '{"x":{"count":1,"\\u0063ount":2}}', headers: { 'content-type': 'application/json' } });
    expect(bodiless.json().errors).toEqual([{ field: 'x.count', message: 'is given more than once' }]);
    const once = await app.inject({ method: 'POST', url: '/things', payload: '{"name":"count","count":2}', headers: { 'content-type': 'application/json' } });
    expect(once.json()).toEqual({ ok: 'count' });
  });

  it('takes an empty JSON body as no body: a route without one answers, a route needing one names `body`', async () => {
    const json = { 'content-type': 'application/json' };
    const bodiless = await app.inject({ method: 'POST', url: '/bodiless', headers: json });
    expect(bodiless.statusCode).toBe(200);
    expect(bodiless.json()).toEqual({ body: null });
    const required = await app.inject({ method: 'POST', url: '/things', headers: { 'content-type': 'application/json; charset=utf-8' } });
    expect(required.statusCode).toBe(400);
    expect(required.headers['content-type']).toBe(problemType);
    expect(required.json().errors).toEqual([expect.objectContaining({ field: 'body' })]);
    expect(required.json().detail).toMatch(/^body:/);
  });

  it("keeps fastify's protection against prototype poisoning in JSON bodies", async () => {
    const res = await app.inject({ method: 'POST', url: '/bodiless', payload: '{"__proto__": {"admin": true}}', headers: { 'content-type': 'application/json' } });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toBe(problemType);
    expect(res.json().detail).toBe('body: must not use `__proto__` or `constructor.prototype` as a key');
    expect(res.json().errors).toEqual([{ field: 'body', message: 'must not use `__proto__` or `constructor.prototype` as a key' }]);
    const constructor = await app.inject({ method: 'POST', url: '/bodiless', payload: '{"constructor": {"prototype": {"admin": true}}}', headers: { 'content-type': 'application/json' } });
    expect(constructor.statusCode).toBe(400);
    expect(constructor.json().errors[0].field).toBe('body');
    // Broken JSON is still called broken.
    const broken = await app.inject({ method: 'POST', url: '/bodiless', payload: '{"__proto__": ', headers: { 'content-type': 'application/json' } });
    expect(broken.json().detail).toMatch(/^body: .*JSON/);
  });

  it('reads a JSON body as UTF-8 only: other bytes are a 400 naming body, another charset, a content coding or another type a 415', async () => {
    const post = (payload: Buffer | string, headers: Record<string, string>) => app.inject({ method: 'POST', url: '/bodiless', payload, headers });
    // Latin-1 bytes: stored as U+FFFD before.
    const latin1 = await post(Buffer.from('{"name":"Th\xe9\xe2tre"}', 'latin1'), { 'content-type': 'application/json' });
    expect(latin1.statusCode).toBe(400);
    expect(latin1.json().errors).toEqual([{ field: 'body', message: 'is not valid UTF-8 (JSON is sent in UTF-8)' }]);
    const declared = await post(Buffer.from('{"name":"Th\xe9\xe2tre"}', 'latin1'), { 'content-type': 'application/json; charset=iso-8859-1' });
    expect(declared.statusCode).toBe(415);
    expect(declared.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(declared.json()).toMatchObject({ status: 415, title: 'Unsupported media type', detail: 'JSON is read in UTF-8 only, not charset="iso-8859-1"' });
    // A type no route reads is a 415, text/plain as much as any other.
    for (const type of ['text/plain', 'application/octet-stream']) {
      const other = await post('{"name":"x"}', { 'content-type': type });
      expect(other.statusCode, type).toBe(415);
      expect(other.headers['content-type']).toMatch(/application\/problem\+json/);
      // The same type as a refused charset: one 415 for a client to handle (it was ctp-invalid-media-type).
      expect(other.json()).toMatchObject({ type: declared.json().type, detail: `a body of Content-Type "${type}" is not read here; send application/json` });
    }
    // Named, not echoed at length.
    const long = await post('{"name":"x"}', { 'content-type': `text/${'x'.repeat(5_000)}` });
    expect(long.statusCode).toBe(415);
    expect(long.body.length).toBeLessThan(1_000);
    const gzipped = await post(gzipSync('{"name":"x"}'), { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    expect(gzipped.statusCode).toBe(415);
    expect(gzipped.json().detail).toMatch(/without a content coding \(not gzip\)/);
    // UTF-8 as such, named in any spelling, with a byte-order mark or not; and `identity`.
    for (const [payload, headers] of [
      ['{"name":"Théâtre ✓"}', { 'content-type': 'application/json; charset=UTF-8' }],
      ['{"name":"Théâtre ✓"}', { 'content-type': 'application/json;charset="utf8"' }],
      ['{"name":"Théâtre ✓"}', { 'content-type': 'application/json; charset=US-ASCII' }],
      ['\ufeff{"name":"Théâtre ✓"}', { 'content-type': 'application/json' }],
      ['{"name":"Théâtre ✓"}', { 'content-type': 'application/json', 'content-encoding': 'identity' }],
    ] as const) {
      const ok = await post(payload, headers);
      expect(ok.statusCode, JSON.stringify(headers)).toBe(200);
      expect(ok.json()).toEqual({ body: { name: 'Théâtre ✓' } });
    }
  });

  it('keeps an answer to a caller\'s token from every cache, unless its route says how to cache it', async () => {
    const mine = await app.inject({ method: 'GET', url: '/plain', headers: { authorization: 'Bearer anything' } });
    expect(mine.headers['cache-control']).toBe('private, no-store');
    const refused = await app.inject({ method: 'GET', url: '/conflict', headers: { authorization: 'Bearer anything' } });
    expect(refused.headers['cache-control']).toBe('private, no-store');
    const cacheable = await app.inject({ method: 'GET', url: '/cached', headers: { authorization: 'Bearer anything' } });
    expect(cacheable.headers['cache-control']).toBe('public, max-age=60');
    // Without a token the answer is anyone's: the route's own choice, or none.
    expect((await app.inject({ method: 'GET', url: '/plain' })).headers['cache-control']).toBeUndefined();
  });

  it('names its scheme in a 401 (WWW-Authenticate: Bearer)', async () => {
    const res = await app.inject({ method: 'GET', url: '/unauthorized' });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="stream-seat"');
    expect((await app.inject({ method: 'GET', url: '/conflict' })).headers['www-authenticate']).toBeUndefined();
  });

  it('answers a wrong type with a 400 naming the field', async () => {
    const res = await app.inject({ method: 'POST', url: '/things', payload: { name: 'x', count: 'many' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([expect.objectContaining({ field: 'count' })]);
    expect(res.json().detail).toMatch(/^count:/);
  });

  it('answers an unknown route with a 404 problem', async () => {
    const res = await app.inject({ method: 'GET', url: '/nowhere' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toBe(problemType);
    expect(res.json()).toMatchObject({ status: 404, title: 'Not found' });
  });

  it('maps typed errors with their extra fields', async () => {
    const res = await app.inject({ method: 'GET', url: '/conflict' });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({
      type: 'https://stream-seat.dev/problems/seats-unavailable',
      unavailable: ['A-1'],
    });
  });

  it('hides the internals of a 500 and gives the request id', async () => {
    const res = await app.inject({ method: 'GET', url: '/boom', headers: { 'x-request-id': 'req-42' } });
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toMatch(/secret internals|password/);
    expect(res.json().requestId).toBe('req-42');
    expect(res.headers['x-request-id']).toBe('req-42');
  });

  it('passes custom statuses through', async () => {
    expect((await app.inject({ method: 'GET', url: '/teapot' })).statusCode).toBe(418);
  });
});

describe('a wrong method on an existing path (RFC 9110 §15.5.6)', () => {
  let api: App;
  beforeAll(async () => {
    api = createService({ name: 'methods', logger: false });
    api.post('/orders', async () => ({ ok: true }));
    api.get('/report', async () => ({ ok: true }));
    api.get('/live', { exposeHeadRoute: false }, async () => ({ ok: true }));
    // A route that hides itself sends its own method to the not-found handler: still a 404.
    api.get('/hidden', async (_request, reply) => reply.callNotFound());
    // A root catch-all (as @fastify/cors registers for preflights, which it answers in a hook,
    // and sends to the not-found handler when CORS is off) does not make every path exist.
    api.options('*', async (_request, reply) => reply.callNotFound());
    registerRoutes(api, (routes) => {
      routes.get('/things/:id', async () => ({ ok: true }));
      routes.delete('/things/:id', async () => ({ ok: true }));
    });
    await api.ready();
  });
  afterAll(() => api.close());

  it('answers PUT on a POST-only route 405, Allow: POST, as a problem', async () => {
    const res = await api.inject({ method: 'PUT', url: '/orders' });
    expect(res.statusCode).toBe(405);
    expect(res.headers['allow']).toBe('POST');
    expect(res.headers['content-type']).toBe(problemType);
    expect(res.json()).toEqual({
      type: 'https://stream-seat.dev/problems/method-not-allowed',
      title: 'Method not allowed',
      status: 405,
      detail: 'PUT is not allowed on /orders; allowed: POST',
      instance: '/orders',
    });
    for (const method of ['GET', 'PATCH', 'DELETE', 'OPTIONS'] as const) {
      const other = await api.inject({ method, url: '/orders' });
      expect(other.statusCode, method).toBe(405);
      expect(other.headers['allow'], method).toBe('POST');
    }
  });

  it('answers a method of no standard (PROPFIND) 501 on any path, without an Allow that would name other methods', async () => {
    for (const url of ['/orders', '/no-such-path']) {
      const res = await api.inject({ method: 'PROPFIND' as 'GET', url });
      expect(res.statusCode, url).toBe(501);
      expect(res.headers['allow']).toBeUndefined();
      expect(res.headers['content-type']).toBe(problemType);
      expect(res.json()).toMatchObject({ type: 'https://stream-seat.dev/problems/not-implemented', title: 'Not implemented', status: 501 });
    }
  });

  it('answers HEAD where GET is, and lists both', async () => {
    expect((await api.inject({ method: 'HEAD', url: '/report' })).statusCode).toBe(200);
    const res = await api.inject({ method: 'PUT', url: '/report' });
    expect(res.statusCode).toBe(405);
    expect(res.headers['allow']).toBe('GET, HEAD');
    // Not where the route turned HEAD off: it is not answered, so not listed.
    const live = await api.inject({ method: 'HEAD', url: '/live' });
    expect(live.statusCode).toBe(405);
    expect(live.headers['allow']).toBe('GET');
  });

  it('matches parametric routes registered in plugins, and lists their methods in order', async () => {
    const res = await api.inject({ method: 'PATCH', url: '/things/42' });
    expect(res.statusCode).toBe(405);
    expect(res.headers['allow']).toBe('DELETE, GET, HEAD');
    expect(res.json().detail).toBe('PATCH is not allowed on /things/42; allowed: DELETE, GET, HEAD');
  });

  it('ignores the query string and a trailing slash, as the router does', async () => {
    const res = await api.inject({ method: 'PUT', url: '/things/42/?x=/orders&y=1' });
    expect(res.statusCode).toBe(405);
    expect(res.headers['allow']).toBe('DELETE, GET, HEAD');
    expect(res.json().instance).toBe('/things/42/?x=/orders&y=1');
    const post = await api.inject({ method: 'POST', url: '/report?then=/orders' });
    expect(post.statusCode).toBe(405);
    expect(post.headers['allow']).toBe('GET, HEAD');
  });

  it('the platform routes too: PUT /health is a 405', async () => {
    const res = await api.inject({ method: 'PUT', url: '/health' });
    expect(res.statusCode).toBe(405);
    expect(res.headers['allow']).toBe('GET, HEAD');
  });

  it('keeps a 404 for an unknown path, a root catch-all aside, and for a route that hides itself', async () => {
    for (const [method, url] of [['GET', '/nowhere'], ['PUT', '/nowhere?x=1'], ['PUT', '/things'], ['GET', '/things/42/more'], ['GET', '/hidden'], ['OPTIONS', '/nowhere']] as const) {
      const res = await api.inject({ method, url });
      expect(res.statusCode, `${method} ${url}`).toBe(404);
      expect(res.headers['allow'], `${method} ${url}`).toBeUndefined();
      expect(res.headers['content-type']).toBe(problemType);
      expect(res.json(), `${method} ${url}`).toMatchObject({ status: 404, title: 'Not found', detail: `No route for ${method} ${url.split('?')[0]}` });
    }
  });
});

describe('service defaults', () => {
  it('continues an incoming trace', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const res = await app.inject({ method: 'GET', url: '/health', headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` } });
    expect(res.headers['traceparent']).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
  });

  it('reports readiness from its checks', async () => {
    expect((await app.inject({ method: 'GET', url: '/ready' })).statusCode).toBe(200);
    await app.inject({ method: 'GET', url: '/toggle' });
    const res = await app.inject({ method: 'GET', url: '/ready' });
    expect(res.statusCode).toBe(503);
    expect(res.json().checks.database).toMatch(/^DOWN/);
    await app.inject({ method: 'GET', url: '/toggle' });
  });

  it('reports start-up apart from readiness: /started waits for start-up and registration, not for the database', async () => {
    const started = async () => app.inject({ method: 'GET', url: '/started' });
    expect((await started()).statusCode).toBe(200);
    // Migrating: not started (an orchestrator keeps the old tasks), whatever else answers.
    app.setStarting(true);
    const starting = await started();
    expect(starting.statusCode).toBe(503);
    expect(starting.json().checks).toEqual({ startup: 'DOWN: starting' });
    app.setStarting(false);
    // The database going away makes the instance unready, not un-started: no task is replaced for a fail-over.
    await app.inject({ method: 'GET', url: '/toggle' });
    expect((await app.inject({ method: 'GET', url: '/ready' })).statusCode).toBe(503);
    expect((await started()).statusCode).toBe(200);
    await app.inject({ method: 'GET', url: '/toggle' });
  });

  it('exposes Prometheus metrics with the route pattern as a label', async () => {
    await app.inject({ method: 'GET', url: '/conflict' });
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.body).toMatch(/http_server_request_duration_seconds_count\{[^}]*route="\/conflict"[^}]*status="409"/);
    expect(res.body).toMatch(/process_cpu_user_seconds_total/);
  });
});

describe('query parameters of the public API', () => {
  let api: App;
  beforeAll(async () => {
    api = createService({ name: 'queries', logger: false });
    api.post('/api/things', { schema: { body: z.object({ a: z.number() }) } }, async () => ({ ok: true }));
    api.post('/api/strict', { schema: { body: z.strictObject({ a: z.number() }) } }, async () => ({ ok: true }));
    api.post('/api/bounded', { schema: { body: z.strictObject({ n: z.number().int().min(1).max(100) }) } }, async () => ({ ok: true }));
    api.get('/api/list', { schema: { querystring: z.strictObject({ limit: z.string().optional() }) } }, async () => ({ ok: true }));
    // The gateway's proxy routes are hidden from the docs: they pass any query on.
    api.all('/api/proxied/*', { schema: { hide: true } }, async () => ({ proxied: true }));
    api.get('/api/bare', async () => ({ bare: true }));
    await api.ready();
  });
  afterAll(() => api.close());

  it('names an unknown key with what would not show written out, not as sent', async () => {
    const res = await api.inject({ method: 'POST', url: '/api/strict', payload: { a: 1, ['x\u202Eyyy\u0000z']: 1 } });
    // Before: the key as it came, U+202E and NUL included (displayed reversed, or cut short).
    expect(res.json().errors).toEqual([{ field: 'x\\u{202E}yyy\\u{0}z', message: 'is not a known field' }]);
  });

  it('says the tightest of a field\'s bounds, not every one it is past', async () => {
    const big = (await api.inject({ method: 'POST', url: '/api/bounded', payload: { n: 1e300 } })).json();
    // Before: "Too big: expected int to be <=9007199254740991; Too big: expected number to be <=100".
    expect(big.errors).toEqual([{ field: 'n', message: 'Too big: expected number to be <=100' }]);
    const small = (await api.inject({ method: 'POST', url: '/api/bounded', payload: { n: -1e300 } })).json();
    expect(small.errors).toEqual([{ field: 'n', message: 'Too small: expected number to be >=1' }]);
  });

  it('lists the first 20 faults of a body with thousands, and counts the rest', async () => {
    const payload = { a: 1, ...Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`k${i}`, i])) };
    const res = await api.inject({ method: 'POST', url: '/api/strict', payload });
    expect(res.statusCode).toBe(400);
    const problem = res.json();
    expect(problem.errors).toHaveLength(20);
    expect(problem.errors[0]).toEqual({ field: 'k0', message: 'is not a known field' });
    expect(problem.moreErrors).toBe(4_980);
    expect(problem.detail).toMatch(/^k0: is not a known field; .*; and 4980 more$/);
    expect(res.body.length).toBeLessThan(5_000);
    // A key of 200,000 characters is named by its first 100.
    const long = (await api.inject({ method: 'POST', url: '/api/strict', payload: { a: 1, ['x'.repeat(200_000)]: 1 } })).json();
    expect(long.errors).toEqual([{ field: `${'x'.repeat(100)}…`, message: 'is not a known field' }]);
    // A body with one fault is answered as before.
    const one = (await api.inject({ method: 'POST', url: '/api/strict', payload: { a: 'x' } })).json();
    expect(one.errors).toHaveLength(1);
    expect(one.moreErrors).toBeUndefined();
  });

  it('are refused, naming each, on a route that declares none: a command never runs with one it ignores', async () => {
    const res = await api.inject({ method: 'POST', url: '/api/things?dryRun=1', payload: { a: 1 } });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([{ field: 'querystring.dryRun', message: 'is not a known field' }]);
    expect((await api.inject({ method: 'POST', url: '/api/things', payload: { a: 1 } })).statusCode).toBe(200);
    expect((await api.inject({ method: 'GET', url: '/api/list?limit=5' })).statusCode).toBe(200);
    expect((await api.inject({ method: 'GET', url: '/api/proxied/a?x=1' })).json()).toEqual({ proxied: true });
    expect((await api.inject({ method: 'GET', url: '/api/bare?x=1' })).json()).toEqual({ bare: true });
  });

  it('refuses a query that does not decode on every route, naming `querystring`, and reads one that does', async () => {
    // A service reached on its own port had read `?limit=%FF` with its `%` kept as text.
    for (const url of ['/api/list?limit=%FF', '/api/list?limit=%E2%82', '/api/proxied/a?x=%', '/health?%zz']) {
      const res = await api.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(400);
      expect(res.headers['content-type'], url).toMatch(/^application\/problem\+json/);
      expect(res.json().errors, url).toEqual([{ field: 'querystring', message: MALFORMED_PERCENT_ENCODING }]);
    }
    for (const url of ['/api/list?limit=%E2%82%AC', '/api/list?limit=a+b', '/api/list?limit=', '/api/list?']) {
      expect((await api.inject({ method: 'GET', url })).statusCode, url).toBe(200);
    }
  });
});
