/**
 * Composition root of the discovery service: the registry, its eviction timer, the peer
 * replicator and start-up copy, the write token, the Eureka API and the dashboard.
 */
import { randomUUID } from 'node:crypto';
import { type App, createService, REGISTRY_WARMING_UP_HEADER, registerRoutes } from '@stream-seat/platform';
import { decodeInstance } from './domain/eureka-json.js';
import { createRegistry, type Registry } from './domain/registry.js';
import type { SelfPreservationSettings } from './domain/self-preservation.js';
import { createPeerReplicator, type PeerReplicator, REGISTRY_ID_HEADER } from './peers/peer-replicator.js';
import { syncFromPeers } from './peers/peer-sync.js';
import { registerEurekaBodyParsers } from './routes/body-parsers.js';
import { registerDashboardRoutes } from './routes/dashboard.routes.js';
import { registerEurekaRoutes } from './routes/eureka.routes.js';
import { registerRegistryAuth } from './routes/registry-auth.js';

/**
 * Largest request body (bytes); beyond it a 413 problem. A registration is a few KB (Spring's, with
 * metadata, about 2), and parsing XML is slow enough (attributes especially: a 1 MB body of them
 * held the event loop for seconds) that one oversized body must not stall every client's renewal.
 */
export const REGISTRY_BODY_LIMIT_BYTES = 64 * 1024;

export interface DiscoveryAppDeps {
  evictionIntervalMs: number;
  clock?: () => number;
  logLevel?: string;
  logger?: boolean;
  selfPreservation?: Partial<SelfPreservationSettings>;
  deltaRetentionMs?: number;
  responseCacheMs?: number;
  /** Peer registry URLs (REGISTRY_PEERS). */
  peers?: string[];
  peerTimeoutMs?: number;
  /** REGISTRY_TOKEN: writes need it. */
  token?: string | undefined;
  /** `<APP>_REGISTRY_TOKEN`s, by app key: each writes its own app's instances only. */
  appTokens?: ReadonlyMap<string, string>;
  protectReads?: boolean;
  /** REGISTRY_WARMUP_MS: how long a registry started without a peer's copy says it is warming up. */
  warmupMs?: number;
}

export interface DiscoveryApp {
  app: App;
  registry: Registry;
  replicator: PeerReplicator;
}

export function buildDiscoveryApp(deps: DiscoveryAppDeps): DiscoveryApp {
  const clock = deps.clock ?? Date.now;
  const startedAt = clock();
  const registryId = randomUUID();
  const app = createService({
    name: 'discovery',
    logLevel: deps.logLevel ?? 'info',
    logger: deps.logger ?? true,
    bodyLimit: REGISTRY_BODY_LIMIT_BYTES,
    openapi: {
      title: 'Stream-Seat discovery service',
      description:
        'The Eureka REST API, under `/eureka` (and the same routes under `/eureka/v2`). ' +
        'With REGISTRY_TOKEN set, writes need it (or, for an app\'s own instances, that app\'s <APP>_REGISTRY_TOKEN) as a bearer token or the password of basic credentials.',
    },
  });
  const registry = createRegistry({
    clock,
    ...(deps.selfPreservation ? { selfPreservation: deps.selfPreservation } : {}),
    ...(deps.deltaRetentionMs ? { deltaRetentionMs: deps.deltaRetentionMs } : {}),
  });
  const replicator = createPeerReplicator({
    peers: deps.peers ?? [],
    registryId,
    token: deps.token,
    log: app.log,
    clock,
    ...(deps.peerTimeoutMs ? { timeoutMs: deps.peerTimeoutMs } : {}),
    onPeerNewer: (document) => {
      const instance = (document as { instance?: { app?: unknown } }).instance;
      registry.register(decodeInstance(document, String(instance?.app ?? ''), clock()));
    },
  });

  /**
   * Until when the registry is warming up: started without a peer's copy, it lists only the
   * instances that registered since, and the others register again at their next renewal — so
   * clients keep the ones they knew meanwhile (REGISTRY_WARMING_UP_HEADER; Eureka's server
   * refuses reads for a while after starting empty, which kept every client on its old copy, and
   * a cold start's clients on none). A copy from a peer that was warming up itself (the two
   * restarted together) is as incomplete as the peer's registry: warming up as long as the peer.
   */
  let warmUntil = 0;
  app.addHook('onRequest', async (_request, reply) => {
    reply.header(REGISTRY_ID_HEADER, registryId);
    const left = warmUntil - clock();
    if (left > 0) reply.header(REGISTRY_WARMING_UP_HEADER, String(left));
  });
  registerEurekaBodyParsers(app);
  registerRegistryAuth(app, { token: deps.token, ...(deps.appTokens ? { appTokens: deps.appTokens } : {}), protectReads: deps.protectReads ?? false });
  registerRoutes(app, (routes) => {
    registerEurekaRoutes(routes, { registry, replicator, clock, responseCacheMs: deps.responseCacheMs ?? 30_000 });
    registerDashboardRoutes(routes, { registry, peers: () => replicator.peers(), clock, startedAt });
  });

  app.addHook('onReady', async () => {
    const warmupMs = deps.warmupMs ?? 0;
    const copy = await syncFromPeers({ targets: replicator.targets(), registry, registryId, log: app.log, clock, timeoutMs: deps.peerTimeoutMs ?? 3_000, warmupMs });
    warmUntil = copy ? Math.min(copy.warmsUntil, clock() + warmupMs) : clock() + warmupMs;
  });

  let preserving = false;
  const eviction = setInterval(() => {
    const { evicted, stats } = registry.evictExpired();
    for (const instance of evicted) {
      app.log.info({ app: instance.app, instanceId: instance.instanceId }, 'lease expired; evicted');
    }
    if (preserving !== !stats.leaseExpirationEnabled) {
      preserving = !stats.leaseExpirationEnabled;
      if (preserving) app.log.warn({ renewals: stats.renewalsLastMinute, threshold: stats.renewalThreshold }, 'self-preservation: renewals below the threshold; leases no longer expire');
      else app.log.info('self-preservation over: leases expire again');
    }
  }, deps.evictionIntervalMs);
  eviction.unref();
  app.addHook('onClose', async () => {
    clearInterval(eviction);
    await replicator.close();
  });
  return { app, registry, replicator };
}
