/**
 * Seats in the order people read them: numbers by value, so `A-9` comes before `A-10`. For what a
 * buyer reads (a hold's seats, an order's tickets, the seats a 409 lists); the database stores
 * and locks them in plain code-unit order, which every transaction shares.
 */
export const bySeat = new Intl.Collator('en', { numeric: true }).compare;

/** A sorted copy, in reading order. */
export function inReadingOrder(seatIds: readonly string[]): string[] {
  return [...seatIds].sort(bySeat);
}
