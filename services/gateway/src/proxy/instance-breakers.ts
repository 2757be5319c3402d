/**
 * One circuit breaker per upstream instance (opossum): an instance that keeps failing is taken
 * out of rotation for a while, so callers get a fast answer from a healthy instance — or a fast
 * 503 when none is left — instead of waiting on a sick one. After `resetTimeoutMs` one trial
 * request is let through (half-open) and its outcome closes or re-opens the circuit.
 */
import CircuitBreaker from 'opossum';
import { Gauge, type Registry } from 'prom-client';

export interface BreakerSettings {
  /** Failure percentage over the rolling window that opens the circuit. */
  errorThresholdPercentage: number;
  /** Requests in the window before the percentage counts. */
  volumeThreshold: number;
  resetTimeoutMs: number;
  rollingWindowMs: number;
}

export type CircuitState = 'CLOSED' | 'OPEN' | 'HALF_OPEN';
type Attempt = () => Promise<void>;

export function createInstanceBreakers(settings: BreakerSettings, metrics?: Registry) {
  /** Attempts not yet settled: each holds its request until the upstream answers or the client leaves. */
  let pending = 0;
  if (metrics) {
    new Gauge({
      name: 'gateway_upstream_requests_pending',
      help: 'Proxied requests waiting for their upstream answer',
      registers: [metrics],
      collect() {
        this.set(pending);
      },
    });
  }
  const breakers = new Map<string, CircuitBreaker<[Attempt], void>>();
  /** Which app each breaker's instance belongs to, so that departed instances can be forgotten. */
  const appOf = new Map<string, string>();

  function breaker(app: string, instanceId: string): CircuitBreaker<[Attempt], void> {
    let b = breakers.get(instanceId);
    if (!b) {
      appOf.set(instanceId, app);
      b = new CircuitBreaker((attempt: Attempt) => attempt(), {
        timeout: false, // the proxy's own timeouts apply
        errorThresholdPercentage: settings.errorThresholdPercentage,
        volumeThreshold: settings.volumeThreshold,
        resetTimeout: settings.resetTimeoutMs,
        rollingCountTimeout: settings.rollingWindowMs,
        rollingCountBuckets: 10,
        // A request the proxy refused itself says nothing about the instance's health.
        errorFilter: (error: Error) => error.name === 'RefusedRequest',
      });
      breakers.set(instanceId, b);
    }
    return b;
  }

  return {
    /** Runs an attempt through the instance's breaker; rejects at once while it is open. */
    run(app: string, instanceId: string, attempt: Attempt): Promise<void> {
      pending++;
      return breaker(app, instanceId)
        .fire(attempt)
        .finally(() => pending--);
    },
    /** True while the instance must not be tried (a half-open circuit lets a trial through). */
    isOpen(instanceId: string): boolean {
      const b = breakers.get(instanceId);
      return Boolean(b?.opened && !b.halfOpen);
    },
    state(instanceId: string): CircuitState {
      const b = breakers.get(instanceId);
      if (!b || b.closed) return 'CLOSED';
      return b.halfOpen ? 'HALF_OPEN' : 'OPEN';
    },
    /** Forgets the breakers of an app's instances that have left the registry (restarts make new ids). */
    retain(app: string, current: ReadonlySet<string>): void {
      for (const [id, owner] of appOf) {
        if (owner !== app || current.has(id)) continue;
        breakers.get(id)?.shutdown();
        breakers.delete(id);
        appOf.delete(id);
      }
    },
    shutdown(): void {
      for (const b of breakers.values()) b.shutdown();
      breakers.clear();
      appOf.clear();
    },
  };
}
export type InstanceBreakers = ReturnType<typeof createInstanceBreakers>;

export function isOpenCircuitError(error: unknown): boolean {
  return (error as { code?: string }).code === 'EOPENBREAKER';
}
