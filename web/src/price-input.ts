/** Prices as an organiser types them, in the event's currency, and back. */
// The currencies module alone (no zod): the app's bundle takes only what it uses.
import { minorUnitDigits } from '@stream-seat/contracts/currencies';
import { MAX_PRICE_CENTS } from '@stream-seat/contracts/limits';

/**
 * A price typed in major units ("25", "25.5", "25,50", "1 050") as `currency`'s minor units
 * (2550 cents; ¥1050 has none smaller); undefined when it is not an amount of that currency — more
 * decimals than its minor unit has ("25.505" €, "10.5" ¥), a sign, a letter, past the highest price,
 * or a comma before three digits, which may separate thousands ("1,050" KWD).
 */
export function minorUnitsOf(text: string, currency: string): number | undefined {
  const digits = minorUnitDigits(currency);
  const match = /^(\d+)(?:([.,])(\d+))?$/.exec(text.replace(/[\s\u00a0\u202f]/g, ''));
  if (!match) return undefined;
  const [, whole = '', separator, fraction = ''] = match;
  if (fraction.length > digits) return undefined;
  // "1,050" may be a thousand and fifty: in dinars (three decimals) it is refused, not read as 1.050.
  if (separator === ',' && fraction.length === 3) return undefined;
  const minor = Number(whole) * 10 ** digits + Number(fraction.padEnd(digits, '0') || '0');
  return Number.isSafeInteger(minor) && minor <= MAX_PRICE_CENTS ? minor : undefined;
}

/** A price in minor units as the organiser would type it again: 2550 € → "25.50", ¥1050 → "1050". */
export function priceText(minor: number, currency: string): string {
  const digits = minorUnitDigits(currency);
  return digits === 0 ? String(minor) : (minor / 10 ** digits).toFixed(digits);
}

/** What a price field says it wants: "25.50" for euros, "1050" for yen, "1.050" for dinars. */
export function pricePattern(currency: string): string {
  const digits = minorUnitDigits(currency);
  return digits === 0 ? 'a whole amount, such as 1050' : `an amount such as 25.${'5'.padEnd(digits, '0')}`;
}
