/**
 * A booking instance whose database link goes dark in the middle of a claim (a frozen process, a
 * cut network path: the connection stays open and says nothing) holds the event's inventory row
 * lock, which every sale of that event takes first. The database closes such a connection once it
 * has been silent for DB_IDLE_TIMEOUT_MS, rolling its transaction back: the other instances sell
 * that event again after that bound, instead of after TCP gives up on the link (many minutes).
 * On MariaDB (MYSQL_URL), through a TCP gate that lets the claim's first statements reach the
 * server and then passes nothing more.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BookingTestApp, createBookingTestApp } from './booking-test-app.js';
import { createInMemoryCatalogue, hallEvent } from './in-memory-catalogue.js';
import { startTcpGate, type TcpGate } from '../../../tests/support/tcp-gate.js';

describe.runIf(process.env['MYSQL_URL'])('an instance whose database link goes dark mid-claim, on MariaDB', () => {
  let healthy: BookingTestApp;
  let gate: TcpGate;
  let cutOff: BookingTestApp;
  const eventId = 'dark-link-event';

  beforeAll(async () => {
    const catalogue = createInMemoryCatalogue();
    const { event, map } = hallEvent(eventId);
    catalogue.put(event, map);
    // Row-lock waits end after 1 s (as contention: 503, try again).
    healthy = await createBookingTestApp('mysql', { catalogue, queryTimeoutMs: 2_000 });
    gate = await startTcpGate(healthy.databaseUrl);
    cutOff = await createBookingTestApp('mysql', { catalogue, databaseUrl: gate.url, idleTimeoutMs: 2_000 });
  });
  afterAll(async () => {
    // The gate first: it ends the dark connection, which lets the cut-off instance close.
    await gate?.close();
    await cutOff?.close();
    await healthy?.close();
  });

  /** Transactions on the test's database that hold row locks now. */
  const lockingTransactions = async () => {
    const { rows } = await sql<{ n: number }>`
      SELECT COUNT(*) AS n FROM information_schema.innodb_trx t
      JOIN information_schema.processlist p ON p.id = t.trx_mysql_thread_id
      WHERE p.db = DATABASE() AND t.trx_rows_locked > 0`.execute(healthy.database.db);
    return Number(rows[0]?.n ?? 0);
  };

  it('frees the event for the other instances once the silent connection passes the idle bound, and keeps none of its claim', async () => {
    const seatIds = ['ORCH-C-1', 'ORCH-C-2'];
    // The inventory exists (made by an earlier sale), so the claim's first script takes its lock.
    const first = await healthy.app.inject({ method: 'POST', url: '/api/holds', headers: await healthy.auth('early-buyer'), payload: { eventId, seatIds: ['ORCH-A-1'] } });
    expect(first.statusCode, first.body).toBe(201);

    // The claim's first script (the inventory's lock, the seats' reads) reaches the server; its
    // answer never comes back, and the connection goes silent with the transaction open.
    const dark = gate.goDarkAfter('SELECT seq, status FROM inventories');
    const stuck = cutOff.app.inject({ method: 'POST', url: '/api/holds', headers: await cutOff.auth('stuck-buyer'), payload: { eventId, seatIds } });
    await dark;
    // The gate passed the script on; wait until the server holds its lock (else a healthy claim
    // could still come first).
    await expect.poll(lockingTransactions, { timeout: 5_000 }).toBeGreaterThan(0);

    // Meanwhile the event's sales wait on that lock: the healthy instance answers "too busy" and
    // the buyer tries again, until the server has closed the silent connection.
    const buyer = await healthy.auth('patient-buyer');
    const started = Date.now();
    const statuses: number[] = [];
    let held: string | undefined;
    while (!held && Date.now() - started < 15_000) {
      const attempt = await healthy.app.inject({ method: 'POST', url: '/api/holds', headers: buyer, payload: { eventId, seatIds } });
      statuses.push(attempt.statusCode);
      if (attempt.statusCode === 201) held = attempt.json().holdId as string;
      else expect(attempt.statusCode, attempt.body).toBe(503);
    }
    // The very seats the stuck claim was taking: its transaction was rolled back, not committed.
    expect(held, `statuses: ${statuses.join(',')}`).toBeDefined();
    expect(statuses[0]).toBe(503);
    const rows = await healthy.database.db.selectFrom('seats').select(['seat_id', 'hold_id']).where('event_id', '=', eventId).where('seat_id', 'in', seatIds).execute();
    expect(rows.map((r) => r.hold_id)).toEqual([held, held]);

    // The stuck request ends (with a 503) once its connection does.
    await gate.close();
    expect((await stuck).statusCode).toBe(503);
  }, 30_000);
});
