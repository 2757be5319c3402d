/** Seat inventory per event: created once (idempotently), read as snapshots and claim candidates. */
import type { SeatChangeBatch } from '@stream-seat/contracts';
import { type Dialect, isDuplicateKey } from '@stream-seat/db';
import type { InsertQueryBuilder, InsertResult, Kysely } from 'kysely';
import type { SeatPlace } from '../domain/best-available.js';
import type { PlannedSeat } from '../domain/inventory-plan.js';
import { buildSeatLayout, type SeatLayout } from '../domain/seat-layout.js';
import type { BookingDatabase, InventoryTable } from './schema.js';
import { recordEventCancelled } from './seat-change.repository.js';
import { createSeatStateCache, type SeatStates } from './seat-state-cache.js';
import { chunks, inTransaction } from './transaction.js';

const LAYOUT_PAGE = 10_000;

/** An event's terms of sale as the catalogue has them (immutable once it is on sale). */
export interface SaleTerms {
  /** When the event starts (ms). */
  startsAt: number;
  salesStartAt: number | null;
  salesEndAt: number | null;
  maxSeatsPerOrder: number;
}

/** The inventory's columns of an event's start and sale terms: written at creation, or kept later. */
export function saleTermColumns(terms: SaleTerms) {
  return { starts_at: terms.startsAt, sales_start_at: terms.salesStartAt, sales_end_at: terms.salesEndAt, max_seats_per_order: terms.maxSeatsPerOrder };
}

export interface InventoryHeader extends SaleTerms {
  organizerId: string;
  currency: string;
  stage: { x: number; y: number };
}

const orNumber = (value: unknown) => (value === null || value === undefined ? null : Number(value));

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

/** The organiser of the closed, empty inventory of an event cancelled before it had one. */
const CANCELLED_BEFORE_SALE = '';
export const isCancelledBeforeSale = (row: Pick<InventoryTable, 'status' | 'organizer_id'>) => row.status === 'CLOSED' && row.organizer_id === CANCELLED_BEFORE_SALE;

/**
 * An INSERT of seats that leaves a row already there (same primary key) as it is: SQLite's
 * `ON CONFLICT DO NOTHING`; on MySQL an update to itself (`INSERT IGNORE` would also turn other
 * errors into warnings).
 */
function keepingExistingSeats(dialect: Dialect) {
  return (insert: InsertQueryBuilder<BookingDatabase, 'seats', InsertResult>) =>
    dialect === 'sqlite' ? insert.onConflict((conflict) => conflict.doNothing()) : insert.onDuplicateKeyUpdate((eb) => ({ seat_id: eb.ref('seats.seat_id') }));
}

