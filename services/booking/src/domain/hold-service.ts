/** Holds: explicit seats or best available, the limits around them, and giving them back. */
import { randomUUID } from 'node:crypto';
import { type CreateHoldRequest, MAX_ORDER_CENTS } from '@stream-seat/contracts';
import { majorUnitsText } from '@stream-seat/contracts/currencies';
import { isCommitOutcomeUnknown } from '@stream-seat/db';
import { type CallContext, Contended, DependencyUnavailable, InvalidField, type Principal } from '@stream-seat/platform';
import type { HoldRepository } from '../db/hold.repository.js';
import type { AnsweringReservation } from '../db/idempotency.repository.js';
import type { InventoryRepository } from '../db/inventory.repository.js';
import type { HoldTable } from '../db/schema.js';
import type { SeatChangeBus } from '../live/seat-change-bus.js';
import { bestAvailableChoices, matchingSeats } from './best-available.js';
import { EventNotFound, EventNotOnSale, HoldNotActive, HoldNotFound, SeatsUnavailable, TooManyHolds, UnknownPlace, UnknownSeats } from './booking-errors.js';
import type { CatalogueClient, CatalogueEvent } from './catalogue-client.js';
import type { SeatClaimer } from './claim-batcher.js';
import type { ClaimChoice } from './claim-plan.js';
import type { InventoryService } from './inventory-service.js';
import { assertOnSale, assertSeatCount, salesEndMs } from './sales-rules.js';
import type { UnconfirmedHolds } from './unconfirmed-holds.js';

export interface HoldServiceDeps {
  holds: HoldRepository;
  /** Claims seats for new holds, several of an event per transaction. */
  claims: SeatClaimer;
  inventories: InventoryRepository;
  inventory: InventoryService;
  catalogue: CatalogueClient;
  bus: SeatChangeBus;
  /** Claims whose COMMIT went unanswered: released by the sweeper if they did commit. */
  unconfirmed: UnconfirmedHolds;
  clock: () => number;
  holdTtlSeconds: number;
  maxActiveHoldsPerBuyer: number;
  /** Told when each hold made here runs out, so that its release is published then (the sweeper). */
  onHoldMade?: (expiresAt: number) => void;
}

/** A release whose hold changed under it (carried on by a payment) reads it again: a few times at most. */
const RELEASE_ATTEMPTS = 3;

/** Racing buyers may take the block best-available picked; it then looks again, a few times. */
const BEST_AVAILABLE_ATTEMPTS = 8;
/**
 * Blocks a best-available request offers the claim at each attempt, best first (8, 16, 32, then
 * 64): its transaction gives each request of a batch the first still free. More choices lock more
 * seats while the batch commits; a burst that used them up looks again at the seats as they are.
 */
const choicesAt = (attempt: number) => Math.min(8 << attempt, 64);

/**
 * Why a best-available filter matches no seat of the event at all (as opposed to none free): the
 * section or tier it names does not exist, or the two exist but never together.
 */
function unknownPlace(places: Array<{ section: string; tier: string }>, filter: { section?: string | undefined; tier?: string | undefined }): UnknownPlace {
  const sections = [...new Set(places.map((p) => p.section))].sort();
  const tiers = [...new Set(places.map((p) => p.tier))].sort();
  const errors: Array<{ field: 'section' | 'tier'; message: string }> = [];
  if (filter.section !== undefined && !sections.includes(filter.section)) {
    errors.push({ field: 'section', message: `the event has no section ${filter.section} (its sections: ${sections.join(', ')})` });
  }
  if (filter.tier !== undefined && !tiers.includes(filter.tier)) {
    errors.push({ field: 'tier', message: `the event has no tier ${filter.tier} (its tiers: ${tiers.join(', ')})` });
  }
  if (errors.length === 0) {
    const tiersThere = [...new Set(places.filter((p) => p.section === filter.section).map((p) => p.tier))].sort();
    errors.push({ field: 'tier', message: `section ${filter.section} has no seats of tier ${filter.tier} (its tiers: ${tiersThere.join(', ')})` });
  }
  return new UnknownPlace(errors);
}

