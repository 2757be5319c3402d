/** The booking service's environment. */
import { baseConfigSchema, env } from '@stream-seat/platform';
import { databaseConfigSchema } from '@stream-seat/db';
import { z } from 'zod';

export const bookingConfigSchema = baseConfigSchema.extend({
  ...databaseConfigSchema.shape,
  PORT: env.port(8080),
  HOLD_TTL_SECONDS: env.int(600, 1),
  REDIS_URL: z.string().optional(),
});
export type BookingConfig = typeof bookingConfigSchema._output;
