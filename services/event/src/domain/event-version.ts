/**
 * An event's version, for changes made only to the version a client saw: its ETag is its
 * `updatedAt`, quoted (`"2031-12-06T01:30:45.500Z"`) — strictly increasing with every change
 * (edit, publish, cancel), so a client holding only the event's JSON (a list item) can name it.
 * `If-Match` on `PATCH`, `publish` and `cancel` refuses with 412 a change to any other version: an
 * organiser's tab drawn before the draft was put on sale elsewhere cannot cancel the event on sale
 * thinking it a draft, nor an editor opened before another tab's edit undo that edit.
 */
import { InvalidField } from '@stream-seat/platform';

export const eventTag = (updatedAtMs: number): string => `"${new Date(updatedAtMs).toISOString()}"`;

/** An entity-tag as RFC 9110 §8.8.3 writes one: optionally weak, quoted, no quote or control inside. */
const ENTITY_TAG = /^(W\/)?"[\x21\x23-\x7e\x80-\xff]*"$/;

/**
 * Whether an `If-Match` header lets a change to the version tagged `tag` go ahead: absent, `*`, or
 * a list naming `tag` — compared strongly (RFC 9110 §13.1.1: a weak tag never matches). A header
 * that is not a list of entity-tags is a 400 naming it.
 */
export function ifMatchAllows(header: string | undefined, tag: string): boolean {
  if (header === undefined) return true;
  const listed = header.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
  if (listed.length === 1 && listed[0] === '*') return true;
  if (listed.length === 0 || !listed.every((entry) => ENTITY_TAG.test(entry))) {
    throw new InvalidField('if-match', 'must be `*` or a list of entity tags (the event’s ETag: its updatedAt, quoted)');
  }
  return listed.includes(tag);
}
