/** The booking domain's typed errors; the platform's problem handler maps each to problem+json. */
import { AppError, Conflict, InvalidField, NotFound } from '@stream-seat/platform';
import { inReadingOrder } from './seat-order.js';

/** Some requested seats are taken: nothing was held. */
export class SeatsUnavailable extends Conflict {
  constructor(unavailable: string[], detail?: string) {
    super(
      'seats-unavailable',
      'Seats unavailable',
      detail ?? `${unavailable.length} of the requested seats are not available; nothing was held`,
      { unavailable: inReadingOrder(unavailable) },
    );
  }
}

/** Some requested seats do not exist in the event: bad input, not a conflict; nothing was held. */
export class UnknownSeats extends InvalidField {
  constructor(unknown: string[]) {
    super('seatIds', `no such seats in this event: ${unknown.join(', ')}; nothing was held`);
  }
}

/**
 * Best available asked for a section or tier the event does not have: bad input naming the field(s),
 * not a 409 — no seat of it will ever come free.
 */
export class UnknownPlace extends AppError {
  constructor(errors: Array<{ field: 'section' | 'tier'; message: string }>) {
    super(400, 'validation', 'Invalid request', errors.map((e) => `${e.field}: ${e.message}`).join('; '), { errors });
  }
}

export class HoldNotFound extends NotFound {
  constructor(holdId: string) {
    super(`Hold ${holdId}`);
  }
}

export class OrderNotFound extends NotFound {
  constructor(orderId: string) {
    super(`Order ${orderId}`);
  }
}

export class EventNotFound extends NotFound {
  constructor(eventId: string) {
    super(`Event ${eventId}`);
  }
}

export class TicketNotFound extends NotFound {
  constructor() {
    super('Ticket');
  }
}

export class HoldExpired extends AppError {
  constructor(holdId: string) {
    super(410, 'hold-expired', 'Hold expired', `Hold ${holdId} has expired or was released; its seats may be taken`);
  }
}

/** `orderId`: the order an ORDERED hold became, for its buyer to find (paid in another tab, or by a request whose answer was lost). */
export class HoldNotActive extends Conflict {
  constructor(holdId: string, status: string, orderId?: string) {
    super('hold-not-active', 'Hold not active', `Hold ${holdId} is ${status}`, orderId === undefined ? { holdStatus: status } : { holdStatus: status, orderId });
  }
}

/** A buyer may cancel only before the event starts: a refund for a show under way or over is the organiser's call. */
export class EventStarted extends Conflict {
  constructor(eventId: string, startsAt: string) {
    super('event-started', 'Event started', `Event ${eventId} started at ${startsAt}: only its organiser can cancel an order now`, { startsAt });
  }
}

export class EventNotOnSale extends Conflict {
  constructor(eventId: string, reason: string) {
    super('event-not-on-sale', 'Event not on sale', `Event ${eventId} is not on sale: ${reason}`);
  }
}

export class TooManyHolds extends Conflict {
  constructor(limit: number) {
    super('too-many-holds', 'Too many holds', `You already have ${limit} active holds for this event; release one first`, {
      limit,
    });
  }
}

export class TooManySeats extends InvalidField {
  constructor(field: string, limit: number) {
    super(field, `at most ${limit} seats per order for this event`);
  }
}

export class PaymentDeclined extends AppError {
  constructor(detail = 'The payment was declined; the hold is kept') {
    super(402, 'payment-declined', 'Payment declined', detail);
  }
}

/** The charge may still go through: its Idempotency-Key keeps this answer (routes/idempotency.ts). */
export class PaymentTimeout extends AppError {
  readonly outcomeUnknown = true as const;

  constructor(timeoutMs: number) {
    // Not "the hold is kept": another payment of it may have ordered it meanwhile (a probe's did).
    super(
      504,
      'payment-timeout',
      'Payment timed out',
      `The payment provider did not answer within ${timeoutMs} ms; a charge that goes through late is refunded. The hold stays yours unless another payment ordered it meanwhile: GET it to see`,
    );
  }
}

/** The payment took so long that it was given up on (and its charge refunded) before the order. */
export class PaymentAbandoned extends Conflict {
  constructor(orderId: string) {
    super('payment-abandoned', 'Payment abandoned', `Payment ${orderId} took too long and is being refunded; no order was made, the hold is kept: pay again`);
  }
}

export class AlreadyCheckedIn extends Conflict {
  constructor(checkedInAt: number | null, reason: 'checked-in' | 'void') {
    super(
      reason === 'void' ? 'ticket-void' : 'already-checked-in',
      reason === 'void' ? 'Ticket void' : 'Already checked in',
      reason === 'void' ? 'This ticket was cancelled with its order' : 'This ticket was already checked in',
      checkedInAt === null ? {} : { checkedInAt: new Date(checkedInAt).toISOString() },
    );
  }
}

/**
 * The door checks in for one event and the ticket is for another of the organiser's (Saturday's
 * ticket at Friday's door): nothing is checked in, so it still admits its holder on the right day.
 */
export class TicketForAnotherEvent extends Conflict {
  constructor(ticketEventId: string, doorEventId: string) {
    super('wrong-event', 'Ticket for another event', `This ticket is for event ${ticketEventId}, not ${doorEventId}; it was not checked in`, { eventId: ticketEventId });
  }
}

/** A buyer cannot take back an order once one of its tickets has been used at the door. */
export class OrderCheckedIn extends Conflict {
  constructor(orderId: string) {
    super('order-checked-in', 'Order checked in', `A ticket of order ${orderId} was checked in: only the event's organiser can cancel it now`);
  }
}

