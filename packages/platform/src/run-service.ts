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
  startup?: () => Promise<void>;
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

/** Ready once registered with a copy of the registry; a later registry outage only adds a note (see RegistryClient.readiness). */
export function registryReadinessCheck(client: RegistryClient): ReadinessCheck {
  return {
    name: 'registry',
    gatesStart: true,
    check: async () => {
      const { ready, note } = client.readiness();
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
  // Signals are taken from the first moment: a SIGTERM during start-up (a deploy rolled back or
  // overtaken, a scale-in) had killed the process at once — in the middle of a migration, whose
  // DDL MySQL finishes without the client, so that it was done but not recorded. Now the start-up
  // step under way finishes (ECS's stopTimeout bounds it), then the service stops.
  let stopAsked: string | undefined;
  let onStop: (signal: string) => void = (signal) => {
    stopAsked ??= signal;
    app.log.info({ signal }, 'asked to stop while starting: stopping once the start-up step under way ends');
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => onStop(signal));
  const exitAfter = (stopped: Promise<void>) =>
    stopped.then(
      () => process.exit(0),
      (error: unknown) => {
        app.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  app.log.info({ config: redactConfig(options.printableConfig) }, 'effective configuration');
  if (options.startup) app.setStarting(true);
  await app.listen({ port: options.port, host: config.HOST });
  if (options.startup) {
    try {
      await options.startup();
    } catch (error) {
      app.log.fatal({ err: error }, 'start-up failed');
      await app.close();
      throw error;
    }
    app.setStarting(false);
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const client = registry ?? (await createServiceRegistryClient(config, options.appName, port, app.log));
  app.addReadinessCheck(registryReadinessCheck(client));
  // Asked to stop meanwhile: not registered at all, only closed.
  if (stopAsked === undefined) await client.start();

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
