/** Service-to-service HTTP through the registry: round-robin over UP instances, timeouts, failover. */
import { request } from 'undici';
import { DependencyUnavailable, NOT_SERVED_HEADER } from './errors.js';
import type { InstanceAddress, RegistryClient } from './registry-client.js';
import { type CallContext, outgoingTraceHeaders } from './tracing.js';

/** Round-robin over the UP instances of an app, as the registry cache currently knows them. */
export function createLoadBalancer(registry: Pick<RegistryClient, 'instances'> & Partial<Pick<RegistryClient, 'pendingRefresh'>>) {
  const cursors = new Map<string, number>();
  const candidates = (app: string): InstanceAddress[] => {
    const instances = registry.instances(app);
    if (instances.length === 0) return [];
    const start = (cursors.get(app) ?? 0) % instances.length;
    cursors.set(app, start + 1);
    return [...instances.slice(start), ...instances.slice(0, start)];
  };
  return {
    /** The instances in the order to try them: the next in turn first, then the others. */
    candidates,
    /**
     * As `candidates`, but when the cached copy lists none (an app that registered since the last
     * fetch, right after a start), waits for the registry fetch that lookup started and looks
     * again, rather than fail a request that a fresh copy would serve.
     */
    async freshCandidates(app: string): Promise<InstanceAddress[]> {
      const found = candidates(app);
      const pending = found.length === 0 ? registry.pendingRefresh?.() : undefined;
      if (!pending) return found;
      await pending;
      return candidates(app);
    },
  };
}
export type LoadBalancer = ReturnType<typeof createLoadBalancer>;

export interface ServiceResponse<T> {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: T;
}

export interface ServiceClientOptions {
  timeoutMs: number;
  headers?: Record<string, string>;
}

/**
 * GETs JSON from an app by name; an unreachable instance is skipped for the next one, and so is
 * one that turned the request away unserved (starting or shutting down: a rolling deploy).
 */
export function createServiceClient(balancer: LoadBalancer, app: string, options: ServiceClientOptions) {
  return {
    /** `caller`: the request this call is made for, whose trace and request id it carries. */
    async getJson<T>(path: string, headers: Record<string, string> = {}, caller?: CallContext): Promise<ServiceResponse<T>> {
      const candidates = await balancer.freshCandidates(app);
      if (candidates.length === 0) throw new DependencyUnavailable(app, `No instance of ${app} is registered`);
      let lastError: unknown;
      for (const [index, instance] of candidates.entries()) {
        try {
          const response = await request(instance.url + path, {
            method: 'GET',
            headers: { accept: 'application/json', ...outgoingTraceHeaders(caller), ...options.headers, ...headers },
            headersTimeout: options.timeoutMs,
            bodyTimeout: options.timeoutMs,
          });
          const text = await response.body.text();
          // Another instance follows: asked instead. The last one's answer is the caller's to read, whatever it is.
          if (response.headers[NOT_SERVED_HEADER] === '1' && index < candidates.length - 1) continue;
          return {
            status: response.statusCode,
            headers: response.headers,
            body: (text ? JSON.parse(text) : undefined) as T,
          };
        } catch (error) {
          lastError = error;
        }
      }
      throw new DependencyUnavailable(app, `${app} did not answer: ${(lastError as Error).message}`);
    },
  };
}
export type ServiceClient = ReturnType<typeof createServiceClient>;
