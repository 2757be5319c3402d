import { afterAll, describe, expect, it } from 'vitest';
import { eventsQuery, searchHash, searchOf, searching } from '../src/event-search.js';

// Days are the reader's: these run in a zone with summer time.
const zoneBefore = process.env['TZ'];
process.env['TZ'] = 'Europe/Paris';
afterAll(() => {
  if (zoneBefore === undefined) delete process.env['TZ'];
  else process.env['TZ'] = zoneBefore;
});

const NOW = Date.parse('2031-06-10T12:00:00Z');

describe('the events page\'s search', () => {
  it('reads its address, leaving out what is malformed', () => {
    expect(searchOf({ q: '  Été ', from: '2031-07-01', to: '2031-07-31' })).toEqual({ q: 'Été', fromDate: '2031-07-01', toDate: '2031-07-31' });
    expect(searchOf({ from: '2031-13-45', to: 'tomorrow' })).toEqual({ q: '', fromDate: '', toDate: '' });
    expect(searchOf({ q: 'x'.repeat(500) }).q).toHaveLength(100);
    expect(searching(searchOf({}))).toBe(false);
  });

  it('writes an address that reads back to the same search, and none for no search', () => {
    const search = { q: 'rock & roll', fromDate: '2031-07-01', toDate: '' };
    expect(searchHash(search)).toBe('#/?q=rock+%26+roll&from=2031-07-01');
    expect(searchOf(Object.fromEntries(new URLSearchParams(searchHash(search).slice(3))))).toEqual(search);
    expect(searchHash({ q: ' ', fromDate: '', toDate: '' })).toBe('#/');
  });

  it('asks the API for events on sale from the first day\'s midnight to the end of the last, in the reader\'s zone, never before now', () => {
    const query = new URLSearchParams(eventsQuery({ q: 'ete', fromDate: '2031-07-01', toDate: '2031-07-31' }, NOW) ?? '');
    expect(Object.fromEntries(query)).toEqual({ status: 'ON_SALE', from: '2031-06-30T22:00:00.000Z', to: '2031-07-31T22:00:00.000Z', q: 'ete' });
    // A first day already begun: from now, not from its midnight.
    expect(new URLSearchParams(eventsQuery({ q: '', fromDate: '2031-06-10', toDate: '' }, NOW)).get('from')).toBe('2031-06-10T12:00:00.000Z');
    expect(Object.fromEntries(new URLSearchParams(eventsQuery({ q: '', fromDate: '', toDate: '' }, NOW)))).toEqual({ status: 'ON_SALE', from: '2031-06-10T12:00:00.000Z' });
  });

  it('leaves out days that are not in the calendar or that the API could not take, and cuts words by characters', () => {
    // It had been taken as 3 March.
    expect(searchOf({ from: '2031-02-31' }).fromDate).toBe('');
    expect(searchOf({ from: '2032-02-29' }).fromDate).toBe('2032-02-29');
    expect(searchOf({ to: '9999-12-31', from: '0000-01-01' })).toEqual({ q: '', fromDate: '', toDate: '' });
    const clef = '\u{1D11E}';
    expect(searchOf({ q: `${'x'.repeat(99)}${clef}` }).q).toBe(`${'x'.repeat(99)}${clef}`);
    expect(searchOf({ q: `${'x'.repeat(100)}${clef}` }).q).toBe('x'.repeat(100));
  });

  it('asks nothing of the API for days that end before they begin, or before now', () => {
    expect(eventsQuery({ q: '', fromDate: '2031-12-31', toDate: '2031-12-01' }, NOW)).toBeUndefined();
    expect(eventsQuery({ q: '', fromDate: '', toDate: '2020-01-01' }, NOW)).toBeUndefined();
    expect(eventsQuery({ q: '', fromDate: '', toDate: '2031-06-10' }, NOW)).toBeDefined();
  });
});
