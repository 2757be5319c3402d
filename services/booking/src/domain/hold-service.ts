/** Holds: explicit seats or best available, the limits around them, and giving them back. */
import { randomUUID } from 'node:crypto';
import type { CreateHoldRequest } from '@stream-seat/contracts';
import { InvalidField, type Principal } from '@stream-seat/platform';
import type { HoldRepository } from '../db/hold.repository.js';
import type { InventoryRepository } from '../db/inventory.repository.js';
import type { HoldTable } from '../db/schema.js';
import type { SeatChangeBus } from '../live/seat-change-bus.js';
import { bestAvailable } from './best-available.js';
import { EventNotFound, EventNotOnSale, HoldNotFound, SeatsUnavailable, UnknownSeats } from './booking-errors.js';
import type { CatalogueClient } from './catalogue-client.js';
import type { SeatClaimer } from './claim-batcher.js';
import type { InventoryService } from './inventory-service.js';
import { assertOnSale, assertSeatCount } from './sales-rules.js';

export interface HoldServiceDeps {
  holds: HoldRepository;
  /** Claims seats for new holds, several of an event per transaction. */
  claims: SeatClaimer;
  inventories: InventoryRepository;
  inventory: InventoryService;
  catalogue: CatalogueClient;
  bus: SeatChangeBus;
  clock: () => number;
  holdTtlSeconds: number;
  maxActiveHoldsPerBuyer: number;
}

/** Racing buyers may take the block best-available picked; it then looks again, a few times. */
const BEST_AVAILABLE_ATTEMPTS = 8;

export function createHoldService(deps: HoldServiceDeps) {
  async function claim(principal: Principal, eventId: string, seatIds: string[], currency: string): Promise<HoldTable> {
    const prices = await deps.inventory.prices(eventId);
    const unknown = seatIds.filter((id) => !prices.has(id));
    if (unknown.length > 0) throw new UnknownSeats(unknown);
    const now = deps.clock();
    const { hold, batch } = await deps.claims.claim({
      holdId: randomUUID(),
      eventId,
      buyerId: principal.sub,
      seatIds,
      currency,
      totalCents: seatIds.reduce((sum, id) => sum + (prices.get(id) ?? 0), 0),
      now,
      expiresAt: now + deps.holdTtlSeconds * 1000,
      maxActiveHolds: deps.maxActiveHoldsPerBuyer,
    });
    deps.bus.publish(batch);
    return hold;
  }

  return {
    async create(principal: Principal, request: CreateHoldRequest): Promise<HoldTable> {
      if ((request.seatIds === undefined) === (request.quantity === undefined)) {
        throw new InvalidField('seatIds', 'give either seatIds or quantity (best available), not both or neither');
      }
      if (request.seatIds && (request.section || request.tier || request.together !== undefined)) {
        throw new InvalidField('seatIds', 'section, tier and together go with quantity, not with seatIds');
      }
      const event = await deps.catalogue.event(request.eventId);
      if (!event) throw new EventNotFound(request.eventId);
      assertOnSale(event, deps.clock());
      const inventory = await deps.inventory.ensure(request.eventId, event);
      // Closed when the cancellation reached us before the catalogue cache noticed (the claim
      // checks it again under the inventory's lock; this only answers sooner, and clearly).
      if (inventory.status !== 'OPEN') throw new EventNotOnSale(request.eventId, 'it was cancelled');

      if (request.seatIds) {
        const seatIds = [...new Set(request.seatIds)];
        assertSeatCount(event, 'seatIds', seatIds.length);
        return claim(principal, request.eventId, seatIds, inventory.currency);
      }
      const quantity = request.quantity ?? 1;
      assertSeatCount(event, 'quantity', quantity);
      for (let attempt = 0; attempt < BEST_AVAILABLE_ATTEMPTS; attempt++) {
        const candidates = await deps.inventories.candidates(request.eventId, deps.clock(), request);
        const seatIds = bestAvailable(candidates, {
          quantity,
          together: request.together ?? false,
          section: request.section,
          tier: request.tier,
          stage: { x: Number(inventory.stage_x), y: Number(inventory.stage_y) },
          spread: attempt * 4,
        });
        if (!seatIds) {
          throw new SeatsUnavailable([], `Not ${quantity} ${request.together ? 'adjacent ' : ''}seats are available${request.section ? ` in section ${request.section}` : ''}${request.tier ? ` in tier ${request.tier}` : ''}; nothing was held`);
        }
        try {
          return await claim(principal, request.eventId, seatIds, inventory.currency);
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

    /** Releases the caller's hold; releasing one that has already ended is a no-op. */
    async release(principal: Principal, holdId: string): Promise<void> {
      const hold = await this.get(principal, holdId);
      if (hold.status !== 'ACTIVE') return;
      const result = await deps.holds.release(hold, 'RELEASED', deps.clock());
      if (result?.batch) deps.bus.publish(result.batch);
    },
  };
}
export type HoldService = ReturnType<typeof createHoldService>;
