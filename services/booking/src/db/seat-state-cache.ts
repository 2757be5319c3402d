/**
 * Each event's seat statuses, kept per instance and brought up to date from the change log
 * (`seat_changes`) rather than read again: best available and availability ask for every seat's
 * status on every request, and on a large venue that sells out reading the taken seats is what
 * cost — 80,000 of 100,000 taken, one read took 100 ms (on SQLite, with the event loop blocked).
 *
 * Exact, not a hint. Every change of a seat's status commits together with its numbered entry in
 * the log (seat-change.repository.ts, seat-claim.repository.ts), numbered under the event's lock,
 * so the committed entries are always a prefix 1..seq: the statuses at seq N plus the entries
 * N+1..M are the statuses at M. A catch-up reads the new entries, and the expiry of the seats they
 * leave held, in one transaction (one snapshot), and applies them at once. A request that starts
 * after a commit — on any instance — waits for a catch-up that starts after it too, so it sees
 * that commit (a buyer sees their own hold). A gap in the log (rows removed by hand) or an
 * instance far behind reads the statuses afresh instead — and so does a log that is no longer the
 * one the statuses were built from: a database restored from a backup that has since reached the
 * same seq (or a later one) through other changes. Each catch-up checks that the entry at the
 * mirror's seq was logged when the mirror says it was (`seqAt`).
 */
import type { Kysely, Transaction } from 'kysely';
import { coalesced } from '../domain/coalesced.js';
import { SEAT_STATUSES, type SeatLayout } from '../domain/seat-layout.js';
import { createSizedCache, EVENT_CACHE_SEATS } from '../domain/sized-cache.js';
import type { BookingDatabase, SeatStatus } from './schema.js';
import { readChangesSince } from './seat-change.repository.js';
import { chunks } from './transaction.js';

/** An event's seats at a change number: each seat's status by position (AVAILABLE is 0). */
export interface SeatStates {
  seq: number;
  /** The event was cancelled by then (its inventory closed). */
  cancelled: boolean;
  layout: SeatLayout;
  status: Uint8Array;
  /**
   * Holds run out by now whose seats the log still has HELD (shown AVAILABLE here). With `seq`, it
   * names these statuses exactly: at one seq, the seats shown free by expiry only ever grow.
   */
  expired: number;
  /**
   * When the change at `seq` was logged (the inventory's creation at seq 0): with `seq`, which
   * history this is — a restored database reaching the same seq again does so at another time.
   */
  seqAt: number;
}


const HELD = SEAT_STATUSES.indexOf('HELD');
/** Log entries per read; an instance further behind than LOG_PAGES pages reads the statuses afresh. */
const LOG_PAGE = 1_000;
const LOG_PAGES = 10;
/** A held seat's hold with no end (none is written so; a row from elsewhere) never runs out. */
const heldUntil = (expiresAt: number | string | null) => (expiresAt === null ? Infinity : Number(expiresAt));
const SEATS_PER_READ = 500;

/** The statuses of one event, and when each held seat's hold runs out (0 for the others). */
interface Mirror {
  layout: SeatLayout;
  seq: number;
  seqAt: number;
  cancelled: boolean;
  status: Uint8Array;
  expiresAt: Float64Array;
  sync(): Promise<void>;
}

class LogGap extends Error {}

/** When change `seq` of the event was logged (the inventory's creation for 0); 0 when the log lacks it. */
async function loggedAt(trx: Transaction<BookingDatabase>, eventId: string, seq: number, inventory: { created_at: number | string }): Promise<number> {
  if (seq === 0) return Number(inventory.created_at);
  const row = await trx.selectFrom('seat_changes').select('created_at').where('event_id', '=', eventId).where('seq', '=', seq).executeTakeFirst();
  return row ? Number(row.created_at) : 0;
}

/** One snapshot for all the reads of a catch-up (MySQL's default too; SQLite's transactions are). */
const oneSnapshot = (db: Kysely<BookingDatabase>) => db.transaction().setIsolationLevel('repeatable read');

/**
 * `loadLayout` reads an event's layout (undefined without an inventory): the layout is kept here,
 * with the statuses, under one bound.
 */
