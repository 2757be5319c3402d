/** Composition root of the discovery service: the registry, its eviction timer and the Eureka API. */
import { type App, createService } from '@stream-seat/platform';
import { createRegistry, type Registry } from './domain/registry.js';
import { registerEurekaRoutes } from './routes/eureka.routes.js';

export interface DiscoveryAppDeps {
  evictionIntervalMs: number;
  clock?: () => number;
  logLevel?: string;
  logger?: boolean;
}

export function buildDiscoveryApp(deps: DiscoveryAppDeps): { app: App; registry: Registry } {
  const clock = deps.clock ?? Date.now;
  const app = createService({ name: 'discovery', logLevel: deps.logLevel ?? 'info', logger: deps.logger ?? true });
  const registry = createRegistry({ clock });
  registerEurekaRoutes(app, registry, clock);

  const eviction = setInterval(() => {
    for (const instance of registry.evictExpired()) {
      app.log.info({ app: instance.app, instanceId: instance.instanceId }, 'lease expired; evicted');
    }
  }, deps.evictionIntervalMs);
  eviction.unref();
  app.addHook('onClose', async () => clearInterval(eviction));
  return { app, registry };
}
