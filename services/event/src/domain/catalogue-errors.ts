/** The catalogue's own error kinds; the platform's problem handler turns them into problem+json. */
import { AppError, Conflict } from '@stream-seat/platform';

export class EventNotDraft extends Conflict {
  constructor(status: string) {
    super('event-not-draft', 'Event is not a draft', `Only a DRAFT event can be changed; this one is ${status}`, {
      eventStatus: status,
    });
  }
}

export class EventCancelled extends Conflict {
  constructor() {
    super('event-cancelled', 'Event is cancelled', 'A cancelled event cannot be published again');
  }
}

/** The organiser's venues would hold more seats than VENUE_SEATS_PER_ORGANIZER allows. */
export class VenueSeatQuotaExceeded extends Conflict {
  constructor(held: number, adding: number, limit: number) {
    super('venue-seat-quota', 'Venue seat quota exceeded', `Your venues hold ${held} seats; this one would add ${adding}, past the limit of ${limit}`, {
      seatsHeld: held,
      seatsAdded: adding,
      seatLimit: limit,
    });
  }
}

/** `If-Match` named another version of the event than the current one (see event-version.ts). */
export class EventChanged extends AppError {
  constructor(status: string, etag: string) {
    super(412, 'event-changed', 'Event changed', `The event changed since the version named in If-Match; it is ${status} now`, {
      eventStatus: status,
      etag,
    });
  }
}

/** Edits kept racing a status change; the client may simply retry. */
export class EventBusy extends Conflict {
  constructor() {
    super('event-busy', 'Event is being changed', 'The event kept changing while this request ran; retry it');
  }
}

/** The same Idempotency-Key came back with another body: RFC-draft idempotency says 422. */
export class IdempotencyKeyReused extends AppError {
  constructor() {
    super(
      422,
      'idempotency-key-reused',
      'Idempotency key reused',
      'This Idempotency-Key was already used with a different request body',
    );
  }
}
