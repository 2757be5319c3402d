import { describe, expect, it } from 'vitest';
import { createRenewalMeter } from './renewal-meter.js';

describe('the renewal meter', () => {
  it('counts renewals within the last window only', () => {
    const meter = createRenewalMeter(60_000, 1_000);
    const t0 = 1_000_000;
    meter.record(t0);
    meter.record(t0 + 30_000);
    meter.record(t0 + 30_500);
    expect(meter.count(t0 + 59_000)).toBe(3);
    expect(meter.count(t0 + 61_000)).toBe(2);
    expect(meter.count(t0 + 91_000)).toBe(0);
  });

  it('forgets everything after a long silence', () => {
    const meter = createRenewalMeter(60_000, 1_000);
    for (let i = 0; i < 100; i++) meter.record(5_000 + i);
    expect(meter.count(5_000 + 10 * 60_000)).toBe(0);
    meter.record(5_000 + 10 * 60_000);
    expect(meter.count(5_000 + 10 * 60_000)).toBe(1);
  });
});
