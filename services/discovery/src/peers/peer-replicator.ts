/**
 * Replicates register, renew, cancel, status and metadata calls to the peer registries, marked
 * with `x-netflix-discovery-replication: true` so that a peer applies them without replicating
 * again. A peer that does not know a renewed instance gets it registered; a peer that holds a newer
 * copy (409) hands it back. Calls are fire-and-forget with a bounded backlog: a dropped call heals
 * with the next renewal.
 */
import type { FastifyBaseLogger } from 'fastify';
import { Agent, request } from 'undici';
import { encodeInstance, type Json } from '../domain/eureka-json.js';
import type { InstanceInfo, InstanceStatus } from '../domain/instance.js';
import { peerTarget, type PeerTarget } from './peer-target.js';

export const REPLICATION_HEADER = 'x-netflix-discovery-replication';
/** Sent on every replicated call and answered by every registry, so a server that lists itself skips itself. */
export const REGISTRY_ID_HEADER = 'x-stream-seat-registry-id';

export interface PeerState {
  url: string;
  self: boolean;
  lastSuccessAt?: number;
  lastError?: string;
  dropped: number;
}

export interface PeerReplicatorOptions {
  peers: string[];
  registryId: string;
  /** The registry's own token, sent to peers whose URL carries no credentials. */
  token?: string | undefined;
  log: FastifyBaseLogger;
  /** Takes a newer copy a peer answered with (409), without replicating it again. */
  onPeerNewer: (instance: unknown) => void;
  timeoutMs?: number;
  maxPending?: number;
  clock?: () => number;
}

interface Peer {
  target: PeerTarget;
  state: PeerState;
  pending: number;
}

export function createPeerReplicator(options: PeerReplicatorOptions) {
  const timeoutMs = options.timeoutMs ?? 3_000;
  const maxPending = options.maxPending ?? 10_000;
  const clock = options.clock ?? Date.now;
  const log = options.log.child({ component: 'peer-replicator' });
  const agent = new Agent({ connections: 16, connect: { timeout: timeoutMs } });
  const peers: Peer[] = options.peers.map((url) => {
    const target = peerTarget(url, options.token);
    return { target, state: { url: target.displayUrl, self: false, dropped: 0 }, pending: 0 };
  });
  const inFlight = new Set<Promise<void>>();

  async function send(peer: Peer, method: 'POST' | 'PUT' | 'DELETE', path: string, body?: Json): Promise<{ status: number; text: string } | undefined> {
    try {
      const response = await request(peer.target.base + path, {
        method,
        dispatcher: agent,
        headers: {
          accept: 'application/json',
          [REPLICATION_HEADER]: 'true',
          [REGISTRY_ID_HEADER]: options.registryId,
          ...peer.target.headers,
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      const text = await response.body.text();
      if (response.headers[REGISTRY_ID_HEADER] === options.registryId) {
        peer.state.self = true;
        log.info({ peer: peer.state.url }, 'peer is this registry itself; not replicating to it');
        return undefined;
      }
      if (response.statusCode >= 500 || response.statusCode === 401 || response.statusCode === 403) {
        throw new Error(`peer answered ${response.statusCode}`);
      }
      peer.state.lastSuccessAt = clock();
      delete peer.state.lastError;
      return { status: response.statusCode, text };
    } catch (error) {
      const message = (error as Error).message;
      if (peer.state.lastError !== message) log.warn({ peer: peer.state.url, reason: message }, 'replication failed');
      peer.state.lastError = message;
      return undefined;
    }
  }

  /** Runs one replication task per live peer, never letting a peer's backlog grow without bound. */
  function toPeers(task: (peer: Peer) => Promise<void>): void {
    for (const peer of peers) {
      if (peer.state.self) continue;
      if (peer.pending >= maxPending) {
        peer.state.dropped++;
        continue;
      }
      peer.pending++;
      const promise = task(peer).finally(() => {
        peer.pending--;
        inFlight.delete(promise);
      });
      inFlight.add(promise);
    }
  }

  const instancePath = (app: string, id: string) => `/apps/${encodeURIComponent(app)}/${encodeURIComponent(id)}`;

  async function registerOn(peer: Peer, instance: InstanceInfo): Promise<void> {
    await send(peer, 'POST', `/apps/${encodeURIComponent(instance.app)}`, { instance: encodeInstance(instance) });
  }

  return {
    register(instance: InstanceInfo): void {
      const copy = structuredClone(instance);
      toPeers((peer) => registerOn(peer, copy));
    },
    heartbeat(instance: InstanceInfo): void {
      const copy = structuredClone(instance);
      const query = `?status=${copy.status}&lastDirtyTimestamp=${copy.lastDirtyTimestamp}`;
      toPeers(async (peer) => {
        const result = await send(peer, 'PUT', instancePath(copy.app, copy.instanceId) + query);
        if (result?.status === 404) await registerOn(peer, copy);
        else if (result?.status === 409 && result.text) {
          try {
            options.onPeerNewer(JSON.parse(result.text));
          } catch (error) {
            log.warn({ err: (error as Error).message }, 'unreadable newer copy from a peer');
          }
        }
      });
    },
    cancel(app: string, id: string): void {
      toPeers(async (peer) => void (await send(peer, 'DELETE', instancePath(app, id))));
    },
    statusUpdate(instance: InstanceInfo, status: InstanceStatus): void {
      const query = `?value=${status}&lastDirtyTimestamp=${instance.lastDirtyTimestamp}`;
      toPeers(async (peer) => void (await send(peer, 'PUT', `${instancePath(instance.app, instance.instanceId)}/status${query}`)));
    },
    deleteStatusOverride(app: string, id: string, status: InstanceStatus | undefined): void {
      const query = status ? `?value=${status}` : '';
      toPeers(async (peer) => void (await send(peer, 'DELETE', `${instancePath(app, id)}/status${query}`)));
    },
    metadata(app: string, id: string, entries: Record<string, string>): void {
      const query = new URLSearchParams(entries).toString();
      toPeers(async (peer) => void (await send(peer, 'PUT', `${instancePath(app, id)}/metadata?${query}`)));
    },
    peers: (): PeerState[] => peers.map((p) => ({ ...p.state })),
    targets: (): PeerTarget[] => peers.filter((p) => !p.state.self).map((p) => p.target),
    /** Resolves once every replication sent so far has finished (tests and shutdown). */
    async flush(): Promise<void> {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
    async close(): Promise<void> {
      await this.flush();
      await agent.close();
    },
  };
}
export type PeerReplicator = ReturnType<typeof createPeerReplicator>;
