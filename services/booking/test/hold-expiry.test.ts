import type { SeatChangeBatch } from '@stream-seat/contracts';
import { testDialects } from '@stream-seat/db';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type BookingTestApp, createBookingTestApp } from './booking-test-app.js';
import { createInMemoryCatalogue, hallEvent, type InMemoryCatalogue } from './in-memory-catalogue.js';

/** Far longer than any wait below: a release published in time was not the interval's doing. */
const SWEEP_INTERVAL_MS = 600_000;
const settings = { holdTtlSeconds: 1, holdSweepIntervalMs: SWEEP_INTERVAL_MS };

describe.each(testDialects())('a hold running out on %s', (dialect) => {
  let a: BookingTestApp;
  let catalogue: InMemoryCatalogue;
  let n = 0;

  beforeAll(async () => {
    catalogue = createInMemoryCatalogue();
    a = await createBookingTestApp(dialect, { catalogue, settings });
  });
  afterAll(() => a?.close());

  const newEvent = () => {
    const { event, map } = hallEvent(`expiry-${++n}-${dialect}`);
    catalogue.put(event, map);
    return event.id;
  };
  const releasesOn = (t: BookingTestApp, eventId: string) => {
    const published: SeatChangeBatch[] = [];
    t.app.booking.bus.subscribe(eventId, (batch) => published.push(batch));
    return () => published.flatMap((batch) => batch.changes).filter((change) => change.status === 'AVAILABLE').map((change) => change.seatId).sort();
  };
  const hold = async (t: BookingTestApp, eventId: string, seatIds: string[]) => {
    const res = await t.app.inject({ method: 'POST', url: '/api/holds', headers: await t.auth('alice'), payload: { eventId, seatIds } });
    expect(res.statusCode).toBe(201);
  };

  it('is published as released when it runs out, not a sweep interval later', async () => {
    const eventId = newEvent();
    const released = releasesOn(a, eventId);
    await hold(a, eventId, ['ORCH-A-1', 'ORCH-A-2']);
    await vi.waitFor(() => expect(released()).toEqual(['ORCH-A-1', 'ORCH-A-2']), { timeout: 10_000, interval: 50 });
  });

  it('is released at another instance’s interval when the instance that made it no longer sweeps', async () => {
    // Only the maker wakes at a hold's end; another instance sweeps at its interval (1 s here).
    const b = await createBookingTestApp(dialect, { catalogue, settings: { ...settings, holdSweepIntervalMs: 1_000 }, databaseUrl: a.databaseUrl });
    const maker = await createBookingTestApp(dialect, { catalogue, settings, databaseUrl: a.databaseUrl });
    try {
      const eventId = newEvent();
      const released = releasesOn(b, eventId);
      // The maker stops sweeping, as a crashed instance would.
      await maker.app.booking.sweeper.stop();
      await hold(maker, eventId, ['ORCH-B-1']);
      await vi.waitFor(() => expect(released()).toEqual(['ORCH-B-1']), { timeout: 10_000, interval: 50 });
    } finally {
      await maker.close();
      await b.close();
    }
  });
});
