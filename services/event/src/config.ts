/** The event service's environment. */
import { LAYOUT_BODY_LIMIT_BYTES } from '@stream-seat/contracts';
import { databaseConfigSchema } from '@stream-seat/db';
import { baseConfigSchema, checkAuthConfig, env, serviceTokenSetting } from '@stream-seat/platform';
import { VENUE_SEATS_PER_ORGANIZER } from './catalogue/venue-catalogue.js';

export const eventConfigSchema = baseConfigSchema
  .extend({
    ...databaseConfigSchema.shape,
    /** The secret of `/internal/*` calls between event and booking (presented by this service). */
    SERVICE_TOKEN: serviceTokenSetting,
    PORT: env.port(8081),
    /** How often the outbox relay looks for undelivered messages. */
    OUTBOX_POLL_MS: env.int(1_000, 50),
    /** Longest wait between two delivery attempts of a message the booking service did not take. */
    OUTBOX_MAX_BACKOFF_MS: env.int(30_000, 100),
    /** Time for the booking service to acknowledge a message. */
    OUTBOX_DELIVERY_TIMEOUT_MS: env.int(5_000, 100),
    /** Memory for serialized seat maps (a 20,000-seat map is about 2 MB). */
    SEATMAP_CACHE_MB: env.int(64, 1),
    /**
     * Seats (and standing places) an organiser's venues may hold in all: a 100,000-seat venue is
     * about 9 MB of stored seat map, so this bounds what one organiser account can store.
     */
    VENUE_SEATS_PER_ORGANIZER: env.int(VENUE_SEATS_PER_ORGANIZER, 1),
    /** Largest request body: a venue layout (see LAYOUT_BODY_LIMIT_BYTES). */
    BODY_LIMIT_BYTES: env.int(LAYOUT_BODY_LIMIT_BYTES, 1024),
  })
  // A configuration error naming its key, like any other.
  .superRefine(checkAuthConfig);
export type EventConfig = typeof eventConfigSchema._output;
