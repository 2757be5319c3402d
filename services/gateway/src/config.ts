/** The gateway's environment. */
import { baseConfigSchema, env } from '@stream-seat/platform';

export const gatewayConfigSchema = baseConfigSchema.extend({
  PORT: env.port(8082),
  /** Time for an upstream to send its response headers. */
  UPSTREAM_TIMEOUT_MS: env.int(10_000, 1),
  /** Time to open a connection to an upstream before trying the next instance. */
  UPSTREAM_CONNECT_TIMEOUT_MS: env.int(2_000, 1),
});
export type GatewayConfig = typeof gatewayConfigSchema._output;
