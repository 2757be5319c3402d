import { describe, expect, it } from 'vitest';
import { knownCurrency } from './common.js';
import { majorUnitsText } from './currencies.js';

describe('event currencies', () => {
  it('take the codes of currencies in circulation, whatever the Node.js build knows', () => {
    for (const code of ['EUR', 'USD', 'JPY', 'CHF', 'VED', 'XCG', 'ZWG', 'SLE']) expect(knownCurrency.safeParse(code).success, code).toBe(true);
  });

  it('refuse withdrawn codes, funds, metals, test codes and codes that name nothing', () => {
    for (const code of ['HRK', 'ZWL', 'SLL', 'XAU', 'XTS', 'XXX', 'CHE', 'ZZZ', 'eur']) expect(knownCurrency.safeParse(code).success, code).toBe(false);
  });
});

describe('an amount said in a message', () => {
  it('is in major units, grouped, with the currency\'s code, in each currency\'s own minor unit', () => {
    expect(majorUnitsText(100_000_000, 'EUR')).toBe('1,000,000.00 EUR');
    expect(majorUnitsText(100_000_000, 'JPY')).toBe('100,000,000 JPY');
    expect(majorUnitsText(1_050, 'KWD')).toBe('1.050 KWD');
  });
});
