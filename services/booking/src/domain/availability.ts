/**
 * An event's availability as buyers see it: every seat's state, counts, and the seq it reflects —
 * as JSON bytes, rendered once per version of the event's seats and kept for the next reader.
 *
 * On a 100,000-seat event the answer is 2.5 MB. Built as an object and run through
 * JSON.stringify on every request it took 74 ms a read (`npm run bench -- large-venue`), with the
 * event loop blocked: twenty anonymous reads a second (within the rate limit) took a whole core
 * and stalled every buyer. It is now written straight from the seat statuses with each seat's
 * `"id":` text made once per layout, and only when the version changed (20 ms a read with a seat
 * held before each): a quiet event's readers cost a version check each (4.8 ms; `GET
 * /api/availability/{id}` also answers 304 to a tag the client holds).
 *
 * A client that accepts br or gzip gets the answer compressed (brotli: 72 KB of 2.5 MB), compressed off
 * the event loop once per version and coding, however many read it: each coding is a
 * representation with its own tag (platform content-coding.ts).
 */
import type { Availability } from '@stream-seat/contracts';
import { type CodedBody, type ContentCoding, createCompressor, NotFound } from '@stream-seat/platform';
import type { InventoryRepository } from '../db/inventory.repository.js';
import type { SeatStatus } from '../db/schema.js';
import type { SeatStates } from '../db/seat-state-cache.js';
import { SEAT_STATUSES, type SeatLayout } from './seat-layout.js';

export interface RenderedAvailability {
  seq: number;
  /** Names the statuses exactly (the seq and when it was logged, holds run out since, cancellation): a strong ETag's content. */
  version: string;
  /** The Availability, as UTF-8 JSON. */
  json: Buffer;
  /**
   * The answer in the coding asked for, compressed on first use — or as identity when it is too
   * small to gain, compressing failed, or too many compressions are under way.
   */
  body(coding: ContentCoding): Promise<CodedBody>;
  /** The coding a client asking for `requested` is answered in: identity when too small to gain. */
  selected(requested: ContentCoding): ContentCoding;
}

/** Below this a compressed answer saves less than its headers and the trip to zlib's thread pool cost. */
export const MIN_COMPRESSED_BYTES = 1024;

/**
 * Compressions under way at once, at most: each takes a thread of libuv's pool (four, shared with
 * DNS lookups and the other services' compressions) for some 15–30 ms at 100,000 seats. Beyond,
 * identity is served: readers never queue behind each other's compressions.
 */
export const MAX_CONCURRENT_COMPRESSIONS = 2;

/** Rendered bodies kept, in all: about 40 events of 100,000 seats. */
export const RENDERED_AVAILABILITY_BYTES = 100 * 1024 * 1024;

export function createAvailabilityViews(inventories: InventoryRepository, maxBytes = RENDERED_AVAILABILITY_BYTES) {
  /** The last rendering of each event, least recently read first, with its bytes in all its codings. */
  const rendered = new Map<string, RenderedAvailability & { size: number }>();
  let bytes = 0;
  const compressor = createCompressor(MAX_CONCURRENT_COMPRESSIONS);

  /** Lets go of the least recently read renderings until the bound holds (never `keep`'s, the one just read). */
  function evictBeyondBound(keep: string): void {
    for (const [oldest, kept] of rendered) {
      if (bytes <= maxBytes) return;
      if (oldest === keep) continue;
      rendered.delete(oldest);
      bytes -= kept.size;
    }
  }

  function render(eventId: string, states: SeatStates, version: string): RenderedAvailability & { size: number } {
    const json = availabilityJson(eventId, states);
    const coded = new Map<ContentCoding, Buffer>();
    const identity: CodedBody = { coding: 'identity', bytes: json };
    const view = {
      seq: states.seq,
      version,
      json,
      size: json.length,
      selected: (requested: ContentCoding): ContentCoding => (json.length < MIN_COMPRESSED_BYTES ? 'identity' : requested),
      async body(coding: ContentCoding): Promise<CodedBody> {
        if (view.selected(coding) === 'identity') return identity;
        const done = coded.get(coding);
        if (done) return { coding, bytes: done };
        const encoded = await compressor.compress(`${eventId}\n${version}\n${coding}`, coding, () => json, (out) => {
          coded.set(coding, out);
          // Counted while this rendering is the one kept (a newer version may have replaced it meanwhile).
          if (rendered.get(eventId) === view) {
            view.size += out.length;
            bytes += out.length;
            evictBeyondBound(eventId);
          }
        });
        // Too many compressions under way, or zlib failed: the answer itself can still be sent.
        return encoded ? { coding, bytes: encoded } : identity;
      },
    };
    return view;
  }

  return {
    /** The event's availability now — every change committed before the call included. */
    async current(eventId: string, now: number): Promise<RenderedAvailability> {
      const states = await inventories.snapshot(eventId, now);
      if (!states) throw new NotFound(`Availability of event ${eventId}`);
      // seqAt too: a database restored from a backup may reach the same seq again with other statuses.
      const version = `${states.seq}.${states.expired}${states.cancelled ? '.cancelled' : ''}.${states.seqAt.toString(36)}`;
      const last = rendered.get(eventId);
      if (last) {
        rendered.delete(eventId);
        bytes -= last.size;
      }
      const view = last?.version === version ? last : render(eventId, states, version);
      rendered.set(eventId, view);
      bytes += view.size;
      evictBeyondBound(eventId);
      return view;
    },
  };
}
export type AvailabilityViews = ReturnType<typeof createAvailabilityViews>;

