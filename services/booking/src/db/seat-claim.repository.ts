/**
 * Claims the seats of several holds of one event in one transaction: one inventory lock, a fixed
 * number of statements and one commit for the lot, however many holds (a round trip per hold is what
 * bounded MySQL). Under the event's lock the requested seats are read with a locking read, the
 * winners are decided in arrival order (claim-plan.ts), and their seats are taken by one conditional
 * UPDATE — only seats AVAILABLE or held by an expired hold — whose affected-row count must equal the
 * number planned, or the whole transaction rolls back and nothing is held.
 *
 * Plain SQL (see @stream-seat/db raw-sql): this is the hottest write path of the platform.
 */
import type { SeatChangeBatch } from '@stream-seat/contracts';
import { type Database, lockingReadSql, type RawSql, type SqlValue } from '@stream-seat/db';
import { EventNotOnSale } from '../domain/booking-errors.js';
import { planClaims, type SeatState } from '../domain/claim-plan.js';
import type { BookingDatabase, HoldTable, SeatStatus } from './schema.js';
import { chunks, retryConflicts } from './transaction.js';

export interface ClaimRequest {
  holdId: string;
  eventId: string;
  buyerId: string;
  seatIds: string[];
  currency: string;
  /** The seats' total price, from the inventory's (immutable) prices. */
  totalCents: number;
  now: number;
  expiresAt: number;
  maxActiveHolds: number;
}

export interface ClaimResult {
  hold: HoldTable;
  batch: SeatChangeBatch;
}

/** One hold's fate inside a batch: an error here fails that hold only. */
export type ClaimOutcome = { ok: true; value: ClaimResult } | { ok: false; error: Error };

const list = (count: number) => Array.from({ length: count }, () => '?').join(', ');
const rowsOf = (rows: number, columns: number) => Array.from({ length: rows }, () => `(${list(columns)})`).join(', ');

const activeHoldsSql = (buyers: number) =>
  `SELECT buyer_id, COUNT(*) AS n FROM holds WHERE event_id = ? AND buyer_id IN (${list(buyers)}) AND status = 'ACTIVE' AND expires_at > ? GROUP BY buyer_id`;
/** Each seat goes to its own hold: hold_id and expires_at are picked per seat_id. */
const claimSeatsSql = (seats: number) => {
  const cases = Array.from({ length: seats }, () => 'WHEN ? THEN ?').join(' ');
  return (
    `UPDATE seats SET status = 'HELD', hold_id = CASE seat_id ${cases} END, expires_at = CASE seat_id ${cases} END, order_id = NULL ` +
    `WHERE event_id = ? AND seat_id IN (${list(seats)}) AND (status = 'AVAILABLE' OR (status = 'HELD' AND expires_at <= ?))`
  );
};
const insertHoldsSql = (rows: number) =>
  `INSERT INTO holds (id, event_id, buyer_id, seat_ids_json, total_cents, currency, status, expires_at, created_at) VALUES ${rowsOf(rows, 9)}`;
const insertChangesSql = (rows: number) => `INSERT INTO seat_changes (event_id, seq, changes_json, created_at) VALUES ${rowsOf(rows, 4)}`;

/** Rows or seats per statement: well below both dialects' limits on placeholders. */
const CHUNK = 100;

interface ClaimedSeat {
  seatId: string;
  holdId: string;
  expiresAt: number;
}

/** Takes the planned seats; the SQL condition re-checks each one, and the count must add up. */
async function takeSeats(sql: RawSql, eventId: string, seats: ClaimedSeat[], now: number): Promise<void> {
  for (const part of chunks(seats, CHUNK)) {
    const params: SqlValue[] = [
      ...part.flatMap((s) => [s.seatId, s.holdId]),
      ...part.flatMap((s) => [s.seatId, s.expiresAt]),
      eventId,
      ...part.map((s) => s.seatId),
      now,
    ];
    const taken = await sql.run(claimSeatsSql(part.length), params);
    // Impossible while the seats are locked; if it ever happens, nothing is held (rollback).
    if (taken !== part.length) throw new Error(`seat claim took ${taken} of ${part.length} locked seats of event ${eventId}`);
  }
}