export function createInventoryRepository(db: Kysely<BookingDatabase>, dialect: Dialect) {
  const keepingExistingRows = keepingExistingSeats(dialect);
  /**
   * The event's seats in seat-id order (the order they were always listed in, on both databases),
   * a page at a time: SQLite runs each page synchronously, and other requests get their turn in
   * between.
   */
  async function* seatPages(eventId: string) {
    let after: string | undefined;
    for (;;) {
      let page = db
        .selectFrom('seats')
        .select(['seat_id', 'section', 'row_label', 'seat_number', 'kind', 'tier', 'x', 'y'])
        .where('event_id', '=', eventId)
        .orderBy('seat_id')
        .limit(LAYOUT_PAGE);
      if (after !== undefined) page = page.where('seat_id', '>', after);
      const rows = await page.execute();
      yield rows;
      if (rows.length < LAYOUT_PAGE) return;
      after = rows[rows.length - 1]?.seat_id;
      await nextTurn();
    }
  }

  /** The event's layout from its seats; undefined while the event has no inventory. */
  async function loadLayout(eventId: string): Promise<SeatLayout | undefined> {
    const inventory = await db.selectFrom('inventories').select(['stage_x', 'stage_y', 'status', 'organizer_id']).where('event_id', '=', eventId).executeTakeFirst();
    if (!inventory) return undefined;
    // Cancelled before it was on sale: no seats, whatever a creation that failed half-way left.
    if (isCancelledBeforeSale(inventory)) return buildSeatLayout([], { x: 0, y: 0 });
    const places: SeatPlace[] = [];
    for await (const rows of seatPages(eventId)) {
      for (const r of rows) {
        places.push({ seatId: r.seat_id, section: r.section, row: r.row_label, number: Number(r.seat_number), kind: r.kind, tier: r.tier, x: Number(r.x), y: Number(r.y) });
      }
    }
    return buildSeatLayout(places, { x: Number(inventory.stage_x), y: Number(inventory.stage_y) });
  }

  /** Removes the event's seats that are not in `planned` (no inventory row yet: nothing refers to them). */
  async function removeSeatsOutside(eventId: string, planned: ReadonlySet<string>): Promise<void> {
    const extra: string[] = [];
    for await (const rows of seatPages(eventId)) for (const r of rows) if (!planned.has(r.seat_id)) extra.push(r.seat_id);
    for (const part of chunks(extra, 500)) await db.deleteFrom('seats').where('event_id', '=', eventId).where('seat_id', 'in', part).execute();
  }

  // Each event's seat statuses, caught up from the change log instead of read again.
  // An event's seats are all written before its inventory row, and never after (create), so its
  // layout never changes once loaded: it is kept with the statuses.
  const states = createSeatStateCache(db, loadLayout);

  return {
    async find(eventId: string): Promise<InventoryTable | undefined> {
      const row = await db.selectFrom('inventories').selectAll().where('event_id', '=', eventId).executeTakeFirst();
      return (
        row && {
          ...row,
          starts_at: orNumber(row.starts_at),
          sales_start_at: orNumber(row.sales_start_at),
          sales_end_at: orNumber(row.sales_end_at),
          max_seats_per_order: orNumber(row.max_seats_per_order),
        }
      );
    },

    /**
     * Creates the inventory: its seats first, 500 to a statement, each committed on its own, then
     * the inventories row, which makes them an inventory (nothing reads an event's seats before
     * that row exists). One transaction for the lot held SQLite's single connection for the whole
     * copy: publishing a 100,000-seat venue stalled every other event's holds for about 1.3 s
     * (four at once, 5.25 s). Now they take their turn between statements.
     *
     * Idempotent: a seat already there (a racing creator's, or one left by a creation that died
     * half-way) is left as it is, and two racing creators both report success once either has
     * written the inventories row — the primary key lets one win. A creation that finds the
     * closed, empty inventory of an event cancelled meanwhile removes the seats it wrote.
     */
    async create(eventId: string, header: InventoryHeader, seats: PlannedSeat[], now: number): Promise<'created' | 'exists'> {
      // Seats there already: a racing creator's, or left by one that died half-way — perhaps of
      // another release, whose plan differed: after the copy, the seats are made the plan's.
      const leftovers = (await db.selectFrom('seats').select('seat_id').where('event_id', '=', eventId).limit(1).executeTakeFirst()) !== undefined;
      for (const chunk of chunks(seats, 500)) {
        // SQLite runs each statement synchronously: between chunks other requests get their turn.
        await nextTurn();
        await db
          .insertInto('seats')
          .values(
            chunk.map((s) => ({
              event_id: eventId,
              seat_id: s.seatId,
              section: s.section,
              row_label: s.row,
              seat_number: s.number,
              kind: s.kind,
              tier: s.tier,
              price_cents: s.priceCents,
              x: s.x,
              y: s.y,
              status: 'AVAILABLE' as const,
              hold_id: null,
              expires_at: null,
              order_id: null,
            })),
          )
          .$call(keepingExistingRows)
          .execute();
      }
      if (leftovers) await removeSeatsOutside(eventId, new Set(seats.map((seat) => seat.seatId)));
      try {
        await db
          .insertInto('inventories')
          .values({
            event_id: eventId,
            organizer_id: header.organizerId,
            currency: header.currency,
            status: 'OPEN',
            seq: 0,
            stage_x: header.stage.x,
            stage_y: header.stage.y,
            created_at: now,
            ...saleTermColumns(header),
          })
          .execute();
        return 'created';
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        const existing = await db.selectFrom('inventories').select(['status', 'organizer_id']).where('event_id', '=', eventId).executeTakeFirst();
        if (existing && isCancelledBeforeSale(existing)) await db.deleteFrom('seats').where('event_id', '=', eventId).execute();
        return 'exists';
      }
    },

    /**
     * Closes the inventory: no hold or order is accepted any more. Closing an open one is a change
     * of its own, numbered and logged (recordEventCancelled): returned, to publish. An event
     * cancelled before its inventory existed gets a closed, empty one, so that a stale "on sale"
     * answer of the catalogue cache can never create it open afterwards.
     */
    async close(eventId: string, now: number): Promise<SeatChangeBatch | undefined> {
      const closeOpen = () => inTransaction(db, (trx) => recordEventCancelled(trx, eventId, now));
      const closed = await closeOpen();
      if (closed) return closed;
      try {
        await inTransaction(db, async (trx) => {
          await trx
            .insertInto('inventories')
            // XXX: ISO 4217's "no currency"; the empty inventory sells nothing.
            .values({ event_id: eventId, organizer_id: CANCELLED_BEFORE_SALE, currency: 'XXX', status: 'CLOSED', seq: 0, stage_x: 0, stage_y: 0, created_at: now, starts_at: null, sales_start_at: null, sales_end_at: null, max_seats_per_order: null })
            .execute();
          // Seats a creation that died half-way left (or one still running: it removes its own once it finds this row).
          await trx.deleteFrom('seats').where('event_id', '=', eventId).execute();
        });
        return undefined;
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        // It exists: already closed, or created open in the meantime — then close that one.
        return closeOpen();
      }
    },

    /** Keeps the event's start and sale terms in an inventory made without them (by an older release). */
    async keepTerms(eventId: string, terms: SaleTerms): Promise<void> {
      await db
        .updateTable('inventories')
        .set(saleTermColumns(terms))
        .where('event_id', '=', eventId)
        .where('max_seats_per_order', 'is', null)
        .where('organizer_id', '!=', CANCELLED_BEFORE_SALE)
        .execute();
    },

    /** The last change number of an event (0 when it has no inventory). */
    async currentSeq(eventId: string): Promise<number> {
      const row = await db.selectFrom('inventories').select('seq').where('event_id', '=', eventId).executeTakeFirst();
      return row ? Number(row.seq) : 0;
    },

    /** The event's seats and the change number they reflect (see seat-state-cache.ts). */
    snapshot(eventId: string, now: number): Promise<SeatStates | undefined> {
      return states.current(eventId, now);
    },

    /** Each seat's price: fixed when the inventory is created, so callers may cache it. */
    async prices(eventId: string): Promise<Map<string, number>> {
      const rows = await db.selectFrom('seats').select(['seat_id', 'price_cents']).where('event_id', '=', eventId).execute();
      return new Map(rows.map((r) => [r.seat_id, Number(r.price_cents)]));
    },

    /** The event's sections and the tiers of each (seat rows collapsed), to name what a request may ask for. */
    async places(eventId: string): Promise<Array<{ section: string; tier: string }>> {
      return db.selectFrom('seats').select(['section', 'tier']).distinct().where('event_id', '=', eventId).execute();
    },

    /** The input of best available: the event's layout and which seats are free now (1) or not (0). */
    async freeSeats(eventId: string, now: number): Promise<{ layout: SeatLayout; free: Uint8Array } | undefined> {
      const seats = await states.current(eventId, now);
      if (!seats) return undefined;
      const free = seats.status;
      for (let i = 0; i < free.length; i++) free[i] = free[i] === 0 ? 1 : 0;
      return { layout: seats.layout, free };
    },
  };
}
export type InventoryRepository = ReturnType<typeof createInventoryRepository>;
