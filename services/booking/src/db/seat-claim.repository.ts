/**
 * Claims the seats of several holds of one event in one transaction: one inventory lock, two
 * scripts of statements (one round trip each on MySQL) and one commit for the lot, however many
 * holds — a round trip per hold is what bounded MySQL. Under the event's lock the requested seats
 * are read with a locking read, the winners are decided in arrival order (claim-plan.ts), and their
 * seats are taken by conditional UPDATEs — only seats AVAILABLE or held by an expired hold — whose
 * affected-row count must equal the number planned, or the whole transaction rolls back and nothing
 * is held.
 *
 * Plain SQL (see @stream-seat/db raw-sql): this is the hottest write path of the platform.
 */
import type { SeatChangeBatch } from '@stream-seat/contracts';
import { type Database, lockingReadSql, type RawSql, type SqlStatement } from '@stream-seat/db';
import { EventNotOnSale } from '../domain/booking-errors.js';
import type { BlockSides } from '../domain/best-available.js';
import { type ClaimChoice, planClaims, type SeatState } from '../domain/claim-plan.js';
import {
  type AnsweringReservation,
  type KeyReservation,
  ReservationTakenOver,
  storeAnswerParams,
  storeAnswerSql,
  touchReservationParams,
  touchReservationSql,
} from './idempotency.repository.js';
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
  /** Best available's block: the seats beside it, read (locked) with its own (claim-plan.ts). */
  keepWhole?: BlockSides | undefined;
  /** Best available's next choices, best first, each with its price: the first still free is taken (claim-plan.ts). */
  alternatives?: Array<ClaimChoice & { totalCents: number }> | undefined;
  /** Best available picked the seats: a refusal names none. */
  bestAvailable?: boolean | undefined;
  /**
   * The Idempotency-Key reservation the request runs under: the hold is made only while it is the
   * request's, and the key's answer is stored with it.
   */
  reservation?: AnsweringReservation<HoldTable> | undefined;
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

/** The UPDATEs that take the planned seats; the SQL condition re-checks each one. */
function takeSeats(eventId: string, seats: ClaimedSeat[], now: number): SqlStatement[] {
  return chunks(seats, CHUNK).map((part) => ({
    sql: claimSeatsSql(part.length),
    params: [...part.flatMap((s) => [s.seatId, s.holdId]), ...part.flatMap((s) => [s.seatId, s.expiresAt]), eventId, ...part.map((s) => s.seatId), now],
  }));
}

/** Stores the holds and their numbered changes, and moves the event's seq past them. */
function storeClaimed(eventId: string, holds: HoldTable[], batches: SeatChangeBatch[], createdAt: number): SqlStatement[] {
  const last = batches.at(-1);
  return [
    ...chunks(holds, CHUNK).map((rows) => ({
      sql: insertHoldsSql(rows.length),
      params: rows.flatMap((h) => [h.id, h.event_id, h.buyer_id, h.seat_ids_json, h.total_cents, h.currency, h.status, h.expires_at, h.created_at]),
    })),
    ...chunks(batches, CHUNK).map((rows) => ({
      sql: insertChangesSql(rows.length),
      params: rows.flatMap((b) => [b.eventId, b.seq, JSON.stringify(b.changes), createdAt]),
    })),
    ...(last ? [{ sql: 'UPDATE inventories SET seq = ? WHERE event_id = ?', params: [last.seq, eventId] }] : []),
  ];
}

