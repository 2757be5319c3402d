/**
 * The API's bounds as plain numbers, without zod: the schemas are built from them, and the web
 * app's forms hold to the same ones (`@stream-seat/contracts/limits`) rather than copies that
 * could drift apart.
 */

/** A price: at most 1,000,000.00 in major units (¥100,000,000: yen have no minor unit). */
export const MAX_PRICE_CENTS = 100_000_000;
/**
 * The most one hold or order may cost: 10,000,000.00 in major units, within a 32-bit column. The
 * catalogue keeps every event's highest price × maxSeatsPerOrder under it, and booking checks it
 * again before it holds a seat.
 */
export const MAX_ORDER_CENTS = 1_000_000_000;
/** Seats and standing places of one venue. */
export const MAX_VENUE_SEATS = 100_000;
/** Sections of one venue's layout. */
export const MAX_SECTIONS = 200;
/** Rows of one seated section. */
export const MAX_ROWS_PER_SECTION = 500;
/** Seats of one row. */
export const MAX_SEATS_PER_ROW = 1_000;
/** A section id's length (it starts every seat id: `ORCH-A-12`). */
export const MAX_SECTION_ID_LENGTH = 16;
/** A row label's length. */
export const MAX_ROW_LABEL_LENGTH = 8;
/** A tier's name's length. */
export const MAX_TIER_NAME_LENGTH = 32;
/** A character of section ids, row labels and tiers: a letter, a digit or `_` (no `-`, which joins a seat id's parts). */
export const NAME_CHARACTER = '[A-Za-z0-9_]';
/** What section ids, row labels and tiers are made of. */
export const NAME_CHARACTERS = new RegExp(`^${NAME_CHARACTER}+$`);
/** Seats one order of an event may take (its `maxSeatsPerOrder`). */
export const MAX_SEATS_PER_ORDER = 100;
/** The events list's search words (`q`). */
export const MAX_SEARCH_LENGTH = 100;
