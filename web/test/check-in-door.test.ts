import { describe, expect, it } from 'vitest';
import { nearestDoor } from '../src/check-in-door.js';

const at = (time: string) => Date.parse(`2030-06-01T${time}:00Z`);
const matinee = { id: 'matinee', startsAt: '2030-06-01T14:00:00Z' };
const evening = { id: 'evening', startsAt: '2030-06-01T20:00:00Z' };
const nextWeek = { id: 'next-week', startsAt: '2030-06-08T20:00:00Z' };

describe('the check-in desk’s first door', () => {
  it('is the show starting nearest to now: the evening show half an hour before it, though the matinee is under way', () => {
    expect(nearestDoor([matinee, evening, nextWeek], at('19:30'))).toBe('evening');
    expect(nearestDoor([nextWeek, evening, matinee], at('14:30'))).toBe('matinee');
    expect(nearestDoor([matinee, evening, nextWeek], at('09:00'))).toBe('matinee');
  });

  it('keeps a show under way for six hours, then passes on to the next one', () => {
    expect(nearestDoor([matinee, nextWeek], at('19:59'))).toBe('matinee');
    expect(nearestDoor([matinee, nextWeek], at('20:01'))).toBe('next-week');
  });

  it('is none when every show is long past, or there is none', () => {
    expect(nearestDoor([matinee], at('23:00'))).toBeUndefined();
    expect(nearestDoor([], at('12:00'))).toBeUndefined();
  });
});
