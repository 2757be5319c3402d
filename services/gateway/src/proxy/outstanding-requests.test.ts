import type { InstanceAddress } from '@stream-seat/platform';
import { describe, expect, it } from 'vitest';
import { createOutstandingRequests, STALLED_AFTER_MS } from './outstanding-requests.js';

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

  it('takes a request that failed off the count', async () => {
    const outstanding = createOutstandingRequests();
    await expect(outstanding.track('a', () => Promise.reject(new Error('refused')))).rejects.toThrow('refused');
    expect(outstanding.count('a')).toBe(0);
  });

  it('tries an instance that has answered nothing for a while after every instance that answers, however busy they are', async () => {
    let now = 0;
    const outstanding = createOutstandingRequests(() => now);
    const [a, b] = [instance('a'), instance('b')];
    // b froze with one request; a serves three at a time, answering them as it goes.
    void outstanding.track('b', () => new Promise<void>(() => undefined));
    const answers: Array<() => void> = [];
    const serve = () => outstanding.track('a', () => new Promise<void>((resolve) => answers.push(resolve)));
    const inFlight = [serve(), serve(), serve()];
    expect(outstanding.order([a, b]).map((i) => i.instanceId)).toEqual(['b', 'a']);
    now += STALLED_AFTER_MS / 2;
    answers.shift()?.();
    await inFlight.shift();
    inFlight.push(serve());
    now += STALLED_AFTER_MS / 2;
    // a has three outstanding, b one: by count alone b came first, and the request hung there.
    expect(outstanding.stalled('b')).toBe(true);
    expect(outstanding.stalled('a')).toBe(false);
    expect(outstanding.order([b, a]).map((i) => i.instanceId)).toEqual(['a', 'b']);
    for (const answer of answers) answer();
    await Promise.all(inFlight);
  });

  it('counts a failed request (a timeout) as no sign of life, and orders stalled instances by their outstanding requests too', async () => {
    let now = 0;
    const outstanding = createOutstandingRequests(() => now);
    const [a, b, c] = [instance('a'), instance('b'), instance('c')];
    // b froze with two requests, c with one; a serves.
    for (const id of ['b', 'b', 'c']) void outstanding.track(id, () => new Promise<void>(() => undefined));
    now += STALLED_AFTER_MS;
    // One more to b times out: it was not heard from for all that.
    await expect(outstanding.track('b', () => Promise.reject(new Error('headers timeout')))).rejects.toThrow('headers timeout');
    expect(outstanding.stalled('b')).toBe(true);
    expect(outstanding.order([b, c, a]).map((i) => i.instanceId)).toEqual(['a', 'c', 'b']);
  });
});
