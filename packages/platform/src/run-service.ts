/**
 * Runs a service built by `createService()`: listens, finishes its start-up work, registers with
 * the registry, and on SIGTERM/SIGINT deregisters, serves out its grace period and drains.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyBaseLogger } from 'fastify';
import { type BaseConfig, redactConfig } from './config.js';
import type { ReadinessCheck } from './health.js';
import { resolveAdvertisedAddress } from './network-address.js';
import { createRegistryClient, type RegistryClient } from './registry-client.js';
import type { App } from './service.js';

export interface RunServiceOptions {
  app: App;
  /** Registry application name, e.g. `BOOKING-SERVICE`. */
  appName: string;
  port: number;
  config: BaseConfig;
  /** The service's own config, printed redacted at start-up. */
  printableConfig: Record<string, unknown>;
  /**
   * Work to finish before the service takes traffic (connect the database, migrate). The service
   * listens first, so `/health` answers and `/ready` says DOWN meanwhile; it registers after.
   */
  startup?: (control: StartupControl) => Promise<void>;
  /**
   * Nobody finds this service through the registry (the gateway: clients reach it through its
   * load balancer): ready with a copy of the registry, registered or not. A gateway whose own
   * registration was refused (its token wrong, say) had stayed unready for good — every gateway
   * of a deploy, and the load balancer had no target — though it could route.
   */
  readyUnregistered?: boolean;
}

/** What start-up work tells runService about itself. */
export interface StartupControl {
  /**
   * Runs `work` so that a stop asked meanwhile waits for its end: a migration, whose DDL MySQL
   * finishes without the client — cut off, it is done but not recorded. Outside such work a stop
   * asked during start-up is at once (a connection retried, say).
   */
  critical<T>(work: () => Promise<T>): Promise<T>;
}

export interface RunningService {
  port: number;
  registry: RegistryClient;
  stop(reason?: string): Promise<void>;
}

/** Builds the registry client for a service; the gateway and booking also use it for lookups. */
export async function createServiceRegistryClient(
  config: BaseConfig,
  appName: string,
  port: number,
  log: FastifyBaseLogger,
): Promise<RegistryClient> {
  const host = await resolveAdvertisedAddress({
    advertisedHost: config.ADVERTISED_HOST,
    ecsMetadataUri: process.env['ECS_CONTAINER_METADATA_URI_V4'],
    preferredNetworks: config.PREFERRED_NETWORKS,
    ignoredInterfaces: config.IGNORED_INTERFACES,
  });
  return createRegistryClient({
    registryUrls: config.EUREKA_URL,
    app: appName,
    instanceId: `${host}:${appName.toLowerCase()}:${port}:${randomUUID().slice(0, 8)}`,
    host,
    port,
    renewSeconds: config.EUREKA_RENEW_SECONDS,
    leaseSeconds: config.EUREKA_LEASE_SECONDS,
    fetchSeconds: config.EUREKA_FETCH_SECONDS,
    token: config.REGISTRY_TOKEN,
    log,
  });
}

/**
 * Ready once registered with a copy of the registry — or with the copy alone, for an instance
 * nobody finds through the registry (`needsRegistration` false: the gateway, behind its load
 * balancer). A later registry outage only adds a note (see RegistryClient.readiness).
 */
export function registryReadinessCheck(client: RegistryClient, needsRegistration = true): ReadinessCheck {
  return {
    name: 'registry',
    gatesStart: true,
    check: async () => {
      const { ready, note } = client.readiness(needsRegistration);
      if (!ready) throw new Error(note);
      return note;
    },
  };
}

/**
 * Listens, then registers. On SIGTERM/SIGINT: readiness goes DOWN and the instance deregisters;
 * it goes on serving for `SHUTDOWN_GRACE_MS` — gateways keep routing to it until their next
 * registry fetch — then the listener closes and in-flight requests drain up to
 * `SHUTDOWN_TIMEOUT_MS`; onClose hooks (databases, buses) run last.
 */
export async function runService(options: RunServiceOptions, registry?: RegistryClient): Promise<RunningService> {
  const { app, config } = options;
  const exitAfter = (stopped: Promise<void>) =>
    stopped.then(
      () => process.exit(0),
      (error: unknown) => {
        app.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  // Signals are taken from the first moment: a SIGTERM during start-up (a deploy rolled back or
  // overtaken, a scale-in) had killed the process at once — also in the middle of a migration,
  // whose DDL MySQL finishes without the client, so that it was done but not recorded. Now a stop
  // asked during start-up closes at once, unless critical work (a migration) runs: then once it
  // ends (ECS's stopTimeout bounds it). Nothing was registered yet, nothing is drained.
  let stopAsked: string | undefined;
  let criticalRunning = 0;
  let leaving: Promise<unknown> | undefined;
  const leave = () => (leaving ??= exitAfter(app.close()));
  let onStop: (signal: string) => void = (signal) => {
    stopAsked ??= signal;
    if (criticalRunning > 0) {
      app.log.info({ signal }, 'asked to stop while starting: stopping once the migration under way ends');
      return;
    }
    app.log.info({ signal }, 'asked to stop while starting: stopping now');
    void leave();
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => onStop(signal));
  const control: StartupControl = {
    async critical(work) {
      criticalRunning++;
      try {
        return await work();
      } finally {
        criticalRunning--;
        if (criticalRunning === 0 && stopAsked !== undefined) void leave();
      }
    },
  };
  /** Stopped while starting: the process exits (leave); nothing more of the start-up is done. */
  const leftWhileStarting = () => new Promise<never>(() => undefined);
  app.log.info({ config: redactConfig(options.printableConfig) }, 'effective configuration');
  if (options.startup) app.setStarting(true);
  await app.listen({ port: options.port, host: config.HOST });
  if (options.startup) {
    try {
      await options.startup(control);
    } catch (error) {
      // Failed because it was stopped (its database closed under it): the stop's exit, not a failure.
      if (stopAsked !== undefined) return leftWhileStarting();
      app.log.fatal({ err: error }, 'start-up failed');
      await app.close();
      throw error;
    }
    app.setStarting(false);
  }
  if (stopAsked !== undefined) return leftWhileStarting();
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const client = registry ?? (await createServiceRegistryClient(config, options.appName, port, app.log));
  app.addReadinessCheck(registryReadinessCheck(client, !options.readyUnregistered));
  // Asked while it registers: stopped as a running service is, once registered (then deregistered).
  onStop = (signal) => void (stopAsked ??= signal);
  await client.start();

  let stopping: Promise<void> | undefined;
  const stop = (reason = 'stop') => {
    stopping ??= (async () => {
      app.log.info({ reason }, 'shutting down');
      app.startDraining();
      await client.stop();
      if (config.SHUTDOWN_GRACE_MS > 0) {
        app.log.info({ graceMs: config.SHUTDOWN_GRACE_MS }, 'deregistered; serving until gateways drop this instance');
        await sleep(config.SHUTDOWN_GRACE_MS);
      }
      const timer = setTimeout(() => {
        app.log.warn('drain timed out; closing remaining connections');
        app.server.closeAllConnections();
      }, config.SHUTDOWN_TIMEOUT_MS);
      timer.unref();
      await app.close();
      clearTimeout(timer);
    })();
    return stopping;
  };
  onStop = (signal) => void exitAfter(stop(signal));
  if (stopAsked !== undefined) onStop(stopAsked);
  return { port, registry: client, stop };
}
