import { describe, expect, it } from 'vitest';
import { minorUnitsOf, priceText } from '../src/price-input.js';

describe('a price as the organiser types it', () => {
  it('reads major units in the currency\'s own minor unit, with a point or a comma', () => {
    expect(minorUnitsOf('25', 'EUR')).toBe(2500);
    expect(minorUnitsOf('25.5', 'EUR')).toBe(2550);
    expect(minorUnitsOf('25,50', 'EUR')).toBe(2550);
    expect(minorUnitsOf(' 1 050 ', 'JPY')).toBe(1050);
    expect(minorUnitsOf('1.050', 'KWD')).toBe(1050);
    expect(minorUnitsOf('0', 'EUR')).toBe(0);
  });

  it('refuses what is not an amount of that currency rather than round it', () => {
    for (const [text, currency] of [
      ['25.505', 'EUR'], ['10.5', 'JPY'], ['-5', 'EUR'], ['5e3', 'EUR'], ['', 'EUR'], ['.5', 'EUR'], ['25.', 'EUR'], ['1,000.00', 'EUR'], ['abc', 'EUR'], ['1,050', 'KWD'],
    ] as const) {
      expect(minorUnitsOf(text, currency), `${text} ${currency}`).toBeUndefined();
    }
  });

  it('stops at the catalogue\'s highest price (1,000,000.00), however many digits are typed', () => {
    expect(minorUnitsOf('1000000', 'EUR')).toBe(100_000_000);
    expect(minorUnitsOf('1000000.01', 'EUR')).toBeUndefined();
    expect(minorUnitsOf('9'.repeat(40), 'EUR')).toBeUndefined();
  });

  it('writes a price back as it would be typed, and reads it again unchanged', () => {
    for (const [minor, currency, text] of [[2550, 'EUR', '25.50'], [1050, 'JPY', '1050'], [1050, 'KWD', '1.050'], [5, 'USD', '0.05']] as const) {
      expect(priceText(minor, currency)).toBe(text);
      expect(minorUnitsOf(text, currency)).toBe(minor);
    }
  });
});
