/**
 * What the page tells a buyer as their hold runs out: nothing shows the countdown to a screen
 * reader on its own (a live region ticking every second would talk over everything), so it says
 * so twice, at two minutes and at thirty seconds left (WCAG 2.2.1: warned before the time ends) —
 * in the time really left: a hold cut short by the end of sales, or a page opened late, may reach
 * a threshold long after it passed ("36 seconds left", not "2 minutes left").
 */
export const HOLD_WARNING_THRESHOLDS_MS: readonly number[] = [120_000, 30_000];

/** "2 minutes", "1 minute", "36 seconds": the time left as said aloud. */
export function spokenTimeLeft(leftMs: number): string {
  if (leftMs >= 90_000) return `${Math.round(leftMs / 60_000)} minutes`;
  if (leftMs >= 60_000) return '1 minute';
  const seconds = Math.max(1, Math.ceil(leftMs / 1_000));
  return `${seconds} second${seconds === 1 ? '' : 's'}`;
}

/**
 * The warning due with `leftMs` left, if one is and has not been given (`given` holds the
 * thresholds already said for this hold, and is added to). Only one is said for thresholds
 * passed together: a page opened with 20 s left says "20 seconds" once, not twice.
 */
export function holdWarning(leftMs: number, given: Set<number>): string | undefined {
  const due = HOLD_WARNING_THRESHOLDS_MS.filter((atMs) => leftMs > 0 && leftMs <= atMs && !given.has(atMs));
  if (due.length === 0) return undefined;
  // A warning just said stands for the next threshold too when it is that close ("36 seconds
  // left" is not followed by "30 seconds left" six seconds later).
  for (const atMs of HOLD_WARNING_THRESHOLDS_MS) if (atMs >= leftMs - WARNINGS_APART_AT_LEAST_MS) given.add(atMs);
  return `${spokenTimeLeft(leftMs)} left to pay for your seats.`;
}

/** Two warnings closer than this are one. */
const WARNINGS_APART_AT_LEAST_MS = 10_000;
