/** Opaque pagination cursors: base64url JSON that clients hand back untouched. */
import { z } from 'zod';
import { InvalidField } from './errors.js';

export function encodeCursor(position: unknown): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

/** Decodes a cursor; anything that is not one of ours is a 400 naming `querystring.cursor`, as the query's other faults are named. */
export function decodeCursor<S extends z.ZodType>(cursor: string | undefined, schema: S): z.output<S> | undefined {
  if (cursor === undefined) return undefined;
  try {
    const parsed = schema.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    if (parsed.success) return parsed.data;
  } catch {
    // fall through to the 400
  }
  throw new InvalidField('querystring.cursor', 'is not a cursor this API issued');
}

/**
 * The parts of a keyset position, as the lists issue them: a time in epoch milliseconds and an id.
 * A cursor holding anything else — another field, a negative or fractional time, 1e308 — is not
 * one of ours (a 400), rather than a position somewhere off the list.
 */
export const cursorTime = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
/** An id as every list's ids are (contracts' entityId): a forged one of other characters is not a position a list gave. */
export const cursorId = z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/);
