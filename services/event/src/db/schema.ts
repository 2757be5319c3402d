/** The event service's tables, as Kysely sees them. Times are epoch milliseconds. */
import type { Generated } from 'kysely';

export interface VenueTable {
  id: string;
  organizer_id: string;
  name: string;
  city: string | null;
  capacity: number;
  /** The price tiers of its sections, JSON array in first-use order. */
  tiers_json: string;
  /** The layout as submitted, JSON. */
  layout_json: string;
  /**
   * Sections and generated seats with coordinates, JSON (a VenueSeatMap), so reads never
   * regenerate it: in `seatmap_gz`, gzipped, for venues created since migration 006 (this is then
   * empty); here, for those created before.
   */
  seatmap_json: string;
  seatmap_gz: Buffer | null;
  created_at: number;
}

export interface EventTable {
  id: string;
  organizer_id: string;
  venue_id: string;
  name: string;
  status: 'DRAFT' | 'ON_SALE' | 'CANCELLED';
  starts_at: number;
  currency: string;
  prices_json: string;
  sales_start_at: number | null;
  sales_end_at: number | null;
  max_seats_per_order: number;
  /** Name and venue city folded for `?q=` (domain/search-text.ts); null only before migration 003 filled it. */
  search_text: string | null;
  /** 1 for an event cancelled while still a draft: never public, so it stays its organiser's. */
  cancelled_as_draft: number;
  created_at: number;
  updated_at: number;
}

export interface OutboxTable {
  seq: Generated<number>;
  id: string;
  type: string;
  payload_json: string;
  created_at: number;
  attempts: number;
  next_attempt_at: number;
  delivered_at: number | null;
  last_error: string | null;
}

/** One row per relay role: only the holder of an unexpired lease delivers, which keeps the order. */
export interface RelayLeaseTable {
  name: string;
  holder: string | null;
  expires_at: number;
}

export interface IdempotencyKeyTable {
  /** sha256 of (caller, operation, key): keys are the caller's own. */
  id: string;
  request_hash: string;
  resource_id: string;
  status_code: number;
  /** The created resource as first answered, for replays of resources that change later. */
  response_json: string | null;
  created_at: number;
}

export interface EventDatabase {
  venues: VenueTable;
  events: EventTable;
  outbox: OutboxTable;
  relay_lease: RelayLeaseTable;
  idempotency_keys: IdempotencyKeyTable;
}
