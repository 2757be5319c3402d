/**
 * What `?q=` matches: an event's name and its venue's city, folded the same way as the query —
 * Unicode lower case, accents and other marks removed, compatibility forms unified (NFKD) — so
 * that `été`, `ÉTÉ` and `ete` find "Été Festival" on SQLite (whose lower() folds ASCII only) and on
 * MySQL alike.
 */
export function searchKey(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

/** The folded text stored with an event: its name, then its venue's city, on separate lines. */
export function eventSearchText(name: string, city: string | null): string {
  return `${searchKey(name)}\n${searchKey(city ?? '')}`;
}
