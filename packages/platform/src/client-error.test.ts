/** Requests refused by Node's HTTP parser, and over-long path parameters, still get problem+json. */
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type App, createService } from './service.js';

let app: App;
let port: number;

beforeAll(async () => {
  app = createService({ name: 'test', logger: false });
  app.get('/things/:id', { schema: { params: z.object({ id: z.string().min(1).max(64) }) } }, async (request) => ({ id: request.params.id }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  port = (app.server.address() as AddressInfo).port;
});
afterAll(() => app.close());

/** Sends raw bytes and reads until the server closes the connection. */
function exchange(request: string): Promise<{ status: number; headers: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    let received = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('close', () => {
      const end = received.indexOf('\r\n\r\n');
      resolve({ status: Number(received.split(' ')[1]), headers: received.slice(0, end), body: received.slice(end + 4) });
    });
    socket.on('error', reject);
  });
}

describe('a request whose body never comes whole', () => {
  it('is answered 408 problem+json and its connection closed, not held for good', async () => {
    const slow = createService({ name: 'slow', logger: false, requestTimeoutMs: 500 });
    slow.post('/things', { schema: { body: z.object({ name: z.string() }) } }, async () => ({ ok: true }));
    await slow.listen({ port: 0, host: '127.0.0.1' });
    try {
      const slowPort = (slow.server.address() as AddressInfo).port;
      // 29 bytes announced, 10 sent, and nothing more: the socket would otherwise stay open forever.
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = connect(slowPort, '127.0.0.1', () =>
          socket.write('POST /things HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 29\r\n\r\n{"name": "'),
        );
        let received = '';
        socket.setEncoding('latin1');
        socket.on('data', (chunk: string) => (received += chunk));
        socket.on('close', () => resolve(received));
        socket.on('error', reject);
        // A guard against a hang, far above the 500 ms limit and Node's 500 ms check.
        setTimeout(() => {
          socket.destroy();
          reject(new Error(`no answer within 10 s: ${received}`));
        }, 10_000);
      });
      expect(answer).toMatch(/^HTTP\/1\.1 408 /);
      expect(answer).toContain('application/problem+json');
      expect(answer).toContain('"type":"https://stream-seat.dev/problems/request-timeout"');
    } finally {
      await slow.close();
    }
  });
});

