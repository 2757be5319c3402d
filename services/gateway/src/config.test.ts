import { describe, expect, it } from 'vitest';
import { bookingConfigSchema, STREAM_HEARTBEAT_DEFAULT_MS } from '../../booking/src/config.js';
import { gatewayConfigSchema, STREAM_UPSTREAM_IDLE_DEFAULT_MS } from './config.js';

describe('the live stream defaults of booking and the gateway', () => {
  const minimal = { AUTH_MODE: 'dev', JWT_SECRET: 'a-secret-of-sixteen-plus', SERVICE_TOKEN: 'a-service-token-of-enough-length' };

  it('take a shared stream for dead after three of booking’s heartbeats missed, well before the gateway’s own 15 s', () => {
    const booking = bookingConfigSchema.parse(minimal);
    const gateway = gatewayConfigSchema.parse(minimal);
    expect(booking.STREAM_HEARTBEAT_MS).toBe(STREAM_HEARTBEAT_DEFAULT_MS);
    expect(gateway.STREAM_UPSTREAM_IDLE_MS).toBe(STREAM_UPSTREAM_IDLE_DEFAULT_MS);
    expect(gateway.STREAM_UPSTREAM_IDLE_MS).toBe(3 * booking.STREAM_HEARTBEAT_MS);
    // At 3 × 15 s a frozen booking instance left the live map stale for 42 s (a probe's SIGSTOP).
    expect(gateway.STREAM_UPSTREAM_IDLE_MS).toBeLessThanOrEqual(gateway.STREAM_HEARTBEAT_MS);
  });
});
