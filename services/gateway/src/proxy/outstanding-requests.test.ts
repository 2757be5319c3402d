import type { InstanceAddress } from '@stream-seat/platform';
import { describe, expect, it } from 'vitest';
import { createOutstandingRequests } from './outstanding-requests.js';

const instance = (instanceId: string) => ({ instanceId, app: 'BOOKING-SERVICE', host: '127.0.0.1', port: 1, url: 'http://127.0.0.1:1' }) as InstanceAddress;

describe('outstanding requests', () => {
  it('orders instances by requests not answered yet, keeping the balancer’s turn among equals', async () => {
    const outstanding = createOutstandingRequests();
    const [a, b, c] = [instance('a'), instance('b'), instance('c')];
    expect(outstanding.order([b, a, c]).map((i) => i.instanceId)).toEqual(['b', 'a', 'c']);
    let answer: () => void = () => undefined;
    const hung = outstanding.track('b', () => new Promise<void>((resolve) => (answer = resolve)));
    expect(outstanding.count('b')).toBe(1);
    expect(outstanding.order([b, a, c]).map((i) => i.instanceId)).toEqual(['a', 'c', 'b']);
    answer();
    await hung;
    expect(outstanding.count('b')).toBe(0);
    expect(outstanding.order([b, a, c]).map((i) => i.instanceId)).toEqual(['b', 'a', 'c']);
  });

  it('counts a request that failed as answered', async () => {
    const outstanding = createOutstandingRequests();
    await expect(outstanding.track('a', () => Promise.reject(new Error('refused')))).rejects.toThrow('refused');
    expect(outstanding.count('a')).toBe(0);
  });
});
