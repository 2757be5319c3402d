/**
 * A buyer releases a hold in its last moments while a payment of it has just carried it on: the
 * release reads the hold before the payment's carry commits, and by that row the hold has run out.
 * Before, its release then matched nothing and the DELETE answered 204 with the hold still held —
 * and the payment went on to order it (a hostile probe: 11 of 120 rounds). Now the release reads
 * the hold again and releases it as it is. On SQLite and, when MYSQL_URL is set, on MariaDB.
 *
 * The interleaving is made, not waited for: the hold service runs on the real repository, whose
 * read of the hold lets the payment's carry commit right after it.
 */
import { testDialects } from '@stream-seat/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHoldRepository, type HoldRepository } from '../src/db/hold.repository.js';
import { createHoldService, type HoldServiceDeps } from '../src/domain/hold-service.js';
import { createInProcessSeatChangeBus } from '../src/live/seat-change-bus.js';
import { type BookingTestApp, createBookingTestApp } from './booking-test-app.js';
import { createInMemoryCatalogue, hallEvent } from './in-memory-catalogue.js';

describe.each(testDialects())('releasing a hold a payment carries on at that moment, on %s', (dialect) => {
  let t: BookingTestApp;
  const catalogue = createInMemoryCatalogue();
  let n = 0;

  beforeAll(async () => {
    t = await createBookingTestApp(dialect, { catalogue });
  });
  afterAll(async () => {
    await t?.close();
  });

  /** A hold of two seats; its id and end. */
  const hold = async (sub: string) => {
    const { event, map } = hallEvent(`release${++n}-${dialect}`);
    catalogue.put(event, map);
    const made = await t.app.inject({ method: 'POST', url: '/api/holds', headers: await t.auth(sub), payload: { eventId: event.id, seatIds: ['ORCH-A-1', 'ORCH-A-2'] } });
    expect(made.statusCode, made.body).toBe(201);
    return { holdId: made.json().holdId as string, eventId: event.id, expiresAt: Date.parse(made.json().expiresAt) };
  };

  /**
   * The hold service on the real repository, at `now`; the first read of a hold lets `meanwhile`
   * commit after it (a payment's carry, landing between the release's read and its write).
   */
  const releasingAt = (now: number, meanwhile: (repository: HoldRepository) => Promise<unknown>) => {
    const repository = createHoldRepository(t.database.db);
    let first = true;
    const holds: HoldRepository = {
      ...repository,
      async find(id) {
        const row = await repository.find(id);
        if (first) {
          first = false;
          await meanwhile(repository);
        }
        return row;
      },
    };
    // Releasing uses the holds, the bus and the clock only.
    return createHoldService({ holds, bus: createInProcessSeatChangeBus(), clock: () => now } as Partial<HoldServiceDeps> as HoldServiceDeps);
  };

  it('releases the hold as it is now, not as it was read', async () => {
    const { holdId, eventId, expiresAt } = await hold('ria');
    const stale = await createHoldRepository(t.database.db).find(holdId);
    if (!stale) throw new Error('the hold is gone');
    // The payment began 50 ms before the hold's end and carried it 15 s on; the release comes 20 ms after that end.
    const service = releasingAt(expiresAt + 20, (repository) => repository.extend(stale, expiresAt + 15_000, expiresAt - 50));
    await service.release({ sub: 'ria', role: 'buyer' }, holdId);
    const after = await createHoldRepository(t.database.db).find(holdId);
    // Before: ACTIVE, until the carry's end, after a 204 — and the payment went on to order it.
    expect(after?.status).toBe('RELEASED');
    const seats = await t.database.db.selectFrom('seats').select(['seat_id', 'status']).where('event_id', '=', eventId).where('seat_id', 'in', ['ORCH-A-1', 'ORCH-A-2']).orderBy('seat_id').execute();
    expect(seats).toEqual([
      { seat_id: 'ORCH-A-1', status: 'AVAILABLE' },
      { seat_id: 'ORCH-A-2', status: 'AVAILABLE' },
    ]);
  });

  it('answers 503 (retry), not 204, for a hold that changes under three releases in a row', async () => {
    const { holdId } = await hold('sam');
    const repository = createHoldRepository(t.database.db);
    // Every release finds the hold changed since it was read (carried on again and again).
    const holds: HoldRepository = { ...repository, release: async () => undefined };
    const service = createHoldService({ holds, bus: createInProcessSeatChangeBus(), clock: t.now } as Partial<HoldServiceDeps> as HoldServiceDeps);
    await expect(service.release({ sub: 'sam', role: 'buyer' }, holdId)).rejects.toMatchObject({ status: 503, slug: 'contended' });
    expect((await repository.find(holdId))?.status).toBe('ACTIVE');
  });
});
