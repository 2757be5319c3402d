import { afterAll, describe, expect, it } from 'vitest';

// The formatters are made when the module loads, in the zone of that moment.
const zoneBefore = process.env['TZ'];
process.env['TZ'] = 'America/New_York';
const { dateTime } = await import('../src/format.js');
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
