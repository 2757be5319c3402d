/**
 * This instance's live subscribers, grouped by event. The first subscriber of an event starts a
 * sequencer fed by the seat-change bus; each batch it releases (in seq order) goes to every
 * subscriber of the event. A periodic check against the database's current seq catches changes
 * whose message never arrived.
 */
import type { SeatChangeBatch } from '@stream-seat/contracts';
import pTimeout from 'p-timeout';
import type { ChangeLoader, ChangeSequencer } from './change-sequencer.js';
import { createChangeSequencer } from './change-sequencer.js';
import type { SeatChangeBus } from './seat-change-bus.js';

export type Subscriber = (batch: SeatChangeBatch) => void;

export interface AvailabilityHubOptions {
  bus: SeatChangeBus;
  loadSince: ChangeLoader;
  /** The event's current seq in the database. */
  currentSeq: (eventId: string) => Promise<number>;
  ringSize: number;
  /** How often active events are compared with the database; 0 disables it. */
  catchUpIntervalMs: number;
  onRepair?: (eventId: string, missing: number) => void;
  onError?: (error: unknown) => void;
}

interface EventChannel {
  sequencer: ChangeSequencer;
  subscribers: Set<Subscriber>;
  unsubscribe: () => void;
}

export interface Membership {
  sequencer: ChangeSequencer;
  leave(): void;
}

/** How long a new event channel waits for Redis to confirm its subscription (a confirmation takes ~1 ms). */
const SUBSCRIBE_CONFIRM_MS = 5_000;

export function createAvailabilityHub(options: AvailabilityHubOptions) {
  const channels = new Map<string, EventChannel>();
  const opening = new Map<string, Promise<EventChannel>>();
  let closed = false;

  /**
   * Subscribes first and reads the event's seq only once the subscription is live: a change
   * committed after that read is published after it, so it arrives. (Read first, a change made
   * on another instance before Redis had the SUBSCRIBE was lost until the next change or the
   * periodic catch-up.) Batches that come before the sequencer exists wait for it.
   */
  async function open(eventId: string): Promise<EventChannel> {
    const early: SeatChangeBatch[] = [];
    let offer: (batch: SeatChangeBatch) => void = (batch) => early.push(batch);
    const subscription = options.bus.subscribe(eventId, (batch) => offer(batch));
    let startSeq: number;
    try {
      // Not confirmed (Redis unreachable, or silent past the bound): start anyway — a Redis that
      // stops answering must not stall new streams; the next change's gap repair, or the periodic
      // catch-up when it is on, reads what was missed meanwhile.
      await pTimeout(subscription.ready, { milliseconds: SUBSCRIBE_CONFIRM_MS, message: false });
      startSeq = await options.currentSeq(eventId);
    } catch (error) {
      subscription.unsubscribe();
      throw error;
    }
    if (closed) {
      // The hub closed (shutdown) while this channel was opening: keep no subscription behind.
      subscription.unsubscribe();
      throw new Error('the availability hub is closed');
    }
    const subscribers = new Set<Subscriber>();
    const sequencer = createChangeSequencer({
      eventId,
      startSeq,
      load: options.loadSince,
      ringSize: options.ringSize,
      deliver: (batch) => {
        for (const subscriber of subscribers) subscriber(batch);
      },
      onRepair: (missing) => options.onRepair?.(eventId, missing),
      ...(options.onError ? { onError: options.onError } : {}),
    });
    offer = (batch) => sequencer.offer(batch);
    for (const batch of early) sequencer.offer(batch);
    const channel = { sequencer, subscribers, unsubscribe: () => subscription.unsubscribe() };
    channels.set(eventId, channel);
    return channel;
  }

  const timer =
    options.catchUpIntervalMs > 0
      ? setInterval(() => {
          for (const [eventId, channel] of channels) {
            options.currentSeq(eventId).then((seq) => channel.sequencer.catchUp(seq), options.onError);
          }
        }, options.catchUpIntervalMs)
      : undefined;
  timer?.unref();

  return {
    /** Adds a subscriber to an event's changes; batches reach it in strict seq order. */
    async join(eventId: string, subscriber: Subscriber): Promise<Membership> {
      let channel = channels.get(eventId);
      if (!channel) {
        let pending = opening.get(eventId);
        if (!pending) {
          pending = open(eventId).finally(() => opening.delete(eventId));
          opening.set(eventId, pending);
        }
        channel = await pending;
      }
      const joined = channel;
      joined.subscribers.add(subscriber);
      return {
        sequencer: joined.sequencer,
        leave() {
          joined.subscribers.delete(subscriber);
          if (joined.subscribers.size === 0 && channels.get(eventId) === joined) {
            channels.delete(eventId);
            joined.unsubscribe();
          }
        },
      };
    },
    subscriberCount(): number {
      let n = 0;
      for (const channel of channels.values()) n += channel.subscribers.size;
      return n;
    },
    close(): void {
      closed = true;
      if (timer) clearInterval(timer);
      for (const channel of channels.values()) channel.unsubscribe();
      channels.clear();
    },
  };
}
export type AvailabilityHub = ReturnType<typeof createAvailabilityHub>;
