/**
 * Start-up copy: a registry that starts beside running peers takes the first answering peer's
 * registry, so clients that fail over to it find their instances at once (Eureka's syncUp).
 */
import { REGISTRY_WARMING_UP_HEADER } from '@stream-seat/platform';
import type { FastifyBaseLogger } from 'fastify';
import { request } from 'undici';
import { decodeInstance, type Json } from '../domain/eureka-json.js';
import { InvalidInstance } from '../domain/instance-fields.js';
import type { Registry } from '../domain/registry.js';
import { REGISTRY_ID_HEADER, REPLICATION_HEADER } from './peer-replicator.js';
import type { PeerTarget } from './peer-target.js';

const asArray = (value: unknown): unknown[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** Registers every instance of a `{"applications": ...}` document; returns how many. */
export function copyApplications(document: unknown, registry: Registry, now: number): number {
  const root = (document as { applications?: { application?: unknown } } | undefined)?.applications;
  let copied = 0;
  for (const application of asArray(root?.application)) {
    const app = (application as Json)['name'];
    for (const instance of asArray((application as Json)['instance'])) {
      try {
        registry.register(decodeInstance({ instance }, String(app), now));
        copied++;
      } catch (error) {
        if (!(error instanceof InvalidInstance)) throw error;
      }
    }
  }
  return copied;
}

export interface PeerSyncOptions {
  targets: PeerTarget[];
  registry: Registry;
  registryId: string;
  log: FastifyBaseLogger;
  clock: () => number;
  timeoutMs?: number;
}

/** A start-up copy: the peer it came from, and until when that peer warms up (0: it did not). */
export interface PeerCopy {
  peer: string;
  /**
   * The peer had started without a copy itself (restarted with this registry, say): its registry,
   * and so this copy, lacks the instances that have not registered again yet, until then.
   */
  warmsUntil: number;
}

/**
 * Until when a peer's answer, asked for at `askedAt`, says it warms up: its
 * REGISTRY_WARMING_UP_HEADER (ms left when it answered, counted from the asking: never later than
 * the peer's own end); `askedAt + whole` when unreadable.
 */
function warmsUntil(header: string | string[] | undefined, askedAt: number, whole: number): number {
  if (header === undefined) return 0;
  const left = Number(Array.isArray(header) ? header[0] : header);
  return askedAt + (Number.isFinite(left) && left >= 0 ? left : whole);
}

/**
 * Copies from the first peer that answers; resolves to the copy, or undefined. `warmupMs`: how
 * long this registry warms up without a copy (and after one whose peer's warm-up is unreadable).
 */
export async function syncFromPeers(options: PeerSyncOptions & { warmupMs: number }): Promise<PeerCopy | undefined> {
  for (const target of options.targets) {
    try {
      const askedAt = options.clock();
      const response = await request(`${target.base}/apps`, {
        headers: { accept: 'application/json', [REPLICATION_HEADER]: 'true', [REGISTRY_ID_HEADER]: options.registryId, ...target.headers },
        headersTimeout: options.timeoutMs ?? 3_000,
        bodyTimeout: options.timeoutMs ?? 3_000,
      });
      const text = await response.body.text();
      if (response.headers[REGISTRY_ID_HEADER] === options.registryId || response.statusCode !== 200) continue;
      const copied = copyApplications(JSON.parse(text), options.registry, options.clock());
      const copy = { peer: target.displayUrl, warmsUntil: warmsUntil(response.headers[REGISTRY_WARMING_UP_HEADER], askedAt, options.warmupMs) };
      options.log.info({ peer: copy.peer, instances: copied, peerWarmingUp: copy.warmsUntil > 0 }, 'registry copied from a peer');
      return copy;
    } catch (error) {
      options.log.warn({ peer: target.displayUrl, err: (error as Error).message }, 'peer did not answer the start-up copy');
    }
  }
  if (options.targets.length > 0) options.log.warn('no peer answered; starting with an empty registry');
  return undefined;
}
