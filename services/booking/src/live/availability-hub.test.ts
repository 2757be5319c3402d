import { describe, expect, it } from 'vitest';
import { createAvailabilityHub } from './availability-hub.js';
import { createInProcessSeatChangeBus, type SeatChangeBus } from './seat-change-bus.js';

/** The in-process bus, counting the subscriptions still open on it. */
function countingBus(): SeatChangeBus & { open(): number } {
  const bus = createInProcessSeatChangeBus();
  let open = 0;
  return {
    ...bus,
    subscribe(eventId, listener) {
      const subscription = bus.subscribe(eventId, listener);
      open++;
      return {
        ready: subscription.ready,
        unsubscribe() {
          open--;
          subscription.unsubscribe();
        },
      };
    },
    open: () => open,
  };
}

function hubOn(bus: SeatChangeBus, currentSeq: () => Promise<number>) {
  return createAvailabilityHub({ bus, loadSince: async () => [], currentSeq, ringSize: 16, catchUpIntervalMs: 0 });
}

describe('the availability hub', () => {
  it('subscribes an event once for its first subscriber and lets go after its last', async () => {
    const bus = countingBus();
    const hub = hubOn(bus, async () => 0);
    const seen: number[] = [];
    const [a, b] = await Promise.all([hub.join('ev', (batch) => seen.push(batch.seq)), hub.join('ev', () => undefined)]);
    expect(bus.open()).toBe(1);
    bus.publish({ eventId: 'ev', seq: 1, changes: [] });
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual([1]);
    a.leave();
    expect(bus.open()).toBe(1);
    b.leave();
    expect(bus.open()).toBe(0);
    hub.close();
  });

  it('keeps no subscription behind when it closes while an event is still opening', async () => {
    const bus = countingBus();
    let answer: (seq: number) => void = () => undefined;
    const hub = hubOn(bus, () => new Promise<number>((resolve) => (answer = resolve)));
    const joining = hub.join('ev', () => undefined);
    await new Promise((resolve) => setImmediate(resolve)); // the subscription is made, the seq read pending
    expect(bus.open()).toBe(1);
    hub.close();
    answer(0);
    await expect(joining).rejects.toThrow(/closed/);
    expect(bus.open()).toBe(0);
  });
});
