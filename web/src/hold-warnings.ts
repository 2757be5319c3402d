/**
 * What the page tells a buyer as their hold runs out: nothing shows the countdown to a screen
 * reader on its own (a live region ticking every second would talk over everything), so it says
 * so twice, at two minutes and at thirty seconds left (WCAG 2.2.1: warned before the time ends).
 */
export const HOLD_WARNINGS: ReadonlyArray<{ atMs: number; text: string }> = [
  { atMs: 120_000, text: '2 minutes left to pay for your seats.' },
  { atMs: 30_000, text: '30 seconds left to pay for your seats.' },
];

/**
 * The warning due with `leftMs` left, if one is and has not been given (`given` holds the
 * thresholds already said for this hold, and is added to). Only the latest due is said: a page
 * opened with 20 s left says "30 seconds", not both.
 */
export function holdWarning(leftMs: number, given: Set<number>): string | undefined {
  const due = HOLD_WARNINGS.filter((w) => leftMs > 0 && leftMs <= w.atMs && !given.has(w.atMs));
  for (const w of due) given.add(w.atMs);
  return due.at(-1)?.text;
}
