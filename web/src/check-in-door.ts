/**
 * Which show's door the check-in desk starts at: the one whose start is nearest to now, among
 * those to come and those under way (started in the last six hours). At 19:30 with a 14:00 matinee
 * and a 20:00 evening show, the evening's; at 14:30, the matinee's. None of them (every show long
 * past): none, and the desk checks in for any of the organiser's shows.
 */
export const SHOW_UNDER_WAY_MS = 6 * 3_600_000;

export function nearestDoor(shows: ReadonlyArray<{ id: string; startsAt: string }>, now: number): string | undefined {
  let best: { id: string; distance: number } | undefined;
  for (const show of shows) {
    const start = Date.parse(show.startsAt);
    if (start < now - SHOW_UNDER_WAY_MS) continue;
    const distance = Math.abs(start - now);
    if (!best || distance < best.distance) best = { id: show.id, distance };
  }
  return best?.id;
}
