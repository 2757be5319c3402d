import { afterAll, describe, expect, it } from 'vitest';
import { instantOfLocal, localFieldValue, zoneName, zoneOffsetLabel } from '../src/local-time.js';

// The field shows the organiser's wall clock: these run in a zone with summer time.
const zoneBefore = process.env['TZ'];
process.env['TZ'] = 'Europe/Paris';
afterAll(() => {
  if (zoneBefore === undefined) delete process.env['TZ'];
  else process.env['TZ'] = zoneBefore;
});

describe('a datetime-local field\'s time', () => {
  it('is the instant in the organiser\'s zone, summer time included, and reads back to it', () => {
    expect(localFieldValue('2030-07-01T18:30:00Z')).toBe('2030-07-01T20:30');
    expect(localFieldValue('2030-01-01T18:30:00Z')).toBe('2030-01-01T19:30');
    expect(instantOfLocal('2030-07-01T20:30')).toBe('2030-07-01T18:30:00.000Z');
    expect(instantOfLocal('2030-01-01T19:30')).toBe('2030-01-01T18:30:00.000Z');
  });

  it('names the zone\'s offset at that instant', () => {
    expect(zoneOffsetLabel('2030-07-01T18:30:00Z')).toBe('UTC+02:00');
    expect(zoneOffsetLabel('2030-01-01T18:30:00Z')).toBe('UTC+01:00');
    expect(zoneName()).toBe('Europe/Paris');
  });

  it('is nothing when the field is empty or holds no date-time', () => {
    expect(instantOfLocal('')).toBeUndefined();
    expect(instantOfLocal('2030-13-45T25:99')).toBeUndefined();
    expect(instantOfLocal('tomorrow')).toBeUndefined();
  });
});
