import { describe, expect, it } from 'vitest';
import { knownCurrency } from './common.js';

describe('event currencies', () => {
  it('take the codes of currencies in circulation, whatever the Node.js build knows', () => {
    for (const code of ['EUR', 'USD', 'JPY', 'CHF', 'VED', 'XCG', 'ZWG', 'SLE']) expect(knownCurrency.safeParse(code).success, code).toBe(true);
  });

  it('refuse withdrawn codes, funds, metals, test codes and codes that name nothing', () => {
    for (const code of ['HRK', 'ZWL', 'SLL', 'XAU', 'XTS', 'XXX', 'CHE', 'ZZZ', 'eur']) expect(knownCurrency.safeParse(code).success, code).toBe(false);
  });
});
