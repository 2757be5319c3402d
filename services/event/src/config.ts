/** The event service's environment. */
import { baseConfigSchema, env } from '@stream-seat/platform';
import { databaseConfigSchema } from '@stream-seat/db';

export const eventConfigSchema = baseConfigSchema.extend({
  ...databaseConfigSchema.shape,
  PORT: env.port(8081),
  /** How often the outbox relay looks for undelivered messages. */
  OUTBOX_POLL_MS: env.int(1_000, 50),
});
export type EventConfig = typeof eventConfigSchema._output;
