/**
 * The HTTP catalogue client against the real event service in process: booking builds an event's
 * inventory from the seat map the catalogue serves, prices holds from it, and revalidates the
 * cached seat map with its ETag.
 */
import { type AddressInfo } from 'node:net';
import { createServer, type ServerResponse } from 'node:http';
import { testDialects } from '@stream-seat/db';
import { createLoadBalancer, createServiceClient, type InstanceAddress } from '@stream-seat/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDraft, createEventTestApp, createVenue, type EventTestApp } from '../../event/test/event-test-app.js';
import { createHttpCatalogueClient } from '../src/catalogue/http-catalogue-client.js';
import { type BookingTestApp, createBookingTestApp } from './booking-test-app.js';

describe.each(testDialects())('the HTTP catalogue client against the event service on %s', (dialect) => {
  let events: EventTestApp;
  let booking: BookingTestApp;
  let catalogue: ReturnType<typeof createHttpCatalogueClient>;
  let eventId: string;
  let instance: InstanceAddress;
  const dead: InstanceAddress = { instanceId: 'event-dead', app: 'EVENT-SERVICE', host: '127.0.0.1', port: 9, status: 'UP', url: 'http://127.0.0.1:9' };

  beforeAll(async () => {
    events = await createEventTestApp(dialect);
    await events.app.listen({ port: 0, host: '127.0.0.1' });
    const address = events.app.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    instance = { instanceId: 'event-1', app: 'EVENT-SERVICE', host: '127.0.0.1', port, status: 'UP', url: `http://127.0.0.1:${port}` };
    const balancer = createLoadBalancer({ instances: (name) => (name === 'EVENT-SERVICE' ? [instance] : []) });
    catalogue = createHttpCatalogueClient({ client: createServiceClient(balancer, 'EVENT-SERVICE', { timeoutMs: 5_000 }), eventTtlMs: 0 });
    booking = await createBookingTestApp(dialect, { catalogue });
    const venueId = await createVenue(events, 'olga');
    eventId = await createDraft(events, 'olga', venueId, { maxSeatsPerOrder: 4 });
  });
  afterAll(async () => {
    await booking?.close();
    await events?.close();
  });

  it('knows no inventory of a draft, and builds it from the seat map once the event is published', async () => {
    expect((await booking.app.inject({ method: 'GET', url: `/api/availability/${eventId}` })).statusCode).toBe(404);
    const published = await events.app.inject({ method: 'POST', url: `/api/events/${eventId}/publish`, headers: await events.auth('olga') });
    expect(published.statusCode).toBe(200);

    const res = await booking.app.inject({ method: 'GET', url: `/api/availability/${eventId}` });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    // The small hall: ORCH 2 rows of 5 (tier A), BALC 6 (tier B), FLOOR 40 standing (GA).
    expect(body.counts.bySection).toEqual({
      ORCH: { available: 10, total: 10 },
      BALC: { available: 6, total: 6 },
      FLOOR: { available: 40, total: 40 },
    });
    expect(body.seq).toBe(0);
  });

  it('holds at the catalogue’s prices and limits, for seats and standing capacity', async () => {
    const seats = await booking.app.inject({
      method: 'POST',
      url: '/api/holds',
      headers: await booking.auth('alice'),
      payload: { eventId, quantity: 2, section: 'ORCH', together: true },
    });
    expect(seats.statusCode).toBe(201);
    expect(seats.json()).toMatchObject({ totalCents: 12_000, currency: 'EUR' });
    expect(seats.json().seatIds[0]).toMatch(/^ORCH-A-/);
    const floor = await booking.app.inject({ method: 'POST', url: '/api/holds', headers: await booking.auth('bob'), payload: { eventId, quantity: 3, section: 'FLOOR' } });
    expect(floor.json()).toMatchObject({ totalCents: 7_500 });
    const tooMany = await booking.app.inject({ method: 'POST', url: '/api/holds', headers: await booking.auth('carol'), payload: { eventId, quantity: 5 } });
    expect(tooMany.statusCode).toBe(400);
  });

  it('revalidates the cached seat map with its ETag', async () => {
    const first = await catalogue.seatMap(eventId);
    const before = catalogue.stats().notModified;
    const second = await catalogue.seatMap(eventId);
    expect(second).toEqual(first);
    expect(catalogue.stats().notModified).toBe(before + 1);
    expect(await catalogue.seatMap('no-such-event')).toBeUndefined();
    expect(await catalogue.event('no-such-event')).toBeUndefined();
  });

  it('keeps seat maps up to a number of seats in all, the oldest dropped first and the newest always', async () => {
    // The small hall weighs 19: 16 seats and 3 sections (its standing places are counts): two maps
    // fit under 40, not three.
    const bounded = createHttpCatalogueClient({ client: createServiceClient(createLoadBalancer({ instances: () => [instance] }), 'EVENT-SERVICE', { timeoutMs: 5_000 }), eventTtlMs: 0, maxCachedSeats: 40 });
    const venueId = await createVenue(events, 'olga');
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const id = await createDraft(events, 'olga', venueId);
      expect((await events.app.inject({ method: 'POST', url: `/api/events/${id}/publish`, headers: await events.auth('olga') })).statusCode).toBe(200);
      ids.push(id);
      await bounded.seatMap(id);
    }
    expect(bounded.stats()).toMatchObject({ seatMapsCached: 2, seatsCached: 38 });
    // The newest two are revalidated (304); the first was dropped and is fetched whole.
    const revalidations = bounded.stats().notModified;
    await bounded.seatMap(ids[2] as string);
    await bounded.seatMap(ids[1] as string);
    expect(bounded.stats().notModified).toBe(revalidations + 2);
    await bounded.seatMap(ids[0] as string);
    expect(bounded.stats().notModified).toBe(revalidations + 2);
    // A revalidated map counts as used: the third (revalidated before the second) made room for the first.
    await bounded.seatMap(ids[1] as string);
    expect(bounded.stats().notModified).toBe(revalidations + 3);
    // A map over the bound on its own is kept, alone.
    const tiny = createHttpCatalogueClient({ client: createServiceClient(createLoadBalancer({ instances: () => [instance] }), 'EVENT-SERVICE', { timeoutMs: 5_000 }), eventTtlMs: 0, maxCachedSeats: 10 });
    await tiny.seatMap(ids[0] as string);
    await tiny.seatMap(ids[1] as string);
    expect(tiny.stats()).toMatchObject({ seatMapsCached: 1, seatsCached: 19 });
    // However light, no more maps than maxSeatMaps.
    const few = createHttpCatalogueClient({ client: createServiceClient(createLoadBalancer({ instances: () => [instance] }), 'EVENT-SERVICE', { timeoutMs: 5_000 }), eventTtlMs: 0, maxSeatMaps: 2 });
    for (const id of ids) await few.seatMap(id);
    expect(few.stats()).toMatchObject({ seatMapsCached: 2 });
  });

  it('answers 502 (not 503: this instance is fine) when the catalogue cannot be reached', async () => {
    for (const instances of [[dead], []]) {
      const unreachable = createHttpCatalogueClient({
        client: createServiceClient(createLoadBalancer({ instances: () => instances }), 'EVENT-SERVICE', { timeoutMs: 1_000 }),
        eventTtlMs: 0,
      });
      const cut = await createBookingTestApp(dialect, { catalogue: unreachable });
      try {
        const res = await cut.app.inject({ method: 'GET', url: '/api/availability/never-seen-event' });
        expect(res.statusCode, `${instances.length} instances`).toBe(502);
        expect(res.json()).toMatchObject({ type: expect.stringMatching(/dependency-unavailable$/), dependency: 'EVENT-SERVICE' });
        expect(res.headers['retry-after']).toBe('5');
      } finally {
        await cut.close();
      }
    }
  });

  it('knows no event whose id could not be one, without asking (`.` once fetched the event list)', async () => {
    const before = catalogue.stats().requests;
    for (const id of ['.', '..', '\ud800', 'a/b', '']) {
      expect(await catalogue.event(id), JSON.stringify(id)).toBeUndefined();
      expect(await catalogue.seatMap(id), JSON.stringify(id)).toBeUndefined();
    }
    expect(catalogue.stats().requests).toBe(before);
  });

  it('serves a known event stale while the catalogue is down, however many unknown ids were asked for before', async () => {
    let up = true;
    const small = createHttpCatalogueClient({
      client: createServiceClient(createLoadBalancer({ instances: () => (up ? [instance] : [dead]) }), 'EVENT-SERVICE', { timeoutMs: 1_000 }),
      eventTtlMs: 0,
      maxEvents: 3,
    });
    expect((await small.event(eventId))?.status).toBe('ON_SALE');
    // Anyone may ask for ids that name nothing: more of them than the cache keeps.
    for (let i = 0; i < 5; i++) expect(await small.event(`no-such-event-${i}`)).toBeUndefined();
    up = false;
    expect((await small.event(eventId))?.status).toBe('ON_SALE');
    await expect(small.event('never-asked-for')).rejects.toThrow(/EVENT-SERVICE|catalogue/i);
  });

  it('serves a known event stale at once, asking again in the background, once the catalogue failed it — and waits for it again once it answers', async () => {
    const venueId = await createVenue(events, 'olga');
    const showId = await createDraft(events, 'olga', venueId);
    expect((await events.app.inject({ method: 'POST', url: `/api/events/${showId}/publish`, headers: await events.auth('olga') })).statusCode).toBe(200);
    // A catalogue that takes requests and never answers (a frozen process), and the requests it holds.
    const held = new Set<ServerResponse>();
    const hung = createServer((_request, response) => {
      held.add(response);
      response.on('close', () => held.delete(response));
    });
    await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
    const hungPort = (hung.address() as AddressInfo).port;
    let target = instance;
    const client = createHttpCatalogueClient({
      // Longer than the test may take: a call that waited for the hung catalogue would fail it.
      client: createServiceClient(createLoadBalancer({ instances: () => [target] }), 'EVENT-SERVICE', { timeoutMs: 120_000 }),
      eventTtlMs: 0,
    });
    try {
      expect((await client.event(showId))?.status).toBe('ON_SALE');
      // Refused at once: served stale, and the event marked as failing.
      target = dead;
      expect((await client.event(showId))?.status).toBe('ON_SALE');
      // Now hung: answered from what is known while the catalogue holds the request made for it.
      target = { ...instance, instanceId: 'event-hung', port: hungPort, url: `http://127.0.0.1:${hungPort}` };
      for (let i = 0; i < 3; i++) expect((await client.event(showId))?.status).toBe('ON_SALE');
      await expect.poll(() => held.size, { timeout: 10_000 }).toBe(1);
      // Back: the request it held gives up, the next background one brings the event as it is.
      target = instance;
      expect((await events.app.inject({ method: 'POST', url: `/api/events/${showId}/cancel`, headers: await events.auth('olga') })).statusCode).toBe(200);
      for (const response of held) response.destroy();
      await expect.poll(async () => (await client.event(showId))?.status, { timeout: 10_000 }).toBe('CANCELLED');
      // Having answered, the catalogue is waited for again (a cancellation is seen before the next
      // sale): a call is not answered while its request is held, and gets what is known once it fails.
      target = { ...instance, instanceId: 'event-hung', port: hungPort, url: `http://127.0.0.1:${hungPort}` };
      let answered = false;
      const waiting = client.event(showId).finally(() => (answered = true));
      await expect.poll(() => held.size, { timeout: 10_000 }).toBe(1);
      expect(answered).toBe(false);
      for (const response of held) response.destroy();
      expect((await waiting)?.status).toBe('CANCELLED');
    } finally {
      hung.closeAllConnections();
      hung.close();
    }
  });

  it('goes on selling an event it has on sale when restarted while the catalogue is down, by the terms its inventory kept', async () => {
    // Another instance on the same database, started while the catalogue cannot be reached.
    const unreachable = createHttpCatalogueClient({
      client: createServiceClient(createLoadBalancer({ instances: () => [dead] }), 'EVENT-SERVICE', { timeoutMs: 1_000 }),
      eventTtlMs: 0,
    });
    const restarted = await createBookingTestApp(dialect, { catalogue: unreachable, databaseUrl: booking.databaseUrl });
    try {
      const held = await restarted.app.inject({ method: 'POST', url: '/api/holds', headers: await restarted.auth('erin'), payload: { eventId, quantity: 1, section: 'BALC' } });
      expect(held.statusCode, held.body).toBe(201);
      expect(held.json()).toMatchObject({ currency: 'EUR', seatIds: [expect.stringMatching(/^BALC-/)] });
      // The event's limit as its inventory kept it (4 per order).
      const tooMany = await restarted.app.inject({ method: 'POST', url: '/api/holds', headers: await restarted.auth('finn'), payload: { eventId, quantity: 5 } });
      expect(tooMany.statusCode).toBe(400);
      // An event with no inventory here still needs the catalogue.
      const unknown = await restarted.app.inject({ method: 'POST', url: '/api/holds', headers: await restarted.auth('finn'), payload: { eventId: 'never-seen-event', quantity: 1 } });
      expect(unknown.statusCode).toBe(502);
    } finally {
      await restarted.close();
    }
  });

  it('sees the catalogue’s cancellation and stops selling', async () => {
    const cancelled = await events.app.inject({ method: 'POST', url: `/api/events/${eventId}/cancel`, headers: await events.auth('olga') });
    expect(cancelled.statusCode).toBe(200);
    const res = await booking.app.inject({ method: 'POST', url: '/api/holds', headers: await booking.auth('dave'), payload: { eventId, quantity: 1 } });
    expect(res.statusCode).toBe(409);
    expect(res.json().type).toMatch(/event-not-on-sale$/);
  });

  it('stops selling, by its inventory, an event whose cancellation it was told of, when restarted while the catalogue is down', async () => {
    const told = await booking.app.inject({
      method: 'POST',
      url: '/internal/catalogue-messages',
      headers: booking.internal,
      payload: { id: `cancel-${eventId}`, type: 'event.cancelled', eventId, occurredAt: new Date().toISOString() },
    });
    expect(told.statusCode).toBe(200);
    const unreachable = createHttpCatalogueClient({
      client: createServiceClient(createLoadBalancer({ instances: () => [dead] }), 'EVENT-SERVICE', { timeoutMs: 1_000 }),
      eventTtlMs: 0,
    });
    const restarted = await createBookingTestApp(dialect, { catalogue: unreachable, databaseUrl: booking.databaseUrl });
    try {
      const res = await restarted.app.inject({ method: 'POST', url: '/api/holds', headers: await restarted.auth('gus'), payload: { eventId, quantity: 1 } });
      expect(res.statusCode).toBe(409);
      expect(res.json().type).toMatch(/event-not-on-sale$/);
    } finally {
      await restarted.close();
    }
  });
});

