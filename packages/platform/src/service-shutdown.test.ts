/** A request that arrives while a service closes gets a 503 problem that says when to come back. */
import { connect } from 'node:net';
import { expect, it } from 'vitest';
import { createService } from './service.js';

it('answers a request arriving during shutdown with a 503 problem, Retry-After and Connection: close', async () => {
  const app = createService({ name: 'closing', logger: false });
  let release: () => void = () => undefined;
  app.get('/slow', async () => {
    await new Promise<void>((resolve) => (release = resolve));
    return { done: true };
  });
  app.get('/after', async () => ({ served: true }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.server.address() as { port: number }).port;

  const socket = connect(port, '127.0.0.1');
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
  const ended = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  socket.write('GET /slow HTTP/1.1\r\nHost: x\r\n\r\n');
  await new Promise((resolve) => setTimeout(resolve, 50));
  // Shutdown begins while /slow is in flight; the next request on the same connection arrives after.
  const closed = app.close();
  await new Promise((resolve) => setTimeout(resolve, 50));
  socket.write('GET /after HTTP/1.1\r\nHost: x\r\n\r\n');
  await new Promise((resolve) => setTimeout(resolve, 50));
  release();
  await Promise.race([ended, new Promise((resolve) => setTimeout(resolve, 5_000))]);
  socket.destroy();
  await closed;

  const [first, second] = received.split(/(?=HTTP\/1\.1 )/);
  expect(first).toMatch(/^HTTP\/1\.1 200/);
  expect(second).toMatch(/^HTTP\/1\.1 503/);
  expect(second).toMatch(/\r\nretry-after: 5\r\n/i);
  expect(second).toMatch(/\r\ncontent-type: application\/problem\+json/i);
  expect(second).toMatch(/\r\nconnection: close\r\n/i);
  expect(second).toContain('shutting-down');
});
