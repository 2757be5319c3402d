/** Delivers a catalogue message to the booking service: POST /internal/catalogue-messages, 2xx = acknowledged. */
import type { CatalogueMessage } from '@stream-seat/contracts';
import { outgoingTraceHeaders } from '@stream-seat/platform';
import { request } from 'undici';
import type { Deliver } from './outbox-relay.js';

export const CATALOGUE_MESSAGES_PATH = '/internal/catalogue-messages';

/**
 * How long an instance that failed a delivery (no answer in time, no connection, a 5xx) is tried
 * only after the others. The registry drops a frozen instance only once its lease lapses (up to
 * ~90 s on Eureka's defaults); meanwhile every message in its turn had waited out the timeout there.
 */
export const INSTANCE_COOL_OFF_MS = 30_000;

export interface HttpDeliveryOptions {
  /** Base URLs to try in order (from the registry: the booking instances, next in turn first). */
  targets: () => string[];
  timeoutMs: number;
  /** The shared SERVICE_TOKEN booking demands on `/internal/*`. */
  serviceToken: string;
  coolOffMs?: number;
  clock?: () => number;
}

export function createHttpDelivery({ targets, timeoutMs, serviceToken, coolOffMs = INSTANCE_COOL_OFF_MS, clock = Date.now }: HttpDeliveryOptions): Deliver {
  const headers: Record<string, string> = { 'content-type': 'application/json', authorization: `Bearer ${serviceToken}` };
  /** Instances that failed lately, and until when they go last. */
  const failedUntil = new Map<string, number>();
  /** The targets in turn, those that failed lately after the others (still tried: they may be all there is). */
  const inOrder = (urls: string[]) => {
    const now = clock();
    for (const [url, until] of failedUntil) if (until <= now) failedUntil.delete(url);
    return [...urls.filter((url) => !failedUntil.has(url)), ...urls.filter((url) => failedUntil.has(url))];
  };
  return async (message: CatalogueMessage) => {
    const urls = inOrder(targets());
    if (urls.length === 0) throw new Error('no booking instance is registered');
    const failures: string[] = [];
    for (const base of urls) {
      try {
        const response = await request(base + CATALOGUE_MESSAGES_PATH, {
          method: 'POST',
          // Background work: each delivery starts a trace of its own, which booking's log lines carry.
          headers: { ...headers, ...outgoingTraceHeaders() },
          body: JSON.stringify(message),
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
        });
        await response.body.dump();
        if (response.statusCode >= 200 && response.statusCode < 300) {
          failedUntil.delete(base);
          return;
        }
        failures.push(`${base} answered ${response.statusCode}`);
        // A refusal of the message (4xx) is not the instance's failing: another would refuse it too.
        if (response.statusCode >= 500) failedUntil.set(base, clock() + coolOffMs);
      } catch (error) {
        failures.push(`${base}: ${(error as Error).message}`);
        failedUntil.set(base, clock() + coolOffMs);
      }
    }
    throw new Error(failures.join('; '));
  };
}
