/** Delivers a catalogue message to the booking service: POST /internal/catalogue-messages, 2xx = acknowledged. */
import type { CatalogueMessage } from '@stream-seat/contracts';
import { outgoingTraceHeaders } from '@stream-seat/platform';
import { request } from 'undici';
import type { Deliver } from './outbox-relay.js';

export const CATALOGUE_MESSAGES_PATH = '/internal/catalogue-messages';

export interface HttpDeliveryOptions {
  /** Base URLs to try in order (from the registry: the booking instances, next in turn first). */
  targets: () => string[];
  timeoutMs: number;
  /** The shared SERVICE_TOKEN booking demands on `/internal/*`. */
  serviceToken: string;
}

export function createHttpDelivery({ targets, timeoutMs, serviceToken }: HttpDeliveryOptions): Deliver {
  const headers: Record<string, string> = { 'content-type': 'application/json', authorization: `Bearer ${serviceToken}` };
  return async (message: CatalogueMessage) => {
    const urls = targets();
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
        if (response.statusCode >= 200 && response.statusCode < 300) return;
        failures.push(`${base} answered ${response.statusCode}`);
      } catch (error) {
        failures.push(`${base}: ${(error as Error).message}`);
      }
    }
    throw new Error(failures.join('; '));
  };
}