export function createSeatStateCache(db: Kysely<BookingDatabase>, loadLayout: (eventId: string) => Promise<SeatLayout | undefined>) {
  /** The seq and the HELD and BOOKED seats (index `seats_event_status`), in one transaction. */
  async function readAll(layout: SeatLayout, eventId: string): Promise<Pick<Mirror, 'seq' | 'seqAt' | 'cancelled' | 'status' | 'expiresAt'> | undefined> {
    return oneSnapshot(db).execute(async (trx) => {
      const inventory = await trx.selectFrom('inventories').select(['seq', 'status', 'created_at']).where('event_id', '=', eventId).executeTakeFirst();
      if (!inventory) return undefined;
      const seq = Number(inventory.seq);
      const seqAt = await loggedAt(trx, eventId, seq, inventory);
      const rows = await trx
        .selectFrom('seats')
        .select(['seat_id', 'status', 'expires_at'])
        .where('event_id', '=', eventId)
        .where('status', 'in', ['HELD', 'BOOKED'])
        .execute();
      const status = new Uint8Array(layout.size);
      const expiresAt = new Float64Array(layout.size);
      for (const r of rows) {
        const i = layout.indexOf(r.seat_id);
        if (i === undefined) continue;
        status[i] = SEAT_STATUSES.indexOf(r.status);
        expiresAt[i] = r.status === 'HELD' ? heldUntil(r.expires_at) : 0;
      }
      return { seq, seqAt, cancelled: inventory.status === 'CLOSED', status, expiresAt };
    });
  }

  /**
   * The log's entries from `afterSeq` to `upTo` (all committed, in the same snapshot): each seat's
   * last status in them, and whether one cancelled the event.
   */
  async function readLog(
    trx: Transaction<BookingDatabase>,
    eventId: string,
    afterSeq: number,
    upTo: number,
  ): Promise<{ last: Map<string, SeatStatus>; cancelled: boolean; lastAt: number | undefined }> {
    const last = new Map<string, SeatStatus>();
    let cancelled = false;
    let lastAt: number | undefined;
    for (let seq = afterSeq; seq < upTo; ) {
      const batches = await readChangesSince(trx, eventId, seq, LOG_PAGE);
      for (const batch of batches) {
        if (batch.seq > upTo) return { last, cancelled, lastAt };
        if (batch.seq !== seq + 1) throw new LogGap(`event ${eventId}: change ${seq + 1} is missing from the log`);
        seq = batch.seq;
        lastAt = batch.committedAt;
        if (batch.cancelled) cancelled = true;
        for (const change of batch.changes) last.set(change.seatId, change.status);
      }
      if (batches.length === 0) throw new LogGap(`event ${eventId}: changes ${seq + 1}–${upTo} are missing from the log`);
    }
    return { last, cancelled, lastAt };
  }

  async function catchUp(mirror: Mirror, eventId: string): Promise<void> {
    const from = mirror.seq;
    const read = await oneSnapshot(db).execute(async (trx) => {
      // The inventory first: how far behind this is, and whether the event was cancelled — also
      // by an instance of a version that closed inventories without a log entry.
      const inventory = await trx.selectFrom('inventories').select(['seq', 'status', 'created_at']).where('event_id', '=', eventId).executeTakeFirst();
      if (!inventory) throw new LogGap(`event ${eventId}: its inventory is gone`);
      const seq = Number(inventory.seq);
      if (seq < from || seq - from > LOG_PAGE * LOG_PAGES) throw new LogGap(`event ${eventId}: ${seq - from} changes behind`);
      // The history these statuses were built from, still the database's?
      if ((await loggedAt(trx, eventId, from, inventory)) !== mirror.seqAt) throw new LogGap(`event ${eventId}: the log up to change ${from} is not the one read before`);
      const { last, cancelled, lastAt } = await readLog(trx, eventId, from, seq);
      // When the holds of the seats left held run out: from the same snapshot as the log.
      const held = [...last].filter(([, status]) => status === 'HELD').map(([seatId]) => seatId);
      const expiry = new Map<string, number>();
      for (const part of chunks(held, SEATS_PER_READ)) {
        const rows = await trx.selectFrom('seats').select(['seat_id', 'expires_at']).where('event_id', '=', eventId).where('seat_id', 'in', part).execute();
        for (const r of rows) expiry.set(r.seat_id, heldUntil(r.expires_at));
      }
      return { seq, seqAt: lastAt ?? mirror.seqAt, last, cancelled: cancelled || inventory.status === 'CLOSED', expiry };
    });
    // Applied in one go: nobody sees half a catch-up; and only onto what it was read from.
    if (mirror.seq !== from) return;
    for (const [seatId, status] of read.last) {
      const i = mirror.layout.indexOf(seatId);
      if (i === undefined) continue;
      const code = SEAT_STATUSES.indexOf(status);
      mirror.status[i] = code;
      mirror.expiresAt[i] = code === HELD ? (read.expiry.get(seatId) ?? Infinity) : 0;
    }
    mirror.seq = read.seq;
    mirror.seqAt = read.seqAt;
    if (read.cancelled) mirror.cancelled = true;
  }

  async function refresh(mirror: Mirror, eventId: string): Promise<void> {
    try {
      await catchUp(mirror, eventId);
    } catch (error) {
      if (!(error instanceof LogGap)) throw error;
      const fresh = await readAll(mirror.layout, eventId);
      if (!fresh) return;
      Object.assign(mirror, fresh);
    }
  }

  async function load(eventId: string): Promise<Mirror | undefined> {
    const layout = await loadLayout(eventId);
    if (!layout) return undefined;
    const first = await readAll(layout, eventId);
    if (!first) return undefined;
    const mirror: Mirror = { layout, ...first, sync: () => Promise.resolve() };
    mirror.sync = coalesced(() => refresh(mirror, eventId));
    return mirror;
  }

  // A layout (about 150 bytes a seat) and its statuses (9): one bound for both.
  const mirrors = createSizedCache(load, (mirror) => mirror.layout.size, EVENT_CACHE_SEATS);

  return {
    /**
     * The event's statuses as of now — every change committed before this call included — with an
     * expired hold's seats AVAILABLE, sweeper or not. Undefined while the event has no inventory.
     */
    async current(eventId: string, now: number): Promise<SeatStates | undefined> {
      const mirror = await mirrors.get(eventId);
      if (!mirror) return undefined;
      await mirror.sync();
      const status = mirror.status.slice();
      const { expiresAt } = mirror;
      let expired = 0;
      for (let i = 0; i < status.length; i++) {
        if (status[i] === HELD && (expiresAt[i] as number) <= now) {
          status[i] = 0;
          expired++;
        }
      }
      return { seq: mirror.seq, seqAt: mirror.seqAt, cancelled: mirror.cancelled, layout: mirror.layout, status, expired };
    },
  };
}
export type SeatStateCache = ReturnType<typeof createSeatStateCache>;
