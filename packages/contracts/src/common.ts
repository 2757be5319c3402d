/** Conventions shared by the whole public API: ids, money, time, pagination, problems. */
import { z } from 'zod';
import { ISO_4217_CURRENCIES } from './currencies.js';
import { MAX_ORDER_CENTS, MAX_PRICE_CENTS } from './limits.js';

/**
 * The instants an ISO 8601 date-time with a four-digit year can name in UTC. An offset can push
 * `9999-12-31T23:59:59-23:59` into the year 10000, which `toISOString()` writes as `+010000-…`:
 * accepted, it would be stored and then fail every response that shows it.
 */
const FIRST_INSTANT = Date.parse('0000-01-01T00:00:00.000Z');
const LAST_INSTANT = Date.parse('9999-12-31T23:59:59.999Z');
export const isoDateTime = z.iso
  // A malformed date stops here: the range check below would add a second, misleading message.
  .datetime({ offset: true, abort: true })
  .refine((value) => {
    const instant = Date.parse(value);
    return instant >= FIRST_INSTANT && instant <= LAST_INSTANT;
  }, 'must fall within the years 0000–9999 once converted to UTC')
  .describe('ISO 8601 date-time');
export const currency = z
  .string()
  .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR')
  .describe('ISO 4217 currency');
/** A currency a client gives: one in circulation (ZZZ has the shape but is none). */
export const knownCurrency = currency.refine((code) => ISO_4217_CURRENCIES.has(code), 'is not the ISO 4217 code of a currency in circulation');
export const cents = z.number().int().min(0).max(MAX_PRICE_CENTS).describe('money in minor units');
export const orderCents = z.number().int().min(0).max(MAX_ORDER_CENTS).describe('a total in minor units');
export const entityId = z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/, 'must be letters, digits, _ or -');

/**
 * Characters that show nothing: Unicode's default-ignorable ones (zero-width space, joiners, Hangul
 * fillers, unassigned format characters such as U+2065), other format characters, separators,
 * lone combining marks, and the blank Braille cell.
 */
const INVISIBLE = /[\p{Default_Ignorable_Code_Point}\p{Cf}\p{Z}\p{M}\u2800]/gu;

/** No bidirectional overrides or isolates: they make a text display as another. */
export const withoutBidiOverrides = (text: string) => !/[\u202A-\u202E\u2066-\u2069]/u.test(text);

/**
 * What one line of text people type never holds: control characters, line and paragraph
 * separators (U+2028, U+2029: a name broken over lines), lone surrogates (stored, one comes back
 * as U+FFFD), noncharacters (U+FFFE, U+FDD0…: never text), and a byte order mark (U+FEFF: left
 * over from a file, invisible).
 */
const NOT_ONE_LINE_OF_TEXT = /[\p{Cc}\p{Cs}\p{Zl}\p{Zp}\p{Noncharacter_Code_Point}\uFEFF]/u;

/**
 * Text people type (names, cities): one line of text (NOT_ONE_LINE_OF_TEXT), no bidirectional
 * overrides (they make a name display as another), and at least one character that shows (a name
 * of zero-width spaces looks like no name at all).
 */
export const humanText = (max: number) =>
  z
    .string()
    .trim()
    // One message for a name of spaces (it had been zod's "Too small: expected string to have
    // >=1 characters" and "must contain a visible character", joined).
    .min(1, { message: 'must contain a visible character', abort: true })
    .max(max)
    .refine((text) => !NOT_ONE_LINE_OF_TEXT.test(text) && withoutBidiOverrides(text), {
      message: 'must not contain control characters, line breaks, noncharacters, byte order marks, lone surrogates or bidirectional overrides',
      abort: true, // one problem per field: a lone override is not also "nothing visible"
    })
    .refine((text) => text.replace(INVISIBLE, '').length > 0, 'must contain a visible character');

/** A POST that takes no body: none, or `{}`; a field in it is named as unknown, not ignored. */
export const noBody = z.strictObject({}).nullish();

/**
 * A whole number in a query string, written in decimal digits: `Number()` alone would also take
 * `0x10`, `1e1`, ` 16 ` and the empty string. Documented as an integer. For a default, add
 * `.prefault('20')`: a prefault is parsed like a value sent, so it is given (and documented) as text.
 */
export const queryInteger = (min: number, max: number) =>
  z
    .string()
    .regex(/^[0-9]+$/, 'must be a whole number in decimal digits')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max))
    // The regex is how text is read; what the parameter means is an integer.
    .meta({ type: 'integer', minimum: min, maximum: max, pattern: undefined });

export const paginationQuery = z.strictObject({
  limit: queryInteger(1, 100).prefault('20'),
  cursor: z.string().max(512).optional(),
});

export function page<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

export const problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
  })
  .loose();
export type ProblemJson = z.infer<typeof problem>;

const problemDescriptions = {
  400: 'Bad input: the problem names the field',
  401: 'No valid bearer token',
  402: 'The payment was declined; the hold is kept',
  403: 'The caller’s role does not allow this',
  404: 'Not found, or not the caller’s',
  409: 'In conflict with the current state',
  410: 'The hold has expired or was released',
  412: 'If-Match named another version than the current one',
  422: 'The Idempotency-Key was used with another body',
  504: 'The payment provider did not answer in time; the hold is kept',
} as const;
type ProblemStatus = keyof typeof problemDescriptions;
interface ProblemResponse {
  description: string;
  content: { 'application/problem+json': { schema: typeof problem } };
}

/** The problem+json answers a route declares, for its OpenAPI document: `...problemResponses(400, 404)`. */
export function problemResponses<S extends ProblemStatus>(...statuses: S[]): Record<S, ProblemResponse> {
  const responses = {} as Record<S, ProblemResponse>;
  for (const status of statuses) {
    responses[status] = { description: problemDescriptions[status], content: { 'application/problem+json': { schema: problem } } };
  }
  return responses;
}

/** `If-Match`: the change is made only to the version named (an ETag as served; `*` for any). */
export const ifMatchHeader = z.object({
  'if-match': z.string().max(2000).optional(),
});

export const idempotencyKeyHeader = z.object({
  'idempotency-key': z.string().min(1).max(200).optional(),
});
