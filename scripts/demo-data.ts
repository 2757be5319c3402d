/**
 * The demo catalogue — a theatre of about 600 seats with curved rows in three tiers, an arena of
 * about 5,000 places (seated blocks around a standing floor) and four events on sale — and
 * `seedDemoData()`, which creates it through the gateway's public API as an organiser would.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { EventInput, VenueLayout } from '@stream-seat/contracts';

type Row = { label: string; seats: number; curve?: number; offset?: number };
const LETTERS = 'ABCDEFGHJKLMNPQRSTUVWXYZ'; // no I or O: they read as 1 and 0 on a ticket

function rows(count: number, seats: (index: number) => number, shape: Omit<Row, 'label' | 'seats'> = {}): Row[] {
  return Array.from({ length: count }, (_, i) => ({ label: LETTERS[i] ?? `R${i}`, seats: seats(i), ...shape }));
}

/** Width of a straight block of `seats` across (10 units a seat), to centre blocks on each other. */
const blockWidth = (seats: number) => seats * 10;

export const theatre: VenueLayout = {
  name: 'Théâtre des Célestins',
  city: 'Lyon',
  sections: [
    // Stalls: 12 curved rows widening towards the back (288 seats).
    { id: 'STALLS', name: 'Stalls', tier: 'PREMIUM', position: { x: (blockWidth(30) - blockWidth(29)) / 2, y: 0 }, rows: rows(12, (i) => 18 + i, { curve: 1.2 }) },
    // Circle: 8 curved rows of 26 (208 seats), behind the stalls.
    { id: 'CIRCLE', name: 'Dress Circle', tier: 'STANDARD', position: { x: (blockWidth(30) - blockWidth(26)) / 2, y: 190 }, rows: rows(8, () => 26, { curve: 1 }) },
    // Gallery: 5 rows of 22 (110 seats), at the back.
    { id: 'GALLERY', name: 'Gallery', tier: 'ECONOMY', position: { x: (blockWidth(30) - blockWidth(22)) / 2, y: 320 }, rows: rows(5, () => 22, { curve: 0.8 }) },
  ],
};

/** Seated blocks on three sides of a standing floor, the stage on the fourth. */
export const arena: VenueLayout = {
  name: 'Arena Bercy',
  city: 'Paris',
  stage: { x: 160, y: -60 },
  sections: [
    { id: 'FLOOR', name: 'Floor (standing)', tier: 'FLOOR', capacity: 1_912, position: { x: 0, y: 0 }, size: { width: 320, height: 220 } },
    { id: 'L1', name: 'Lower left', tier: 'LOWER', rotation: 90, position: { x: -182, y: -30 }, rows: rows(12, () => 28) },
    { id: 'R1', name: 'Lower right', tier: 'LOWER', rotation: -90, position: { x: 360, y: -30 }, rows: rows(12, () => 28) },
    { id: 'B1', name: 'Lower back left', tier: 'LOWER', position: { x: -250, y: 260 }, rows: rows(12, () => 26) },
    { id: 'B2', name: 'Lower back centre', tier: 'LOWER', position: { x: 30, y: 260 }, rows: rows(12, () => 26) },
    { id: 'B3', name: 'Lower back right', tier: 'LOWER', position: { x: 310, y: 260 }, rows: rows(12, () => 26) },
    { id: 'L2', name: 'Upper left', tier: 'UPPER', rotation: 90, position: { x: -370, y: -50 }, rows: rows(10, () => 32) },
    { id: 'R2', name: 'Upper right', tier: 'UPPER', rotation: -90, position: { x: 572, y: -50 }, rows: rows(10, () => 32) },
    { id: 'B4', name: 'Upper back left', tier: 'UPPER', position: { x: -270, y: 442 }, rows: rows(10, () => 28) },
    { id: 'B5', name: 'Upper back centre', tier: 'UPPER', position: { x: 20, y: 442 }, rows: rows(10, () => 28) },
    { id: 'B6', name: 'Upper back right', tier: 'UPPER', position: { x: 310, y: 442 }, rows: rows(10, () => 28) },
  ],
};

export interface DemoEvent {
  venue: 'theatre' | 'arena';
  event: Omit<EventInput, 'venueId'>;
}

