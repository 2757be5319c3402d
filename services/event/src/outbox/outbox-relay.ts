/**
 * Delivers the outbox to the booking service: polls every `pollMs` and sends undelivered messages
 * oldest first. A message that fails is retried with exponential backoff, and no later message of
 * the same event overtakes it, so the booking service sees each event's messages in the order they
 * were written (a cancellation never before its publication). Other events' messages go past it:
 * one message booking keeps refusing must not hold back every other event's — and their refunds.
 * A pass stops after a few failures, when booking itself is likely down. Only the holder of the
 * relay lease delivers, so several event-service instances keep that order.
 */
import { randomUUID } from 'node:crypto';
import type { CatalogueMessage } from '@stream-seat/contracts';
import { createOutageLog } from '@stream-seat/platform';
import type { FastifyBaseLogger } from 'fastify';
import type { OutboxRepository } from '../db/outbox.repository.js';

/** Sends one message; resolves once the receiver acknowledged it (2xx), throws otherwise. */
export type Deliver = (message: CatalogueMessage) => Promise<void>;

export interface OutboxRelayOptions {
  outbox: OutboxRepository;
  deliver: Deliver;
  pollMs: number;
  /** First retry delay; doubles per attempt up to `maxBackoffMs`. */
  backoffMs?: number;
  maxBackoffMs?: number;
  batchSize?: number;
  /** How long a pass's claim on the relay lease lasts; default: five polls, at least 5 s. */
  leaseMs?: number;
  /** How long a delivered message is kept (for whoever looks into a delivery) before it is removed: 7 days. */
  keepDeliveredMs?: number;
  /** More of the lease holder's housekeeping, run with its hourly removal of delivered messages (expired Idempotency-Keys). */
  alsoHourly?: (now: number) => Promise<void>;
  clock?: () => number;
  log?: Pick<FastifyBaseLogger, 'info' | 'warn' | 'error'>;
}

export interface OutboxRelay {
  start(): void;
  /** Stops polling and waits for a delivery in flight. */
  stop(): Promise<void>;
  /** Runs a delivery pass soon rather than at the next poll (after a commit that wrote a message). */
  nudge(): void;
  /** One delivery pass; resolves with the number of messages delivered. */
  drain(): Promise<number>;
}

/** Failures of different events in one pass after which booking is taken to be down, not one message. */
const FAILURES_PER_PASS = 3;
/** How often the lease holder removes delivered messages past keepDeliveredMs (they had been kept for good). */
const FORGET_EVERY_MS = 3_600_000;

export function backoffDelay(attempts: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, attempts - 1));
}

export function createOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const clock = options.clock ?? Date.now;
  const backoffMs = options.backoffMs ?? 500;
  const maxBackoffMs = options.maxBackoffMs ?? 30_000;
  const batchSize = options.batchSize ?? 50;
  const holder = randomUUID();
  // The lease outlives a few polls, so a crashed holder is replaced within seconds.
  const leaseMs = options.leaseMs ?? Math.max(5_000, options.pollMs * 5);
  const keepDeliveredMs = options.keepDeliveredMs ?? 7 * 86_400_000;
  let forgotAt = Number.NEGATIVE_INFINITY;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;
  let again = false;
  let stopped = true;

  async function pass(): Promise<number> {
    const { outbox } = options;
    if (!(await outbox.claimLease(holder, clock(), leaseMs))) return 0;
    let delivered = 0;
    let failures = 0;
    /** Events with an earlier message still undelivered: their later ones wait. */
    const waiting = new Set<string>();
    for (const row of await outbox.pending(batchSize)) {
      const message = JSON.parse(row.payload_json) as CatalogueMessage;
      if (waiting.has(message.eventId)) continue;
      if (Number(row.next_attempt_at) > clock()) {
        waiting.add(message.eventId);
        continue;
      }
      try {
        await options.deliver(message);
        await outbox.markDelivered(row.seq, clock());
        delivered++;
      } catch (error) {
        const attempts = Number(row.attempts) + 1;
        const retryIn = backoffDelay(attempts, backoffMs, maxBackoffMs);
        const reason = (error as Error).message;
        await outbox.markFailed(row.seq, attempts, clock() + retryIn, reason);
        options.log?.warn({ messageId: row.id, type: row.type, eventId: message.eventId, attempts, retryInMs: retryIn, reason }, 'outbox delivery failed');
        waiting.add(message.eventId);
        if (++failures >= FAILURES_PER_PASS) break;
      }
    }
    if (clock() - forgotAt >= FORGET_EVERY_MS) {
      forgotAt = clock();
      await outbox.forgetDeliveredBefore(forgotAt - keepDeliveredMs);
      await options.alsoHourly?.(forgotAt);
    }
    return delivered;
  }

  /** Passes failing (the database down): said once a minute, not every poll (it had logged a stack trace every poll). */
  const outage = createOutageLog({
    clock,
    onFailing: (error, { failures, failingForMs }) => options.log?.error({ err: error, failedPasses: failures, failingForMs }, 'outbox relay pass failed'),
    onRecovered: ({ failures, failedForMs }) => options.log?.info({ failedPasses: failures, failedForMs }, 'outbox relay passes work again'),
  });

  function drain(): Promise<number> {
    if (running) {
      again = true;
      return running;
    }
    running = pass()
      .then((delivered) => {
        outage.succeeded();
        return delivered;
      })
      .catch((error: unknown) => {
        outage.failed(error);
        return 0;
      })
      .finally(() => {
        running = undefined;
        if (again && !stopped) {
          again = false;
          void drain();
        }
      });
    return running;
  }

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      timer = setInterval(() => void drain(), options.pollMs);
      timer.unref();
      void drain();
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      timer = undefined;
      await running;
      await options.outbox.releaseLease(holder).catch(() => undefined);
    },
    nudge() {
      if (!stopped) void drain();
    },
    drain,
  };
}
