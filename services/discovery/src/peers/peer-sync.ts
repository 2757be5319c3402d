/**
 * Start-up copy: a registry that starts beside running peers takes the first answering peer's
 * registry, so clients that fail over to it find their instances at once (Eureka's syncUp).
 */
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

/** Copies from the first peer that answers; resolves to the peer used, or undefined. */
export async function syncFromPeers(options: PeerSyncOptions): Promise<string | undefined> {
  for (const target of options.targets) {
    try {
      const response = await request(`${target.base}/apps`, {
        headers: { accept: 'application/json', [REPLICATION_HEADER]: 'true', [REGISTRY_ID_HEADER]: options.registryId, ...target.headers },
        headersTimeout: options.timeoutMs ?? 3_000,
        bodyTimeout: options.timeoutMs ?? 3_000,
      });
      const text = await response.body.text();
      if (response.headers[REGISTRY_ID_HEADER] === options.registryId || response.statusCode !== 200) continue;
      const copied = copyApplications(JSON.parse(text), options.registry, options.clock());
      options.log.info({ peer: target.displayUrl, instances: copied }, 'registry copied from a peer');
      return target.displayUrl;
    } catch (error) {
      options.log.warn({ peer: target.displayUrl, err: (error as Error).message }, 'peer did not answer the start-up copy');
    }
  }
  if (options.targets.length > 0) options.log.warn('no peer answered; starting with an empty registry');
  return undefined;
}