export function createSeatClaimRepository(database: Database<BookingDatabase>) {
  const lockingRead = lockingReadSql(database.dialect);
  const lockInventorySql = `SELECT seq, status FROM inventories WHERE event_id = ?${lockingRead}`;
  const lockSeatsSql = (seats: number) => `SELECT seat_id, status, expires_at FROM seats WHERE event_id = ? AND seat_id IN (${list(seats)})${lockingRead}`;

  async function claimInTransaction(sql: RawSql, eventId: string, requests: ClaimRequest[]): Promise<ClaimOutcome[]> {
    const now = Math.max(...requests.map((r) => r.now));
    const buyers = [...new Set(requests.map((r) => r.buyerId))];
    const choiceSeats = (c: ClaimChoice) => [...c.seatIds, ...(c.keepWhole ? [...c.keepWhole.left, ...c.keepWhole.right] : [])];
    const seatIds = [...new Set(requests.flatMap((r) => [...choiceSeats(r), ...(r.alternatives ?? []).flatMap(choiceSeats)]))].sort();
    // All reads in one script (one round trip on MySQL), in this order: the event's row lock first —
    // it orders this event's writers, so seq order is commit order — then the buyers' active holds:
    // the first plain read, after the lock, sees every earlier commit (on MySQL the transaction's
    // snapshot starts at its first plain read), so a buyer's racing requests on other instances
    // are counted. Then the seats, locked: no other writer changes them until commit. Releases and
    // orders take the inventory lock before the seats too (lockInventory), so no lock cycle forms.
    // Between the lock and the reads, each keyed request's Idempotency-Key reservation is marked
    // heard from, and locked: one a repeat took over meanwhile gets no hold (the repeat makes it).
    const fenced = requests.flatMap((r) => (r.reservation ? [r.reservation] : []));
    const [inventoryRead, ...rest] = await sql.script([
      { sql: lockInventorySql, params: [eventId] },
      ...fenced.map((reservation) => ({ sql: touchReservationSql, params: touchReservationParams(reservation, now) })),
      { sql: activeHoldsSql(buyers.length), params: [eventId, ...buyers, now] },
      ...chunks(seatIds, CHUNK).map((part) => ({ sql: lockSeatsSql(part.length), params: [eventId, ...part] })),
    ]);
    const touches = rest.splice(0, fenced.length);
    const [countsRead, ...seatReads] = rest;
    const inventory = inventoryRead?.rows[0] as { seq: number | string; status: string } | undefined;
    if (!inventory || inventory.status !== 'OPEN') {
      return requests.map(() => ({ ok: false, error: new EventNotOnSale(eventId, 'it was cancelled') }));
    }
    const lost = new Set(fenced.filter((_, i) => touches[i]?.changes !== 1));
    const counts = (countsRead?.rows ?? []) as Array<{ buyer_id: string; n: number | string }>;
    const seats = new Map<string, SeatState>();
    for (const read of seatReads) {
      for (const r of read.rows as Array<{ seat_id: string; status: SeatStatus; expires_at: number | string | null }>) {
        seats.set(r.seat_id, { status: r.status, expiresAt: r.expires_at === null ? null : Number(r.expires_at) });
      }
    }
    const takenOver = (r: ClaimRequest) => r.reservation !== undefined && lost.has(r.reservation);
    const livePlans = planClaims(requests.filter((r) => !takenOver(r)), seats, new Map(counts.map((c) => [c.buyer_id, Number(c.n)])), now);
    let nextLive = 0;
    const plans = requests.map((r) => (takenOver(r) ? { ok: false as const, error: new ReservationTakenOver(r.reservation as KeyReservation) } : livePlans[nextLive++]));

    let seq = Number(inventory.seq);
    const claimed: ClaimedSeat[] = [];
    const holds: HoldTable[] = [];
    const batches: SeatChangeBatch[] = [];
    const outcomes = plans.map((plan, i): ClaimOutcome => {
      const request = requests[i] as ClaimRequest;
      if (!plan) throw new Error('claim plan missing a request');
      if (!plan.ok) return plan;
      const hold: HoldTable = {
        id: request.holdId,
        event_id: eventId,
        buyer_id: request.buyerId,
        seat_ids_json: JSON.stringify(plan.seatIds),
        // The plan's choice is 0 (the first) or one of the alternatives: it priced each.
        total_cents: plan.choice === 0 ? request.totalCents : (request.alternatives?.[plan.choice - 1] as { totalCents: number }).totalCents,
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
      // All writes in one script too; the takes come first, and their count is checked before commit.
      const takes = takeSeats(eventId, claimed, now);
      const answers = outcomes.flatMap((outcome, i) => {
        const reservation = requests[i]?.reservation;
        return outcome.ok && reservation ? [{ sql: storeAnswerSql, params: storeAnswerParams(reservation, reservation.answer(outcome.value.hold)) }] : [];
      });
      const results = await sql.script([...takes, ...storeClaimed(eventId, holds, batches, now), ...answers]);
      const taken = results.slice(0, takes.length).reduce((sum, r) => sum + r.changes, 0);
      // Impossible while the seats are locked; if it ever happens, nothing is held (rollback).
      if (taken !== claimed.length) throw new Error(`seat claim took ${taken} of ${claimed.length} locked seats of event ${eventId}`);
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
