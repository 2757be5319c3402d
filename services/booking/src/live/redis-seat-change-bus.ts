/**
 * Seat changes across booking instances through Redis pub/sub (`REDIS_URL`). A batch is delivered
 * to this instance's listeners at once and published to one channel per event, so the other
 * instances' listeners get it too; the echo that comes back here is a duplicate the sequencer
 * drops. Redis does not promise delivery: order and completeness come from `seq` (see
 * change-sequencer.ts), never from the transport.
 */
import { seatChangeBatch } from '@stream-seat/contracts';
import { Redis } from 'ioredis';
import pTimeout from 'p-timeout';
import { createInProcessSeatChangeBus, type SeatChangeBus } from './seat-change-bus.js';

export interface RedisBusOptions {
  url: string;
  /** Channel prefix, so that several deployments can share one Redis. */
  prefix?: string;
  onError?: (error: unknown) => void;
  /**
   * How long start-up waits for Redis (default 60 s): an instance starting during a fail-over
   * (ElastiCache's takes about a minute) waits for it instead of exiting at once — its replacement
   * would meet the same outage, and each exit counts towards a deploy's circuit breaker.
   */
  connectTimeoutMs?: number;
}

const CONNECT_TIMEOUT_MS = 60_000;

/** Resolves once the client is ready; ioredis reconnects by itself (with backoff) after a failed first attempt. */
async function readyWithin(client: Redis, timeoutMs: number): Promise<void> {
  const ready = new Promise<void>((resolve) => client.once('ready', () => resolve()));
  client.connect().catch(() => undefined);
  await pTimeout(ready, { milliseconds: timeoutMs, message: `Redis did not answer within ${timeoutMs} ms` });
}

export async function createRedisSeatChangeBus(options: RedisBusOptions): Promise<SeatChangeBus> {
  const prefix = options.prefix ?? 'stream-seat:seat-changes:';
  const onError = options.onError ?? (() => undefined);
  const local = createInProcessSeatChangeBus(onError);
  const publisher = new Redis(options.url, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false });
  const subscriber = new Redis(options.url, { lazyConnect: true, maxRetriesPerRequest: null });
  for (const client of [publisher, subscriber]) client.on('error', onError);
  try {
    await Promise.all([publisher, subscriber].map((client) => readyWithin(client, options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS)));
  } catch (error) {
    publisher.disconnect();
    subscriber.disconnect();
    throw error;
  }

  /**
   * Per event listened to here: how many local listeners (the channel is subscribed while any
   * remain) and whether Redis confirmed the SUBSCRIBE (shared by those listeners).
   */
  const channels = new Map<string, { listeners: number; ready: Promise<boolean> }>();
  /** Confirmations still awaited: a lost connection answers them "not confirmed". */
  const awaiting = new Set<(live: boolean) => void>();
  subscriber.on('close', () => {
    for (const settle of awaiting) settle(false);
    awaiting.clear();
  });

  /**
   * Sends the SUBSCRIBE; resolves when Redis acknowledged it (from then on Redis delivers every
   * PUBLISH on the channel here). Not waited for while disconnected: ioredis sends it, and
   * resubscribes, when the connection is back.
   */
  function subscribeChannel(channel: string): Promise<boolean> {
    if (subscriber.status !== 'ready') {
      subscriber.subscribe(channel).catch(onError);
      return Promise.resolve(false);
    }
    return new Promise<boolean>((resolve) => {
      const settle = (live: boolean) => {
        awaiting.delete(settle);
        resolve(live);
      };
      awaiting.add(settle);
      subscriber.subscribe(channel).then(
        () => settle(true),
        (error: unknown) => {
          onError(error);
          settle(false);
        },
      );
    });
  }

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
      const here = local.subscribe(eventId, listener);
      let channel = channels.get(eventId);
      if (!channel) {
        channel = { listeners: 0, ready: subscribeChannel(prefix + eventId) };
        channels.set(eventId, channel);
      }
      channel.listeners++;
      const joined = channel;
      let active = true;
      return {
        ready: joined.ready,
        unsubscribe() {
          if (!active) return;
          active = false;
          here.unsubscribe();
          if (--joined.listeners > 0) return;
          channels.delete(eventId);
          subscriber.unsubscribe(prefix + eventId).catch(onError);
        },
      };
    },
    async close() {
      await local.close();
      await Promise.all([publisher.quit().catch(() => undefined), subscriber.quit().catch(() => undefined)]);
    },
  };
}
