import { describe, expect, it } from 'vitest';
import { salesNotice, salesState } from '../src/sales-window.js';

const at = (iso: string) => Date.parse(iso);
const event = { startsAt: '2030-06-01T20:00:00Z', salesStartAt: '2030-05-01T09:00:00Z', salesEndAt: '2030-06-01T18:00:00Z' };

describe('an event\'s sales window', () => {
  it('is before its start, open from it, and over at its end', () => {
    expect(salesState(event, at('2030-05-01T08:59:59Z'))).toEqual({ kind: 'before', opensAt: '2030-05-01T09:00:00Z' });
    expect(salesState(event, at('2030-05-01T09:00:00Z'))).toEqual({ kind: 'open' });
    expect(salesState(event, at('2030-06-01T17:59:59Z'))).toEqual({ kind: 'open' });
    expect(salesState(event, at('2030-06-01T18:00:00Z'))).toEqual({ kind: 'over' });
  });

  it('ends when the event starts, whatever its end says, and is open without a start', () => {
    const late = { startsAt: '2030-06-01T20:00:00Z', salesStartAt: null, salesEndAt: '2030-06-02T00:00:00Z' };
    expect(salesState(late, at('2020-01-01T00:00:00Z'))).toEqual({ kind: 'open' });
    expect(salesState(late, at('2030-06-01T20:00:00Z'))).toEqual({ kind: 'over' });
    expect(salesState({ ...late, salesEndAt: null }, at('2030-06-01T19:59:59Z'))).toEqual({ kind: 'open' });
  });

  it('is said the same way on the events list and the event page: when sales open, or that they are over', () => {
    expect(salesNotice({ kind: 'before', opensAt: '2030-05-01T09:00:00Z' })).toMatch(/^Sales open .*2030/);
    expect(salesNotice({ kind: 'over' })).toBe('Sales for this event are over');
    expect(salesNotice({ kind: 'open' })).toBeUndefined();
  });
});
