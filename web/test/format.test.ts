import { afterAll, describe, expect, it } from 'vitest';

// The formatters are made when the module loads, in the zone of that moment.
const zoneBefore = process.env['TZ'];
process.env['TZ'] = 'America/New_York';
const { dateTime, money } = await import('../src/format.js');
afterAll(() => {
  if (zoneBefore === undefined) delete process.env['TZ'];
  else process.env['TZ'] = zoneBefore;
});

describe('a show\'s date and time', () => {
  it('names the reader\'s zone, summer time included', () => {
    // 18:30 UTC is 14:30 in New York in July (EDT, UTC-4) and 13:30 in January (EST, UTC-5),
    // on a 12- or a 24-hour clock as the machine's language writes it.
    expect(dateTime('2030-07-01T18:30:00Z')).toMatch(/\b(2|14):30\b.*(EDT|GMT-4)$/);
    expect(dateTime('2030-01-01T18:30:00Z')).toMatch(/\b(1|13):30\b.*(EST|GMT-5)$/);
  });
});

describe('money', () => {
  const as = (amount: number, currency: string, digits: number) =>
    new Intl.NumberFormat(undefined, { style: 'currency', currency, minimumFractionDigits: digits, maximumFractionDigits: digits }).format(amount);

  it('reads amounts in each currency\'s own minor unit: cents, no yen smaller than one, fils of a thousandth', () => {
    expect(money(1050, 'EUR')).toBe(as(10.5, 'EUR', 2));
    // Before: ¥11 a seat and ¥21 for two, where the hold's total was 2,100.
    expect(money(2100, 'JPY')).toBe(as(2100, 'JPY', 0));
    expect(money(1050, 'KWD')).toBe(as(1.05, 'KWD', 3));
  });
});
