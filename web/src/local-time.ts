/**
 * Instants as a `datetime-local` field shows them: the wall-clock time of the organiser's own zone
 * (the field has no zone of its own), and back to the instant the API takes.
 */

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** "2026-12-01T20:30": the instant in this browser's zone, to the minute, as the field's value. */
export function localFieldValue(iso: string): string {
  const at = new Date(iso);
  return `${pad(at.getFullYear(), 4)}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T${pad(at.getHours())}:${pad(at.getMinutes())}`;
}

/**
 * The instant a field's value names in this browser's zone, as ISO 8601 in UTC; undefined for an
 * empty or malformed value. (`new Date` reads a date-time without an offset as local time; one
 * that falls in a spring-forward gap is taken an hour on, as the browser's own clock would.)
 */
export function instantOfLocal(value: string): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/.test(value)) return undefined;
  const at = new Date(value);
  return Number.isNaN(at.getTime()) ? undefined : at.toISOString();
}

/** "UTC+01:00": the offset this browser's zone has at `iso` (or now), said beside a time field. */
export function zoneOffsetLabel(iso?: string): string {
  const minutes = -new Date(iso ?? Date.now()).getTimezoneOffset();
  const sign = minutes < 0 ? '-' : '+';
  return `UTC${sign}${pad(Math.floor(Math.abs(minutes) / 60))}:${pad(Math.abs(minutes) % 60)}`;
}

/** "America/New_York": the zone this browser's clock is set to. */
export function zoneName(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}
