/** The booking service's tables, as Kysely sees them. Times are epoch milliseconds. */
import type { Generated } from 'kysely';

export type SeatStatus = 'AVAILABLE' | 'HELD' | 'BOOKED';
export type HoldStatus = 'ACTIVE' | 'RELEASED' | 'EXPIRED' | 'ORDERED';
/**
 * `CANCELLING`: claimed for cancellation, its refund not yet through. Its tickets no longer check
 * in, and it only goes on to `CANCELLED` (see order-cancellation.ts); clients see it as cancelled.
 */
export type OrderStatus = 'CONFIRMED' | 'CANCELLING' | 'CANCELLED';

export interface InventoryTable {
  event_id: string;
  organizer_id: string;
  currency: string;
  /** `OPEN` takes holds; `CLOSED` (the event was cancelled) takes none. */
  status: 'OPEN' | 'CLOSED';
  /** The last change number assigned for this event's seats. */
  seq: number;
  stage_x: number;
  stage_y: number;
  created_at: number;
  /** When the event starts (ms; it cannot change once on sale). Null for inventories made before it was kept. */
  starts_at: number | null;
  /** When sales open and end (ms), as the catalogue has them (null: none). */
  sales_start_at: number | null;
  sales_end_at: number | null;
  /** The catalogue's limit; null when the sale terms were not kept (an inventory made before). */
  max_seats_per_order: number | null;
}

export interface SeatTable {
  event_id: string;
  seat_id: string;
  section: string;
  row_label: string;
  seat_number: number;
  /** `seated`, or `general`: one anonymous unit of a general-admission section's capacity. */
  kind: 'seated' | 'general';
  tier: string;
  price_cents: number;
  x: number;
  y: number;
  status: SeatStatus;
  /** The hold that holds (or last held) the seat; only meaningful with status HELD. */
  hold_id: string | null;
  expires_at: number | null;
  order_id: string | null;
}

export interface HoldTable {
  id: string;
  event_id: string;
  buyer_id: string;
  seat_ids_json: string;
  total_cents: number;
  currency: string;
  status: HoldStatus;
  expires_at: number;
  created_at: number;
}

export interface OrderTable {
  id: string;
  event_id: string;
  buyer_id: string;
  hold_id: string;
  status: OrderStatus;
  seat_ids_json: string;
  total_cents: number;
  currency: string;
  payment_id: string;
  created_at: number;
  /** When the cancellation was claimed (status CANCELLING, then CANCELLED). */
  cancelled_at: number | null;
  /**
   * Tickets of the order checked in. Check-in adds one only while the order is CONFIRMED, and a
   * buyer's cancellation claims the order only while it is 0: both decide on this one row.
   */
  checked_in_tickets: number;
  /** Failed attempts to refund and finish the cancellation. */
  cancel_attempts: number;
  /** While CANCELLING: when the sweeper (re)tries to refund and finish it. */
  cancel_next_attempt_at: number | null;
  cancel_last_error: string | null;
}

export interface TicketTable {
  code: string;
  order_id: string;
  event_id: string;
  seat_id: string;
  status: 'VALID' | 'VOID';
  valid_seat_id: string | null;
  checked_in_at: number | null;
}

export interface SeatChangeTable {
  event_id: string;
  seq: number;
  changes_json: string;
  created_at: number;
  /** 1 for the entry that records the event's cancellation (its changes are empty). */
  event_cancelled: Generated<number>;
}

export interface IdempotencyKeyTable {
  owner: string;
  idem_key: string;
  request_hash: string;
  status_code: number | null;
  response_json: string | null;
  created_at: number;
  /** When the reservation's request last said it was still running (null: a reservation of the release before). */
  alive_at: number | null;
}

export interface CatalogueMessageTable {
  id: string;
  type: string;
  event_id: string;
  processed_at: number;
}

/** A refund that failed and is owed: retried until the provider takes it. */
export interface RefundDueTable {
  payment_id: string;
  amount_cents: number;
  currency: string;
  /** The hold whose payment this was, for people reconciling by hand. */
  hold_id: string;
  reason: string;
  attempts: number;
  next_attempt_at: number;
  last_error: string;
  created_at: number;
}

/**
 * A payment under way: written before the provider is asked, gone once the order exists or the
 * charge is known not to have happened. One left behind (a crash, a timeout whose charge went
 * through late) is found by the sweeper and refunded.
 */
export interface PaymentAttemptTable {
  /** The order id the attempt would create; the provider's idempotency key. */
  reference: string;
  hold_id: string;
  amount_cents: number;
  currency: string;
  /** Known once the provider answered. */
  payment_id: string | null;
  created_at: number;
  /** Abandoned, and the provider knew of no charge when last asked: when to ask it again. */
  recheck_at: number | null;
}

/** The test payment provider's charges (its ledger, shared by every instance): by our reference. */
export interface TestProviderChargeTable {
  reference: string;
  payment_id: string;
  charged_at: number;
}

export interface BookingDatabase {
  inventories: InventoryTable;
  seats: SeatTable;
  holds: HoldTable;
  orders: OrderTable;
  tickets: TicketTable;
  seat_changes: SeatChangeTable;
  idempotency_keys: IdempotencyKeyTable;
  catalogue_messages: CatalogueMessageTable;
  refunds_due: RefundDueTable;
  payment_attempts: PaymentAttemptTable;
  test_provider_charges: TestProviderChargeTable;
}
