/**
 * Seats whose rows other transactions keep locked (a crowd at one event's on-sale): the buyer gets
 * a 503 with Retry-After, which tells the gateway — with its resource-busy header — that the
 * instance itself is well, so that one hot event does not take booking out of rotation for every
 * buyer. On MariaDB (MYSQL_URL), where a row lock is held by another connection for real.
 */
import { RESOURCE_BUSY_HEADER } from '@stream-seat/platform';
import { createConnection } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mysqlServer } from '../../../tests/support/mysql-admin.js';
import { startTcpProxy } from '../../../tests/support/tcp-proxy.js';
import { type BookingTestApp, createBookingTestApp } from './booking-test-app.js';
import { createInMemoryCatalogue, hallEvent } from './in-memory-catalogue.js';

describe.runIf(process.env['MYSQL_URL'])('seats locked by other transactions on MariaDB', () => {
  let t: BookingTestApp;
  const eventId = 'contended-event';

  beforeAll(async () => {
    const catalogue = createInMemoryCatalogue();
    const { event, map } = hallEvent(eventId);
    catalogue.put(event, map);
    // A bound of whole seconds, where MariaDB's statement timer (3 s) would win a tie with the row-lock
    // wait: the wait is set a second shorter (2 s), so that it ends as contention.
    t = await createBookingTestApp('mysql', { catalogue, queryTimeoutMs: 3_000 });
  });
  afterAll(() => t?.close());

  const hold = async (sub: string, seatIds: string[]) =>
    t.app.inject({ method: 'POST', url: '/api/holds', headers: await t.auth(sub), payload: { eventId, seatIds } });

  it('answers 503 "too busy" with Retry-After and the resource-busy mark while the rows stay locked, and holds once they are free', async () => {
    // The first hold makes the event's inventory; its row is what every claim locks first.
    expect((await hold('first', ['ORCH-A-1'])).statusCode).toBe(201);
    const server = mysqlServer();
    const holder = await createConnection({
      host: server.hostname,
      port: Number(server.port || 3306),
      user: decodeURIComponent(server.username || 'root'),
      password: decodeURIComponent(server.password),
      database: new URL(t.databaseUrl).pathname.slice(1),
    });
    try {
      await holder.query('START TRANSACTION');
      await holder.query('SELECT event_id FROM inventories WHERE event_id = ? FOR UPDATE', [eventId]);
      const busy = await hold('second', ['ORCH-A-2']);
      expect(busy.statusCode, busy.body).toBe(503);
      expect(busy.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(busy.headers['retry-after']).toBe('5');
      expect(busy.headers[RESOURCE_BUSY_HEADER]).toBe('1');
      expect(busy.json()).toMatchObject({ type: 'https://stream-seat.dev/problems/contended', title: 'Too busy', status: 503 });
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
    }
    // Nothing of the refused attempt stayed behind: the seat is free, and the retry holds it.
    const retried = await hold('second', ['ORCH-A-2']);
    expect(retried.statusCode).toBe(201);
    expect(retried.headers[RESOURCE_BUSY_HEADER]).toBeUndefined();
  });

  it('keeps "the database is unavailable" apart: that 503 carries no resource-busy mark', async () => {
    const server = mysqlServer();
    const proxy = await startTcpProxy(server.hostname, Number(server.port || 3306));
    const url = new URL(t.databaseUrl);
    url.hostname = '127.0.0.1';
    url.port = String(proxy.port);
    const cutOff = await createBookingTestApp('mysql', { catalogue: createInMemoryCatalogue(), databaseUrl: url.href });
    try {
      await proxy.cut();
      const res = await cutOff.app.inject({ method: 'GET', url: '/api/orders', headers: await cutOff.auth('someone') });
      expect(res.statusCode).toBe(503);
      expect(res.json().detail).toBe('The database is unavailable');
      expect(res.headers[RESOURCE_BUSY_HEADER]).toBeUndefined();
    } finally {
      await proxy.restore();
      await cutOff.close();
      await proxy.close();
    }
  });
});
