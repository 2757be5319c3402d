/** The booking service's environment. */
import { databaseConfigSchema } from '@stream-seat/db';
import { baseConfigSchema, checkAuthConfig, env, serviceTokenSetting } from '@stream-seat/platform';
import { z } from 'zod';

/** See STREAM_HEARTBEAT_MS. */
export const STREAM_HEARTBEAT_DEFAULT_MS = 5_000;

export const bookingConfigSchema = baseConfigSchema
  .extend({
    ...databaseConfigSchema.shape,
    /** The secret of `/internal/*` calls between event and booking (demanded here). */
    SERVICE_TOKEN: serviceTokenSetting,
    PORT: env.port(8080),
    /** How long a hold lasts. */
    HOLD_TTL_SECONDS: env.int(600, 1),
    /** How often expired holds are released and published (they are claimable at once anyway). */
    HOLD_SWEEP_INTERVAL_MS: env.int(5_000, 50),
    /** A buyer's active holds per event, at most. */
    MAX_ACTIVE_HOLDS_PER_BUYER: env.int(3, 1),
    /** `test`: the built-in provider (tok_ok, tok_declined, tok_slow, tok_refund_fails). */
    PAYMENT_PROVIDER: z.enum(['test']).default('test'),
    /** A payment slower than this fails with 504 and keeps the hold. */
    PAYMENT_TIMEOUT_MS: env.int(10_000, 1),
    /** A payment attempt older than this never became an order: a charge it made is refunded. */
    PAYMENT_ABANDONED_AFTER_MS: env.int(900_000, 1),
    /** How long after it began an abandoned payment's provider is still asked whether it charged late. */
    PAYMENT_LATE_CHARGE_WINDOW_MS: env.int(7 * 86_400_000, 1),
    /** Time for the event service to answer. */
    CATALOGUE_TIMEOUT_MS: env.int(3_000, 1),
    /** How long an event's status and sales window are cached. */
    CATALOGUE_EVENT_TTL_MS: env.int(5_000, 0),
    /** How long a repeated Idempotency-Key waits for the first request to finish. */
    IDEMPOTENCY_WAIT_MS: env.int(20_000, 0),
    /** Seat changes across booking instances through Redis pub/sub; in process without it. */
    REDIS_URL: env.redisUrl(),
    /** Redis's password for the URL's user (an ACL user on AWS), kept out of REDIS_URL: a secret. */
    REDIS_PASSWORD: env.optionalSecret(),
    /**
     * Live stream: comment heartbeat interval. A gateway takes its shared stream for dead after
     * three missed (its STREAM_UPSTREAM_IDLE_MS): at 15 s, a frozen instance left the live map
     * stale for 42 s (a probe stopped one with SIGSTOP); at 5 s, about 15.
     */
    STREAM_HEARTBEAT_MS: env.int(STREAM_HEARTBEAT_DEFAULT_MS, 10),
    /** Live stream: bytes that may wait unsent for one client before it is disconnected. */
    STREAM_MAX_BUFFERED_BYTES: env.int(1024 * 1024, 1024),
    /** Live stream: recent change batches kept per event for Last-Event-ID resumption. */
    STREAM_RING_SIZE: env.int(1_000, 1),
    /** Live stream: a reconnecting client further behind than this gets a fresh snapshot. */
    STREAM_MAX_REPLAY: env.int(1_000, 1),
    /** Live stream: how often watched events are compared with the database (lost messages). */
    STREAM_CATCH_UP_MS: env.int(5_000, 0),
  })
  // A configuration error naming its key, like any other.
  .superRefine(checkAuthConfig);
export type BookingConfig = z.output<typeof bookingConfigSchema>;
