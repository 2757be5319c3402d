/**
 * The time by the gateway's clock, learnt from its answers' `Date` headers. A browser's clock may
 * be off by minutes or hours; a hold's countdown and a session's end are judged by the server's.
 */

/** How far the gateway's clock is ahead of this browser's, in ms (0 until the first answer). */
let offset = 0;

export function serverNow(): number {
  return Date.now() + offset;
}

/** Learns the server's time from an answer of the gateway (to within its `Date`'s whole second). */
export function noteServerDate(response: Response): void {
  const date = Date.parse(response.headers.get('date') ?? '');
  if (Number.isFinite(date)) offset = date - Date.now();
}
