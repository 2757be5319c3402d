/**
 * The catalogue through the gateway, as organisers and buyers use it: an organiser puts a
 * 2,000-seat venue's event on sale, anyone lists it and draws its seat map, the booking service
 * hears of it through the outbox, a second organiser cannot touch the first one's draft, and the
 * demo data seeds through the same public API.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoEvents, seedDemoData } from '../../scripts/demo-data.js';
import { eventually } from '../support/free-port.js';
import { startTestPlatform, type TestPlatform } from '../support/test-platform.js';

let test: TestPlatform;
let gateway: string;

beforeAll(async () => {
  test = await startTestPlatform({ name: 'catalogue', env: { OUTBOX_POLL_MS: '200' } });
  gateway = test.gateway;
}, 90_000);

afterAll(() => test?.stop());

const tokenFor = (sub: string, role: 'buyer' | 'organizer' | 'admin' = 'organizer') => test.tokenFor(sub, role);
const send = (method: string, path: string, headers: Record<string, string> = {}, body?: unknown) => test.send(method, path, headers, body);

const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

/** Four blocks of 20 rows of 25: 2,000 seats, two price tiers. */
const arenaLayout = {
  name: 'E2E Arena',
  city: 'Nantes',
  sections: ['N', 'E', 'S', 'W'].map((id, i) => ({
    id,
    name: `Block ${id}`,
    tier: i < 2 ? 'GOLD' : 'SILVER',
    rows: Array.from({ length: 20 }, (_, r) => ({ label: `R${r + 1}`, seats: 25, curve: 0.5 })),
  })),
};

describe('the catalogue, through the gateway', () => {
  let olga: Record<string, string>;
  let oscar: Record<string, string>;
  let venueId: string;
  let eventId: string;

  beforeAll(async () => {
    olga = await tokenFor('olga');
    oscar = await tokenFor('oscar');
  });

  it('lets an organiser create a 2,000-seat venue, an event on it, and publish it', async () => {
    const venue = await send('POST', '/api/venues', { ...olga, 'idempotency-key': 'e2e-venue' }, arenaLayout);
    expect(venue.status).toBe(201);
    expect(venue.body).toMatchObject({ capacity: 2000, tiers: ['GOLD', 'SILVER'] });
    venueId = venue.body['id'] as string;

    const created = await send('POST', '/api/events', olga, {
      venueId,
      name: 'E2E Final',
      startsAt: inDays(10),
      currency: 'EUR',
      prices: { GOLD: 8000, SILVER: 5000 },
      salesEndAt: inDays(9),
    });
    expect(created.status).toBe(201);
    expect(created.body['status']).toBe('DRAFT');
    eventId = created.body['id'] as string;

    const published = await send('POST', `/api/events/${eventId}/publish`, olga);
    expect(published.status).toBe(200);
    expect(published.body['status']).toBe('ON_SALE');
  });

  it('shows anyone the event in the list, and its seat map: 2,000 unique seats inside the bounds', async () => {
    const list = await send('GET', '/api/events?q=e2e%20final');
    expect((list.body['items'] as Array<{ id: string }>).map((e) => e.id)).toEqual([eventId]);

    const res = await fetch(`${gateway}/api/events/${eventId}/seatmap`);
    expect(res.status).toBe(200);
    // Compressed by the event service, passed on as is by the gateway (fetch asks for it and decodes it).
    expect(res.headers.get('content-encoding')).toMatch(/^(br|gzip)$/);
    expect(res.headers.get('vary')).toMatch(/accept-encoding/i);
    const map = (await res.json()) as {
      bounds: { width: number; height: number };
      seats: Array<{ id: string; x: number; y: number; tier: string; priceCents: number }>;
    };
    expect(map.seats).toHaveLength(2000);
    expect(new Set(map.seats.map((s) => s.id)).size).toBe(2000);
    const { width, height } = map.bounds;
    expect(map.seats.every((s) => s.x >= 0 && s.x <= width && s.y >= 0 && s.y <= height)).toBe(true);
    expect(map.seats.find((s) => s.id === 'S-R20-25')).toMatchObject({ tier: 'SILVER', priceCents: 5000 });

    const etag = res.headers.get('etag');
    expect(etag).toBeTruthy();
    const revalidated = await fetch(`${gateway}/api/events/${eventId}/seatmap`, { headers: { 'if-none-match': etag ?? '' } });
    expect(revalidated.status).toBe(304);
  });

  it('tells the booking service, which then answers availability for the event', async () => {
    const availability = await eventually(
      async () => {
        const res = await send('GET', `/api/availability/${eventId}`);
        return res.status === 200 ? res.body : undefined;
      },
      30_000,
      'booking to learn of the published event',
    );
    expect(Object.keys(availability['seats'] as object)).toHaveLength(2000);
  });

  it("keeps an organiser's draft from a second organiser and from anonymous clients", async () => {
    const draft = await send('POST', '/api/events', olga, { venueId, name: 'Olga secret', startsAt: inDays(20), currency: 'EUR' });
    const id = draft.body['id'] as string;
    expect((await send('GET', `/api/events/${id}`, oscar)).status).toBe(404);
    expect((await send('GET', `/api/events/${id}`)).status).toBe(404);
    expect((await send('PATCH', `/api/events/${id}`, oscar, { name: 'Oscar was here' })).status).toBe(404);
    expect((await send('POST', `/api/events/${id}/publish`, oscar)).status).toBe(404);
    expect((await send('POST', `/api/events/${id}/cancel`, oscar)).status).toBe(404);
    expect((await send('GET', `/api/venues/${venueId}`, oscar)).status).toBe(200); // public: an event on it is on sale
    const oscarsList = await send('GET', '/api/events?status=DRAFT', oscar);
    expect(oscarsList.body['items']).toEqual([]);
    const mine = await send('GET', `/api/events/${id}`, olga);
    expect(mine.body['name']).toBe('Olga secret');
  });

  it('seeds the demo catalogue through the same API, once', async () => {
    const existed: boolean[] = [];
    const ids = await seedDemoData(gateway, { force: true, onEvent: (e) => existed.push(e.existed) });
    expect(ids).toHaveLength(4);
    const again = await seedDemoData(gateway, { force: true, onEvent: (e) => existed.push(e.existed) });
    expect(again).toEqual(ids);
    // The second run creates nothing, and says so.
    expect(existed).toEqual([false, false, false, false, true, true, true, true]);
    expect(await seedDemoData(gateway)).toEqual([]); // not forced: the catalogue has events

    const events = await Promise.all(ids.map((id) => send('GET', `/api/events/${id}`)));
    expect(events.map((e) => e.body['status'])).toEqual(['ON_SALE', 'ON_SALE', 'ON_SALE', 'ON_SALE']);
    expect(events.map((e) => e.body['name'])).toEqual(demoEvents().map((d) => d.event.name));
    const capacities = events.map((e) => (e.body['venue'] as { capacity: number }).capacity);
    expect(capacities[0]).toBe(600);
    expect(capacities[2]).toBeGreaterThan(4_500);
  });
});
