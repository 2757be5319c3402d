import type { SeatChangeBatch } from '@stream-seat/contracts';
import { testDialects } from '@stream-seat/db';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type BookingTestApp, createBookingTestApp } from './booking-test-app.js';
import { createInMemoryCatalogue, hallEvent, type InMemoryCatalogue } from './in-memory-catalogue.js';

/** Far longer than any wait below: a release published in time was not the interval's doing. */
const SWEEP_INTERVAL_MS = 600_000;

describe.each(testDialects())('a hold running out on %s', (dialect) => {
  let a: BookingTestApp;
  let b: BookingTestApp;
  let catalogue: InMemoryCatalogue;
  let n = 0;

  beforeAll(async () => {
    catalogue = createInMemoryCatalogue();
    const settings = { holdTtlSeconds: 1, holdSweepIntervalMs: SWEEP_INTERVAL_MS };
    a = await createBookingTestApp(dialect, { catalogue, settings });
    b = await createBookingTestApp(dialect, { catalogue, settings, databaseUrl: a.databaseUrl });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  const released = (published: SeatChangeBatch[]) =>
    published.flatMap((batch) => batch.changes).filter((change) => change.status === 'AVAILABLE').map((change) => change.seatId);
  const hold = async (t: BookingTestApp, eventId: string, seatIds: string[]) => {
    const res = await t.app.inject({ method: 'POST', url: '/api/holds', headers: await t.auth('alice'), payload: { eventId, seatIds } });
    expect(res.statusCode).toBe(201);
  };

  it('is published as released when it runs out, not a sweep interval later', async () => {
    const { event, map } = hallEvent(`expiry-${++n}-${dialect}`);
    catalogue.put(event, map);
    const published: SeatChangeBatch[] = [];
    a.app.booking.bus.subscribe(event.id, (batch) => published.push(batch));
    await hold(a, event.id, ['ORCH-A-1', 'ORCH-A-2']);
    await vi.waitFor(() => expect(released(published).sort()).toEqual(['ORCH-A-1', 'ORCH-A-2']), { timeout: 10_000, interval: 50 });
  });

  it('is released by an instance that did not make it, once that instance reads when the next hold runs out', async () => {
    const { event, map } = hallEvent(`expiry-${++n}-${dialect}`);
    catalogue.put(event, map);
    const published: SeatChangeBatch[] = [];
    a.app.booking.bus.subscribe(event.id, (batch) => published.push(batch));
    // B sweeps nothing: only A can release B's hold, and A was told only of its own.
    await b.app.booking.sweeper.stop();
    await hold(a, event.id, ['ORCH-B-1']);
    // B's hold runs out well after A's: A's pass for its own hold does not release it by the way.
    await new Promise((resolve) => setTimeout(resolve, 400));
    await hold(b, event.id, ['ORCH-B-2']);
    await vi.waitFor(() => expect(released(published).sort()).toEqual(['ORCH-B-1', 'ORCH-B-2']), { timeout: 10_000, interval: 50 });
  });
});