/** 19:30 UTC, `days` from today: the same all day long, so a second run replays its keys. */
function evening(days: number, now: number): string {
  const date = new Date(now);
  date.setUTCHours(19, 30, 0, 0);
  return new Date(date.getTime() + days * 86_400_000).toISOString();
}

export function demoEvents(now = Date.now()): DemoEvent[] {
  const base = { currency: 'EUR', maxSeatsPerOrder: 8 };
  return [
    { venue: 'theatre', event: { ...base, name: 'Hamlet', startsAt: evening(14, now), prices: { PREMIUM: 6500, STANDARD: 4500, ECONOMY: 2500 } } },
    { venue: 'theatre', event: { ...base, name: 'La Traviata', startsAt: evening(21, now), prices: { PREMIUM: 9500, STANDARD: 6500, ECONOMY: 3500 } } },
    { venue: 'arena', event: { ...base, name: 'Neon Skyline — World Tour', startsAt: evening(30, now), prices: { FLOOR: 7900, LOWER: 6900, UPPER: 4900 } } },
    { venue: 'arena', event: { ...base, name: 'Basketball Cup Final', startsAt: evening(45, now), prices: { FLOOR: 3000, LOWER: 5500, UPPER: 2900 } } },
  ];
}

export interface SeedOptions {
  /** Seed even when the catalogue already lists events. */
  force?: boolean;
  log?: (line: string) => void;
  /** Organiser the demo belongs to. */
  organizer?: string;
  /** Called for each demo event on sale: `existed` when an earlier seeding had created it. */
  onEvent?: (event: { id: string; existed: boolean }) => void;
}

/** The answer's body, and whether it replays an earlier request with the same Idempotency-Key. */
async function call<T>(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T & { replayed?: true }> {
  for (let attempt = 1; ; attempt++) {
    const res = await fetch(base + path, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    // Right after start-up a registry cache may still be filling: a 503 is worth another try.
    if (res.status === 503 && attempt < 10) {
      await sleep(500);
      continue;
    }
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text.slice(0, 300)}`);
    const parsed = (text ? JSON.parse(text) : undefined) as T & { replayed?: true };
    if (parsed && res.headers.get('idempotent-replayed') === 'true') parsed.replayed = true;
    return parsed;
  }
}

/** Creates the demo venues and events through the gateway; returns the ids of the events on sale. */
export async function seedDemoData(gatewayUrl: string, options: SeedOptions = {}): Promise<string[]> {
  const log = options.log ?? (() => undefined);
  const base = gatewayUrl.replace(/\/$/, '');
  if (!options.force) {
    const existing = await call<{ items: unknown[] }>(base, 'GET', '/api/events?limit=1');
    if (existing.items.length > 0) {
      log('the catalogue already has events; not seeding demo data');
      return [];
    }
  }
  const { token } = await call<{ token: string }>(base, 'POST', '/api/auth/dev-token', {
    sub: options.organizer ?? 'demo-organizer',
    role: 'organizer',
  });
  const auth = { authorization: `Bearer ${token}` };
  const venues: Record<DemoEvent['venue'], string> = { theatre: '', arena: '' };
  for (const [key, layout] of [['theatre', theatre], ['arena', arena]] as const) {
    const venue = await call<{ id: string; capacity: number }>(base, 'POST', '/api/venues', layout, { ...auth, 'idempotency-key': `demo-venue-${key}` });
    venues[key] = venue.id;
    log(`venue ${layout.name}: ${venue.capacity} places (${venue.id})${venue.replayed ? ', already there' : ''}`);
  }
  const ids: string[] = [];
  for (const { venue, event } of demoEvents()) {
    // Header values are ASCII: the key is a slug of the name.
    const key = `demo-event-${event.name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${event.startsAt.slice(0, 10)}`;
    const created = await call<{ id: string }>(base, 'POST', '/api/events', { ...event, venueId: venues[venue] }, { ...auth, 'idempotency-key': key });
    await call(base, 'POST', `/api/events/${created.id}/publish`, undefined, auth);
    ids.push(created.id);
    options.onEvent?.({ id: created.id, existed: created.replayed === true });
    log(`event ${event.name} on sale, ${event.startsAt.slice(0, 10)} (${created.id})${created.replayed ? ', already there' : ''}`);
  }
  return ids;
}