const STATUS_JSON = SEAT_STATUSES.map((status) => JSON.stringify(status));

/**
 * The seats by status, as availability counts them (an expired hold's seats AVAILABLE, as the
 * snapshot has them): the counts of the answer, and an organiser's sales figures.
 */
export function countByStatus(states: SeatStates): Record<SeatStatus, number> {
  const counts: Record<SeatStatus, number> = { AVAILABLE: 0, HELD: 0, BOOKED: 0 };
  const { status } = states;
  for (let i = 0; i < status.length; i++) counts[SEAT_STATUSES[status[i] as number] as SeatStatus] += 1;
  return counts;
}

/** Per layout: each seat's `"id":` (with the comma before it), as JSON writes it. */
const seatKeys = new WeakMap<SeatLayout, string[]>();

/** The Availability of these statuses as JSON (its `seats` in the layout's order). */
export function availabilityJson(eventId: string, states: SeatStates): Buffer {
  const { layout, status } = states;
  let keys = seatKeys.get(layout);
  if (!keys) {
    keys = layout.seatIds.map((id, i) => `${i === 0 ? '' : ','}${JSON.stringify(id)}:`);
    seatKeys.set(layout, keys);
  }
  // Keyed by names from the venue's layout: objects without a prototype, so that no name (a
  // section `__proto__` stored before the catalogue refused it) can reach Object.prototype.
  const counts: Availability['counts'] = { ...countByStatus(states), bySection: keyedByName(), byTier: keyedByName() };
  // Counted per section and tier number (the layout's), named once at the end, in the order
  // sections and tiers first appear among the seats.
  const sections = tally(layout.sections.length);
  const tiers = tally(layout.tiers.length);
  let seats = '';
  for (let i = 0; i < layout.size; i++) {
    const code = status[i] as number;
    seats += (keys[i] as string) + (STATUS_JSON[code] as string);
    const free = code === 0 ? 1 : 0;
    sections.add(layout.sectionOf[i] as number, free);
    tiers.add(layout.tierOf[i] as number, free);
  }
  layout.sections.forEach((name, k) => (counts.bySection[name] = sections.counts(k)));
  layout.tiers.forEach((name, k) => (counts.byTier[name] = tiers.counts(k)));
  return Buffer.from(
    `{"eventId":${JSON.stringify(eventId)},"seq":${states.seq},"cancelled":${states.cancelled},"seats":{${seats}},"counts":${JSON.stringify(counts)}}`,
  );
}

function keyedByName<V>(): Record<string, V> {
  return Object.create(null) as Record<string, V>;
}

/** Available and total seats per section (or tier) number. */
function tally(size: number) {
  const available = new Float64Array(size);
  const total = new Float64Array(size);
  return {
    add(k: number, free: number): void {
      available[k] = (available[k] as number) + free;
      total[k] = (total[k] as number) + 1;
    },
    counts: (k: number) => ({ available: available[k] as number, total: total[k] as number }),
  };
}
