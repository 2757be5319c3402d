// How event search folds text, shared by the event service (`?q=`, the stored search text) and the
// web app (the organiser's own list, filtered in the page): one folding, so that a word finds the
// same events in both.

/**
 * What a search matches: an event's name and its venue's city, folded the same way as the query —
 * Unicode lower case, accents and other marks removed, compatibility forms unified (NFKD) — so
 * that `été`, `ÉTÉ` and `ete` find "Été Festival" on SQLite (whose lower() folds ASCII only) and on
 * MySQL alike.
 */
export function searchKey(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

/**
 * The words a query looks for, each of which must be in the name or the city: folded as stored,
 * apart at whitespace and at apostrophes of any kind — so "d'ete", "d’été" and "ete d" all find
 * "Nuits d’été", and "festival  jazz" (two spaces, another order) finds "Jazz Festival". A word
 * holds no line break, so none matches across the name and the city. Other punctuation stays part
 * of the word (`%`, `AC/DC`).
 */
export function searchWords(query: string): string[] {
  return searchKey(query)
    .split(/[\s'\u2018\u2019\u02bc\u0060\u00b4]+/u)
    .filter((word) => word !== '');
}