describe('requests the HTTP parser refuses', () => {
  it('answers headers over 16 KB with a 431 problem, and closes', async () => {
    const res = await exchange(`GET /things/a HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(res.status).toBe(431);
    expect(res.headers).toMatch(/content-type: application\/problem\+json/i);
    expect(res.headers).toMatch(/connection: close/i);
    expect(JSON.parse(res.body)).toMatchObject({ status: 431, type: expect.stringMatching(/headers-too-large$/) });
  });

  it('answers a control character in a header with a 400 problem naming the headers', async () => {
    const res = await exchange('GET /things/a HTTP/1.1\r\nHost: x\r\nIdempotency-Key: a\x01b\r\n\r\n');
    expect(res.status).toBe(400);
    expect(res.headers).toMatch(/content-type: application\/problem\+json/i);
    expect(JSON.parse(res.body)).toMatchObject({ status: 400, detail: expect.stringMatching(/^headers: /) });
  });

  it('answers garbage that is not HTTP with a 400 problem', async () => {
    const res = await exchange('HELLO THERE\r\n\r\n');
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({ status: 400, type: expect.stringMatching(/bad-request$/) });
  });
});

describe('path parameters', () => {
  it('names a parameter longer than its schema allows, however long (the router would refuse over 100)', async () => {
    for (const length of [65, 150, 900]) {
      const res = await app.inject({ method: 'GET', url: `/things/${'x'.repeat(length)}` });
      expect(res.statusCode, String(length)).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.json().detail, String(length)).toMatch(/^params\.id: /);
    }
  });

  it('names the path, without repeating it, when a part is longer than the router takes or does not decode', async () => {
    const tooLong = await app.inject({ method: 'GET', url: `/things/${'x'.repeat(1_200)}` });
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.json().errors).toEqual([{ field: 'path', message: 'has a part longer than 1,000 characters' }]);
    expect(tooLong.json().detail).toBe('path: has a part longer than 1,000 characters');
    expect(tooLong.body).not.toContain('x'.repeat(1_000));
    const undecodable = await app.inject({ method: 'GET', url: '/things/%FF' });
    expect(undecodable.statusCode).toBe(400);
    expect(undecodable.json().errors.map((e: { field: string }) => e.field)).toEqual(['path']);
  });
});

describe('the Host header', () => {
  it('is required once in HTTP/1.1: none, or two, is a 400 problem naming it', async () => {
    for (const [head, message] of [
      ['GET /things/a HTTP/1.1\r\nConnection: close\r\n\r\n', 'is required in HTTP/1.1'],
      ['GET /things/a HTTP/1.1\r\nHost: a.example\r\nHost: b.example\r\nConnection: close\r\n\r\n', 'is given more than once'],
    ] as const) {
      const answer = await exchange(head);
      expect(answer.status, head).toBe(400);
      expect(answer.headers).toContain('application/problem+json');
      expect(JSON.parse(answer.body).errors).toEqual([{ field: 'headers.host', message }]);
    }
    // One Host in HTTP/1.1, or none in HTTP/1.0 (which has no such rule), is served.
    expect((await exchange('GET /things/a HTTP/1.1\r\nHost: a.example\r\nConnection: close\r\n\r\n')).status).toBe(200);
    expect((await exchange('GET /things/a HTTP/1.0\r\n\r\n')).status).toBe(200);
  });
});

describe('the Idempotency-Key header', () => {
  it('is refused twice in one request, naming it (Node would join them into one key, "a, b")', async () => {
    const answer = await exchange('GET /things/a HTTP/1.1\r\nHost: a.example\r\nIdempotency-Key: a\r\nIdempotency-Key: b\r\nConnection: close\r\n\r\n');
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body).errors).toEqual([{ field: 'headers.idempotency-key', message: 'is given more than once' }]);
    expect((await exchange('GET /things/a HTTP/1.1\r\nHost: a.example\r\nIdempotency-Key: a, b\r\nConnection: close\r\n\r\n')).status).toBe(200);
  });
});

describe('Authorization and Content-Type', () => {
  it('are refused twice in one request, naming them (Node keeps the first; a proxy keeping the last would judge another caller)', async () => {
    for (const name of ['Authorization', 'Content-Type']) {
      const answer = await exchange(`GET /things/a HTTP/1.1\r\nHost: a.example\r\n${name}: Bearer a\r\n${name}: Bearer b\r\nConnection: close\r\n\r\n`);
      // Before: 200, as the first.
      expect(answer.status, name).toBe(400);
      expect(JSON.parse(answer.body).errors).toEqual([{ field: `headers.${name.toLowerCase()}`, message: 'is given more than once' }]);
    }
    expect((await exchange('GET /things/a HTTP/1.1\r\nHost: a.example\r\nAuthorization: Bearer a\r\nConnection: close\r\n\r\n')).status).toBe(200);
  });
});

describe('a CONNECT', () => {
  it('is answered, not closed unanswered: 405 with Allow on a path that names a route, else 404', async () => {
    const onRoute = await exchange('CONNECT /things/a HTTP/1.1\r\nHost: a.example\r\n\r\n');
    expect(onRoute.status).toBe(405);
    expect(onRoute.headers).toContain('Content-Type: application/problem+json');
    expect(onRoute.headers).toMatch(/^Allow: GET, HEAD$/m);
    expect(JSON.parse(onRoute.body)).toMatchObject({ status: 405, type: 'https://stream-seat.dev/problems/method-not-allowed' });
    const tunnel = await exchange('CONNECT 127.0.0.1:80 HTTP/1.1\r\nHost: 127.0.0.1:80\r\n\r\n');
    expect(tunnel.status).toBe(404);
    expect(JSON.parse(tunnel.body)).toMatchObject({ status: 404, detail: 'No route for CONNECT: this server is not a proxy' });
  });
});

describe('an Expect other than 100-continue', () => {
  it('is a 417 problem naming the header (Node answered with no body)', async () => {
    const answer = await exchange('GET /things/a HTTP/1.1\r\nHost: a.example\r\nExpect: 200-ok\r\n\r\n');
    expect(answer.status).toBe(417);
    expect(answer.headers).toMatch(/content-type: application\/problem\+json/i);
    expect(JSON.parse(answer.body)).toMatchObject({ status: 417, type: 'https://stream-seat.dev/problems/expectation-failed', detail: 'headers.expect: only 100-continue is understood, not "200-ok"' });
  });
});
