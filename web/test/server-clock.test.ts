import { describe, expect, it } from 'vitest';
import { noteServerDate, serverNow } from '../src/server-clock.js';

describe('the server\'s clock', () => {
  it('is learnt from the gateway\'s answers, never from a copy the service worker kept', () => {
    const hourAhead = new Date(Date.now() + 3_600_000).toUTCString();
    noteServerDate(new Response('{}', { headers: { date: hourAhead } }));
    expect(serverNow() - Date.now()).toBeGreaterThan(3_590_000);
    // Kept a day ago: its Date is when it was kept, not now (offline, a session over had run on).
    noteServerDate(new Response('{}', { headers: { date: new Date(Date.now() - 86_400_000).toUTCString(), 'x-stream-seat-offline': new Date().toISOString() } }));
    expect(serverNow() - Date.now()).toBeGreaterThan(3_590_000);
  });
});
