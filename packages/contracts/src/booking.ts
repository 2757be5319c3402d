/** The booking service's public shapes: availability, holds, orders, tickets, seat changes. */
import { z } from 'zod';

export const seatStatus = z.enum(['AVAILABLE', 'HELD', 'BOOKED']);
export type SeatStatusValue = z.infer<typeof seatStatus>;

/** One seat whose state changed, as published after a commit and streamed to browsers. */
export const seatChange = z.object({ seatId: z.string(), status: seatStatus });
export const seatChangeBatch = z.object({
  eventId: z.string(),
  seq: z.number().int().min(1),
  changes: z.array(seatChange),
});
export type SeatChangeBatch = z.infer<typeof seatChangeBatch>;