describe.each(testDialects())('an event looked up while a draft, then published, through caching HTTP clients on %s', (dialect) => {
  let events: EventTestApp;
  /** The instance the catalogue's message reaches. */
  let a: BookingTestApp;
  /** Another instance on the same database, which hears no message. */
  let b: BookingTestApp;

  beforeAll(async () => {
    events = await createEventTestApp(dialect);
    await events.app.listen({ port: 0, host: '127.0.0.1' });
    const address = events.app.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const instance: InstanceAddress = { instanceId: 'event-1', app: 'EVENT-SERVICE', host: '127.0.0.1', port, status: 'UP', url: `http://127.0.0.1:${port}` };
    // Each instance caches what it asked for a minute, "no such event" included.
    const caching = () =>
      createHttpCatalogueClient({ client: createServiceClient(createLoadBalancer({ instances: () => [instance] }), 'EVENT-SERVICE', { timeoutMs: 5_000 }), eventTtlMs: 60_000 });
    a = await createBookingTestApp(dialect, { catalogue: caching() });
    b = await createBookingTestApp(dialect, { catalogue: caching(), databaseUrl: a.databaseUrl });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await events?.close();
  });

  it('is on sale on every instance as soon as the published message is handled', async () => {
    const eventId = await createDraft(events, 'olga', await createVenue(events, 'olga'), { maxSeatsPerOrder: 4 });
    // Someone looks at the draft through each instance (the catalogue hides it: a 404, cached).
    for (const instance of [a, b]) expect((await instance.app.inject({ method: 'GET', url: `/api/availability/${eventId}` })).statusCode).toBe(404);
    expect((await events.app.inject({ method: 'POST', url: `/api/events/${eventId}/publish`, headers: await events.auth('olga') })).statusCode).toBe(200);
    const message = { id: `published-${eventId}`, type: 'event.published', eventId, occurredAt: new Date().toISOString() };
    const handled = await a.app.inject({ method: 'POST', url: '/internal/catalogue-messages', headers: a.internal, payload: message });
    expect(handled.json()).toEqual({ id: message.id, outcome: 'processed' });
    // Before: the message found the cached "no such event" and put nothing on sale.
    expect(await a.database.db.selectFrom('inventories').select('status').where('event_id', '=', eventId).executeTakeFirst()).toEqual({ status: 'OPEN' });
    // Both instances hold at once — before, each answered 404 until its cache ran out.
    for (const [instance, buyer] of [[a, 'ana'], [b, 'ben']] as const) {
      const held = await instance.app.inject({ method: 'POST', url: '/api/holds', headers: await instance.auth(buyer), payload: { eventId, quantity: 1, section: 'BALC' } });
      expect(held.statusCode, held.body).toBe(201);
    }
  });

  it('holds at once after the publish, before its message, where the draft had been looked up', async () => {
    const eventId = await createDraft(events, 'olga', await createVenue(events, 'olga'), { maxSeatsPerOrder: 4 });
    expect((await a.app.inject({ method: 'GET', url: `/api/availability/${eventId}` })).statusCode).toBe(404);
    expect((await events.app.inject({ method: 'POST', url: `/api/events/${eventId}/publish`, headers: await events.auth('olga') })).statusCode).toBe(200);
    // No message yet: the cached "no such event" is asked again for a hold (it had been a 404).
    const held = await a.app.inject({ method: 'POST', url: '/api/holds', headers: await a.auth('cleo'), payload: { eventId, quantity: 1, section: 'BALC' } });
    expect(held.statusCode, held.body).toBe(201);
    // A read may still answer from the cache: the inventory exists now, so it does not need to.
    expect((await a.app.inject({ method: 'GET', url: `/api/availability/${eventId}` })).statusCode).toBe(200);
  });
});
