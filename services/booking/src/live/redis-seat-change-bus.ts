/**
 * Seat changes across booking instances through Redis pub/sub (`REDIS_URL`). A batch is delivered
 * to this instance's listeners at once and published to one channel per event, so the other
 * instances' listeners get it too; the echo that comes back here is a duplicate the sequencer
 * drops. Redis does not promise delivery: order and completeness come from `seq` (see
 * change-sequencer.ts), never from the transport.
 */
import { seatChangeBatch } from '@stream-seat/contracts';
import { createOutageLog } from '@stream-seat/platform';
import { Redis } from 'ioredis';
import { createInProcessSeatChangeBus, type SeatChangeBus } from './seat-change-bus.js';

export interface RedisBusOptions {
  url: string;
  /** Channel prefix, so that several deployments can share one Redis. */
  prefix?: string;
  /** A listener or a message that failed (not Redis being away: that is `log`'s). */
  onError?: (error: unknown) => void;
  /** Where Redis being away, and back, is said: once an outage, then once a minute (outage-log.ts). */
  log?: { warn(fields: object, message: string): void; info(fields: object, message: string): void };
}

/**
 * Connects in the background and serves at once: while Redis is away (at start, or later) this
 * instance's batches reach its own watchers, and other instances' through the database's
 * catch-up. It had waited up to a minute for Redis before the service listened, then exited with
 * a stack trace — during an outage every restart, deploy or scale-out of booking was lost.
 */
export function createRedisSeatChangeBus(options: RedisBusOptions): SeatChangeBus {
  const prefix = options.prefix ?? 'stream-seat:seat-changes:';
  const onError = options.onError ?? (() => undefined);
  const local = createInProcessSeatChangeBus(onError);
  const outage = createOutageLog({
    onFailing: (error, { failures, failingForMs }) =>
      options.log?.warn({ err: error, failures, failingForMs }, 'Redis unreachable: other instances’ seat changes reach watchers through the database catch-up meanwhile'),
    onRecovered: ({ failures, failedForMs }) => options.log?.info({ failures, failedForMs }, 'Redis answers again: seat changes cross instances through it'),
  });
  // ioredis reconnects by itself, with backoff, after a failed first attempt as after a lost connection.
  const publisher = new Redis(options.url, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false });
  const subscriber = new Redis(options.url, { lazyConnect: true, maxRetriesPerRequest: null });
  const connected = () => publisher.status === 'ready' && subscriber.status === 'ready';
  // One outage for both connections: it ends when both are up (a publish that went through while
  // the subscriber is still away does not end it).
  const succeeded = () => {
    if (connected()) outage.succeeded();
  };
  for (const client of [publisher, subscriber]) {
    client.on('error', (error: unknown) => outage.failed(error));
    client.on('ready', succeeded);
    client.connect().catch(() => undefined);
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
   * PUBLISH on the channel here), false when the connection is lost (or fails) first: ioredis
   * sends it, and resubscribes, when the connection is back.
   */
  function subscribeChannel(channel: string): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const settle = (live: boolean) => {
        awaiting.delete(settle);
        resolve(live);
      };
      awaiting.add(settle);
      subscriber.subscribe(channel).then(
        () => settle(true),
        (error: unknown) => {
          // Refused by a connection that went away: the outage's, not a message's fault.
          outage.failed(error);
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
      publisher.publish(prefix + batch.eventId, JSON.stringify(batch)).then(succeeded, (error: unknown) => outage.failed(error));
    },
    degraded() {
      if (connected()) return undefined;
      const meanwhile = 'other instances’ seat changes reach watchers through the database catch-up';
      return outage.failing ? `Redis unreachable: ${meanwhile}` : `connecting to Redis: ${meanwhile} until then`;
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
          subscriber.unsubscribe(prefix + eventId).catch((error: unknown) => outage.failed(error));
        },
      };
    },
    async close() {
      await local.close();
      // QUIT is queued behind a SUBSCRIBE waiting for a Redis that is away (the service's close
      // then never ended), or refused with no offline queue: a client not connected is just dropped.
      const end = (client: Redis) => (client.status === 'ready' ? client.quit().catch(() => undefined) : client.disconnect());
      await Promise.all([end(publisher), end(subscriber)]);
    },
  };
}