/** Stores the holds and their numbered changes, and moves the event's seq past them. */
async function storeClaimed(sql: RawSql, eventId: string, holds: HoldTable[], batches: SeatChangeBatch[], createdAt: number): Promise<void> {
  for (const rows of chunks(holds, CHUNK)) {
    const values: SqlValue[] = rows.flatMap((h) => [h.id, h.event_id, h.buyer_id, h.seat_ids_json, h.total_cents, h.currency, h.status, h.expires_at, h.created_at]);
    await sql.run(insertHoldsSql(rows.length), values);
  }
  for (const rows of chunks(batches, CHUNK)) {
    const values: SqlValue[] = rows.flatMap((b) => [b.eventId, b.seq, JSON.stringify(b.changes), createdAt]);
    await sql.run(insertChangesSql(rows.length), values);
  }
  const last = batches.at(-1);
  if (last) await sql.run('UPDATE inventories SET seq = ? WHERE event_id = ?', [last.seq, eventId]);
}

export function createSeatClaimRepository(database: Database<BookingDatabase>) {
  const lockingRead = lockingReadSql(database.dialect);
  const lockInventorySql = `SELECT seq, status FROM inventories WHERE event_id = ?${lockingRead}`;
  const lockSeatsSql = (seats: number) => `SELECT seat_id, status, expires_at FROM seats WHERE event_id = ? AND seat_id IN (${list(seats)})${lockingRead}`;

  async function readSeats(sql: RawSql, eventId: string, seatIds: string[]): Promise<Map<string, SeatState>> {
    const seats = new Map<string, SeatState>();
    for (const part of chunks(seatIds, CHUNK)) {
      const rows = await sql.all<{ seat_id: string; status: SeatStatus; expires_at: number | string | null }>(lockSeatsSql(part.length), [eventId, ...part]);
      for (const r of rows) seats.set(r.seat_id, { status: r.status, expiresAt: r.expires_at === null ? null : Number(r.expires_at) });
    }
    return seats;
  }

  async function claimInTransaction(sql: RawSql, eventId: string, requests: ClaimRequest[]): Promise<ClaimOutcome[]> {
    // The event's row lock first: it orders this event's writers (so seq order is commit order),
    // and the plain reads after it see every earlier commit — on MySQL the transaction's snapshot
    // starts at its first plain read. A buyer's racing requests on other instances are counted so.
    const [inventory] = await sql.all<{ seq: number | string; status: string }>(lockInventorySql, [eventId]);
    if (!inventory || inventory.status !== 'OPEN') {
      return requests.map(() => ({ ok: false, error: new EventNotOnSale(eventId, 'it was cancelled') }));
    }
    const now = Math.max(...requests.map((r) => r.now));
    const buyers = [...new Set(requests.map((r) => r.buyerId))];
    const counts = await sql.all<{ buyer_id: string; n: number | string }>(activeHoldsSql(buyers.length), [eventId, ...buyers, now]);
    const seats = await readSeats(sql, eventId, [...new Set(requests.flatMap((r) => r.seatIds))].sort());
    const plans = planClaims(requests, seats, new Map(counts.map((c) => [c.buyer_id, Number(c.n)])), now);

    let seq = Number(inventory.seq);
    const claimed: ClaimedSeat[] = [];
    const holds: HoldTable[] = [];
    const batches: SeatChangeBatch[] = [];
    const outcomes = plans.map((plan, i): ClaimOutcome => {
      const request = requests[i] as ClaimRequest;
      if (!plan.ok) return plan;
      const hold: HoldTable = {
        id: request.holdId,
        event_id: eventId,
        buyer_id: request.buyerId,
        seat_ids_json: JSON.stringify(plan.seatIds),
        total_cents: request.totalCents,
        currency: request.currency,
        status: 'ACTIVE',
        expires_at: request.expiresAt,
        created_at: request.now,
      };
      // One numbered change per hold, in the order of the plan: seq stays contiguous.
      const batch: SeatChangeBatch = { eventId, seq: ++seq, changes: plan.seatIds.map((seatId) => ({ seatId, status: 'HELD' as const })) };
      for (const seatId of plan.seatIds) claimed.push({ seatId, holdId: hold.id, expiresAt: hold.expires_at });
      holds.push(hold);
      batches.push(batch);
      return { ok: true, value: { hold, batch } };
    });
    if (holds.length > 0) {
      await takeSeats(sql, eventId, claimed, now);
      await storeClaimed(sql, eventId, holds, batches, now);
    }
    return outcomes;
  }

  return {
    /** Claims every request (all of one event) in one transaction; one outcome per request, in order. */
    claimBatch(eventId: string, requests: ClaimRequest[]): Promise<ClaimOutcome[]> {
      return retryConflicts(() => database.rawTransaction((sql) => claimInTransaction(sql, eventId, requests)));
    },
  };
}
export type SeatClaimRepository = ReturnType<typeof createSeatClaimRepository>;