export function createHoldService(deps: HoldServiceDeps) {
  /**
   * Claims the first of `choices` still free (the seats named, or best available's blocks best
   * first) for a new hold.
   */
  async function claim(
    principal: Principal,
    event: CatalogueEvent,
    choices: ClaimChoice[],
    currency: string,
    field: 'seatIds' | 'quantity',
    reservation: AnsweringReservation<HoldTable> | undefined,
  ): Promise<HoldTable> {
    const eventId = event.id;
    const prices = await deps.inventory.prices(eventId);
    const [first, ...rest] = choices.map((choice) => ({ ...choice, totalCents: choice.seatIds.reduce((sum, id) => sum + (prices.get(id) ?? 0), 0) }));
    if (!first) throw new Error('a claim needs seats to claim');
    const unknown = first.seatIds.filter((id) => !prices.has(id));
    if (unknown.length > 0) throw new UnknownSeats(unknown);
    // The catalogue keeps prices × maxSeatsPerOrder under the cap; an event priced before it did is
    // refused here, before a seat is held, rather than failing after the commit.
    if (first.totalCents > MAX_ORDER_CENTS) throw new InvalidField(field, `these seats cost ${majorUnitsText(first.totalCents, currency)}, more than one order may (${majorUnitsText(MAX_ORDER_CENTS, currency)})`);
    // Every seat of an alternative has its price (a seat without one would be held for nothing).
    const alternatives = rest.filter((choice) => choice.seatIds.every((id) => prices.has(id)) && choice.totalCents <= MAX_ORDER_CENTS);
    const now = deps.clock();
    const holdId = randomUUID();
    // Never past the end of sales: the hold is what lets its buyer pay, and a payment begins only
    // while its hold stands and sales are open (order-placement.ts) — so none begins for a show
    // under way (one begun just before may end just after: it carries its hold).
    const expiresAt = Math.min(now + deps.holdTtlSeconds * 1000, salesEndMs(event));
    try {
      const { hold, batch } = await deps.claims.claim({
        holdId,
        eventId,
        buyerId: principal.sub,
        seatIds: first.seatIds,
        currency,
        totalCents: first.totalCents,
        now,
        expiresAt,
        maxActiveHolds: deps.maxActiveHoldsPerBuyer,
        keepWhole: first.keepWhole,
        reservation,
        ...(field === 'quantity' ? { alternatives, bestAvailable: true } : {}),
      });
      deps.bus.publish(batch);
      deps.onHoldMade?.(expiresAt);
      return hold;
    } catch (error) {
      if (isCommitOutcomeUnknown(error)) deps.unconfirmed.add(holdId, expiresAt);
      throw error;
    }
  }

  /**
   * The event from the catalogue — a "no such event" this instance cached while the event was a
   * draft is asked again (`fresh`): it may be on sale since, its inventory made by another
   * instance, or its message still on its way (a hold sent just after the publish's 200 had been a
   * 404). When the catalogue cannot be asked, as the event's inventory keeps it (the terms it went
   * on sale with, which cannot change): a restarted instance had refused every hold with a 502
   * while the catalogue was down. An event with no inventory here still needs it.
   */
  async function eventOf(eventId: string, caller: CallContext | undefined): Promise<CatalogueEvent | undefined> {
    try {
      return await deps.catalogue.event(eventId, caller, { fresh: true });
    } catch (error) {
      if (!(error instanceof DependencyUnavailable)) throw error;
      const kept = await deps.inventory.keptEvent(eventId);
      if (!kept) throw error;
      return kept;
    }
  }

  return {
    /**
     * `caller`: the request, whose trace a catalogue call on a cache miss carries. `reservation`:
     * its Idempotency-Key's, when it has one — no hold is made once a repeat took the key over, and
     * the key's answer is stored with the hold.
     */
    async create(principal: Principal, request: CreateHoldRequest, caller?: CallContext, reservation?: AnsweringReservation<HoldTable>): Promise<HoldTable> {
      if ((request.seatIds === undefined) === (request.quantity === undefined)) {
        throw new InvalidField('seatIds', 'give either seatIds or quantity (best available), not both or neither');
      }
      if (request.seatIds && (request.section || request.tier || request.together !== undefined)) {
        throw new InvalidField('seatIds', 'section, tier and together go with quantity, not with seatIds');
      }
      const event = await eventOf(request.eventId, caller);
      if (!event) throw new EventNotFound(request.eventId);
      assertOnSale(event, deps.clock());
      const inventory = await deps.inventory.ensure(request.eventId, event, caller);
      // Closed when the cancellation reached us before the catalogue cache noticed (the claim
      // checks it again under the inventory's lock; this only answers sooner, and clearly).
      if (inventory.status !== 'OPEN') throw new EventNotOnSale(request.eventId, 'it was cancelled');

      if (request.seatIds) {
        const seatIds = [...new Set(request.seatIds)];
        // A seat named twice is a client's mistake, and the total it expects would be wrong.
        if (seatIds.length < request.seatIds.length) {
          const repeated = [...new Set(request.seatIds.filter((id, i) => request.seatIds?.indexOf(id) !== i))];
          throw new InvalidField('seatIds', `names ${repeated.join(', ')} more than once`);
        }
        assertSeatCount(event, 'seatIds', seatIds.length);
        return claim(principal, event, [{ seatIds }], inventory.currency, 'seatIds', reservation);
      }
      const quantity = request.quantity ?? 1;
      assertSeatCount(event, 'quantity', quantity);
      // A buyer at the limit hears so before best available reads the event's seats. (Explicit
      // seats go straight to the claim, which counts the buyer's holds under the event's lock
      // anyway: one query fewer on the hottest path.)
      if ((await deps.holds.activeCount(request.eventId, principal.sub, deps.clock())) >= deps.maxActiveHoldsPerBuyer) {
        throw new TooManyHolds(deps.maxActiveHoldsPerBuyer);
      }
      for (let attempt = 0; attempt < BEST_AVAILABLE_ATTEMPTS; attempt++) {
        // The event's cached layout (stage included) and which seats are free now.
        const seats = await deps.inventories.freeSeats(request.eventId, deps.clock());
        if (!seats) throw new EventNotFound(request.eventId);
        const choices = bestAvailableChoices(
          seats.layout,
          seats.free,
          { quantity, together: request.together ?? false, section: request.section, tier: request.tier, spread: attempt * 4 },
          choicesAt(attempt),
        );
        if (choices.length === 0) {
          // No seat at all (free or not) matches: the filter is wrong, and waiting will not help.
          // (Looked for only now: it walks every seat of the layout.)
          if ((request.section !== undefined || request.tier !== undefined) && matchingSeats(seats.layout, request) === 0) {
            throw unknownPlace(await deps.inventories.places(request.eventId), request);
          }
          const wanted = quantity === 1 ? 'No seat is' : `There are not ${quantity} ${request.together ? 'adjacent ' : ''}seats`;
          throw new SeatsUnavailable([], `${wanted} available${request.section ? ` in section ${request.section}` : ''}${request.tier ? ` in tier ${request.tier}` : ''}; nothing was held`);
        }
        // None of the choices still free (or each would now strand a seat): the buyer's request
        // looks again (a burst may use up the attempts: a 409, to try again, rather than a
        // stranded seat).
        try {
          return await claim(principal, event, choices, inventory.currency, 'quantity', reservation);
        } catch (error) {
          if (!(error instanceof SeatsUnavailable) || attempt === BEST_AVAILABLE_ATTEMPTS - 1) throw error;
        }
      }
      throw new Error('unreachable');
    },

    /** The caller's hold; anybody else's is "not found", as if it did not exist. */
    async get(principal: Principal, holdId: string): Promise<HoldTable> {
      const hold = await deps.holds.find(holdId);
      if (!hold || hold.buyer_id !== principal.sub) throw new HoldNotFound(holdId);
      return hold;
    },

    /** The caller's holds of an event still running, newest first (a new tab or device finds its buyer's hold). */
    running(principal: Principal, eventId: string, limit: number, before?: { createdAt: number; id: string }): Promise<HoldTable[]> {
      return deps.holds.runningOfBuyer(eventId, principal.sub, deps.clock(), limit, before);
    },

    /** The order an ORDERED hold became, for its buyer to find; undefined for other holds. */
    async orderIdOf(hold: HoldTable): Promise<string | undefined> {
      return hold.status === 'ORDERED' ? deps.holds.orderIdOf(hold.id) : undefined;
    },

    /**
     * Releases the caller's hold; releasing one that has already ended is a no-op — unless it was
     * paid for: its seats are the buyer's order, not back on sale, and a client told "released"
     * (after a payment whose answer it lost) would say so. That is a 409 naming the order.
     */
    async release(principal: Principal, holdId: string): Promise<void> {
      let hold = await this.get(principal, holdId);
      for (let attempt = 1; hold.status === 'ACTIVE'; attempt++) {
        const result = await deps.holds.release(hold, 'RELEASED', deps.clock());
        if (result?.batch) deps.bus.publish(result.batch);
        if (result) return;
        if (attempt === RELEASE_ATTEMPTS) throw new Contended('The hold is changing right now; retry');
        // Ended just now by someone else (a payment confirmed at this very moment), or carried on
        // (a payment begun in its last moments): read again. Carried, it had run out by the row
        // read before, whose release matched nothing — and the DELETE answered 204 with the hold
        // still held, and its payment went on to order it (a probe: 11 of 120 rounds).
        const reread = await deps.holds.find(holdId);
        if (!reread) return; // gone: nothing left to release
        hold = reread;
      }
      if (hold.status === 'ORDERED') throw new HoldNotActive(holdId, 'ORDERED', await deps.holds.orderIdOf(holdId));
    },
  };
}
export type HoldService = ReturnType<typeof createHoldService>;
