/**
 * Seat changes across booking instances through Redis pub/sub (`REDIS_URL`). A batch is delivered
 * to this instance's listeners at once and published to one channel per event, so the other
 * instances' listeners get it too; the echo that comes back here is a duplicate the sequencer
 * drops. Redis does not promise delivery: order and completeness come from `seq` (see
 * change-sequencer.ts), never from the transport.
 */
import { seatChangeBatch } from '@stream-seat/contracts';
import { Redis } from 'ioredis';
import { createInProcessSeatChangeBus, type SeatChangeBus } from './seat-change-bus.js';

export interface RedisBusOptions {
  url: string;
  /** Channel prefix, so that several deployments can share one Redis. */
  prefix?: string;
  onError?: (error: unknown) => void;
}

export async function createRedisSeatChangeBus(options: RedisBusOptions): Promise<SeatChangeBus> {
  const prefix = options.prefix ?? 'stream-seat:seat-changes:';
  const onError = options.onError ?? (() => undefined);
  const local = createInProcessSeatChangeBus(onError);
  const publisher = new Redis(options.url, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false });
  const subscriber = new Redis(options.url, { lazyConnect: true, maxRetriesPerRequest: null });
  for (const client of [publisher, subscriber]) client.on('error', onError);
  await Promise.all([publisher.connect(), subscriber.connect()]);

  /** Local listener count per event: the channel is subscribed while anyone here listens. */
  const listening = new Map<string, number>();

  subscriber.on('message', (channel: string, message: string) => {
    if (!channel.startsWith(prefix)) return;
    try {
      local.publish(seatChangeBatch.parse(JSON.parse(message)));
    } catch (error) {
      onError(error);
    }
  });

  return {
    publish(batch) {
      local.publish(batch);
      publisher.publish(prefix + batch.eventId, JSON.stringify(batch)).catch(onError);
    },
    subscribe(eventId, listener) {
      const unsubscribe = local.subscribe(eventId, listener);
      const count = (listening.get(eventId) ?? 0) + 1;
      listening.set(eventId, count);
      if (count === 1) subscriber.subscribe(prefix + eventId).catch(onError);
      let active = true;
      return () => {
        if (!active) return;
        active = false;
        unsubscribe();
        const left = (listening.get(eventId) ?? 1) - 1;
        if (left > 0) {
          listening.set(eventId, left);
          return;
        }
        listening.delete(eventId);
        subscriber.unsubscribe(prefix + eventId).catch(onError);
      };
    },
    async close() {
      await local.close();
      await Promise.all([publisher.quit().catch(() => undefined), subscriber.quit().catch(() => undefined)]);
    },
  };
}
