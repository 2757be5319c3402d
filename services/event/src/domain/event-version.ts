/**
 * An event's version, for changes made only to the version a client saw: its ETag is its
 * `updatedAt`, quoted (eventVersionTag, shared with the web app) — strictly increasing with every
 * change (edit, publish, cancel). `If-Match` on `PATCH`, `publish` and `cancel` refuses with 412 a
 * change to any other version: an organiser's tab drawn before the draft was put on sale elsewhere
 * cannot cancel the event on sale thinking it a draft, nor an editor opened before another tab's
 * edit undo that edit.
 */
import { eventVersionTag } from '@stream-seat/contracts/event-version';
import { InvalidField } from '@stream-seat/platform';

export const eventTag = (updatedAtMs: number): string => eventVersionTag(new Date(updatedAtMs).toISOString());

/** What an `If-Match` header asks: nothing (absent), any version (`*`), or one of these entity-tags. */
export type IfMatch = undefined | '*' | readonly string[];

/** One entity-tag of a list (RFC 9110 §8.8.3: optionally weak, quoted, no quote or control inside), and the comma after it. */
const LISTED_TAG = /[ \t]*((?:W\/)?"[\x21\x23-\x7e\x80-\xff]*")[ \t]*(?:,|$)/y;

/**
 * The header read: a list of entity-tags (a comma inside a tag's quotes is the tag's), or `*`
 * alone. Anything else is a 400 naming it — before the request is looked at further, so that a
 * malformed header is refused whatever the event's state.
 */
export function parseIfMatch(header: string | undefined): IfMatch {
  if (header === undefined) return undefined;
  if (header.trim() === '*') return '*';
  const tags: string[] = [];
  LISTED_TAG.lastIndex = 0;
  while (LISTED_TAG.lastIndex < header.length) {
    const at = LISTED_TAG.lastIndex;
    const listed = LISTED_TAG.exec(header);
    if (!listed || LISTED_TAG.lastIndex === at) break;
    tags.push(listed[1] as string);
  }
  if (tags.length === 0 || LISTED_TAG.lastIndex < header.length) {
    throw new InvalidField('if-match', 'must be `*` or a list of entity tags (the event’s ETag: its updatedAt, quoted)');
  }
  return tags;
}

/** Whether a change to the version tagged `tag` may go ahead: compared strongly (RFC 9110 §13.1.1: a weak tag never matches). */
export function ifMatchAllows(condition: IfMatch, tag: string): boolean {
  return condition === undefined || condition === '*' || condition.includes(tag);
}
