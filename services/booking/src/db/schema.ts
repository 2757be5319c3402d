/** The booking service's tables, as Kysely sees them. Times are epoch milliseconds. */

export type SeatStatus = 'AVAILABLE' | 'HELD' | 'BOOKED';

export interface InventoryTable {
  event_id: string;
  /** The last change number assigned for this event's seats. */
  seq: number;
  created_at: number;
}

export interface SeatTable {
  event_id: string;
  seat_id: string;
  section: string;
  tier: string;
  status: SeatStatus;
  hold_id: string | null;
  expires_at: number | null;
  order_id: string | null;
}

export interface BookingDatabase {
  inventories: InventoryTable;
  seats: SeatTable;
}
