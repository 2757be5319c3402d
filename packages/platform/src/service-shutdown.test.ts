/** A request that arrives while a service closes gets a 503 problem that says when to come back. */
import { connect } from 'node:net';
import { expect, it } from 'vitest';
import { createService } from './service.js';

it('answers a request arriving during shutdown with a 503 problem, Retry-After and Connection: close, and ends the connection of one in flight', async () => {
  const app = createService({ name: 'closing', logger: false });
  let release: () => void = () => undefined;
  app.get('/slow', async () => {
    await new Promise<void>((resolve) => (release = resolve));
    return { done: true };
  });
  app.get('/after', async () => ({ served: true }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.server.address() as { port: number }).port;

  /** A raw connection: what it received, and whether the server ended it. */
  async function rawConnection() {
    const socket = connect(port, '127.0.0.1');
    const state = { received: '', endedByServer: false, socket };
    socket.on('data', (chunk: Buffer) => (state.received += chunk.toString('latin1')));
    socket.on('end', () => (state.endedByServer = true));
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    return { state, ended: new Promise<void>((resolve) => socket.on('close', () => resolve())) };
  }
  const inFlight = await rawConnection();
  inFlight.state.socket.write('GET /slow HTTP/1.1\r\nHost: x\r\n\r\n');
  // A request whose headers are still coming when the close begins: it is read after.
  const arriving = await rawConnection();
  arriving.state.socket.write('GET /after HTTP/1.1\r\nHost: x\r\n');
  await new Promise((resolve) => setTimeout(resolve, 50));
  const closed = app.close();
  await new Promise((resolve) => setTimeout(resolve, 50));
  arriving.state.socket.write('\r\n');
  await Promise.race([arriving.ended, new Promise((resolve) => setTimeout(resolve, 5_000))]);
  release();
  await Promise.race([inFlight.ended, new Promise((resolve) => setTimeout(resolve, 5_000))]);
  inFlight.state.socket.destroy();
  arriving.state.socket.destroy();
  await closed;

  const late = arriving.state.received;
  expect(late).toMatch(/^HTTP\/1\.1 503/);
  expect(late).toMatch(/\r\nretry-after: 5\r\n/i);
  expect(late).toMatch(/\r\ncontent-type: application\/problem\+json/i);
  expect(late).toMatch(/\r\nconnection: close\r\n/i);
  expect(late).toContain('shutting-down');
  // Served nothing: the gateway may send it to another instance.
  expect(late).toMatch(/\r\nstream-seat-not-served: 1\r\n/i);
  expect(arriving.state.endedByServer).toBe(true);
  // The answer in flight when the close began ends its connection too: left open and idle, it had
  // held the drain until its timeout.
  expect(inFlight.state.received).toMatch(/^HTTP\/1\.1 200/);
  expect(inFlight.state.received).toMatch(/\r\nconnection: close\r\n/i);
  expect(inFlight.state.endedByServer).toBe(true);
});

it('says nothing of the internal header when its answers go to clients (the gateway)', async () => {
  const app = createService({ name: 'edge', logger: false, marksUnservedAnswers: false });
  app.get('/api/x', async () => ({ ok: true }));
  app.setStarting(true);
  const res = await app.inject({ method: 'GET', url: '/api/x' });
  expect(res.statusCode).toBe(503);
  expect(res.headers['stream-seat-not-served']).toBeUndefined();
  const service = createService({ name: 'behind', logger: false });
  service.get('/api/x', async () => ({ ok: true }));
  service.setStarting(true);
  expect((await service.inject({ method: 'GET', url: '/api/x' })).headers['stream-seat-not-served']).toBe('1');
});

it('ends a kept-alive connection after a health check answered while closing', async () => {
  const app = createService({ name: 'closing-health', logger: false });
  let release: () => void = () => undefined;
  app.get('/slow', async () => {
    await new Promise<void>((resolve) => (release = resolve));
    return { done: true };
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.server.address() as { port: number }).port;
  // Something in flight keeps the close under way while a health check arrives on its own connection.
  const slow = fetch(`http://127.0.0.1:${port}/slow`);
  await new Promise((resolve) => setTimeout(resolve, 50));
  const checker = connect(port, '127.0.0.1');
  await new Promise<void>((resolve) => checker.once('connect', () => resolve()));
  let received = '';
  checker.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
  const ended = new Promise<void>((resolve) => checker.on('end', () => resolve()));
  const closed = app.close();
  await new Promise((resolve) => setTimeout(resolve, 50));
  checker.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
  const endedByServer = await Promise.race([ended.then(() => true), new Promise((resolve) => setTimeout(() => resolve(false), 5_000))]);
  checker.destroy();
  expect(endedByServer).toBe(true);
  expect(received).toMatch(/^HTTP\/1\.1 200/);
  expect(received).toMatch(/\r\nconnection: close\r\n/i);
  release();
  await slow;
  await closed;
});
