import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FORGET_MESSAGE, KEEP_HEADER, KEPT_ONLY_HEADER, OFFLINE_HEADER, TICKETS_CACHE_PREFIX } from '../src/offline-copy.js';

// The worker is one file without imports: the names it shares with the app are written in both.
const worker = readFileSync(new URL('../src/service-worker.ts', import.meta.url), 'utf8');

describe('the names the app shares with its service worker', () => {
  it('are the same on both sides', () => {
    expect(worker).toContain(`const OFFLINE_HEADER = '${OFFLINE_HEADER}';`);
    expect(worker).toContain(`const KEEP_HEADER = '${KEEP_HEADER}';`);
    expect(worker).toContain(`const KEPT_ONLY_HEADER = '${KEPT_ONLY_HEADER}';`);
    expect(worker).toContain(`const FORGET_MESSAGE = '${FORGET_MESSAGE}';`);
    expect(worker).toMatch(/const CACHE_PREFIX = 'stream-seat-';/);
    expect(worker).toContain('const TICKETS_CACHE = `${CACHE_PREFIX}tickets-v1`;');
    expect(`stream-seat-tickets-v1`.startsWith(TICKETS_CACHE_PREFIX)).toBe(true);
  });
});
