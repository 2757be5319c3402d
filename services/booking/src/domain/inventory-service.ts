/**
 * An event's inventory exists once it went on sale: created from the publish message, or on first
 * access, from the catalogue's seat map. Creation is idempotent under concurrency (see
 * InventoryRepository.create), and this instance's requests for an event that has none yet share
 * one creation (a crowd at the opening of sales would otherwise each copy the venue's seats); the
 * immutable header (organizer, currency, stage) is cached.
 */
import type { SeatChangeBatch } from '@stream-seat/contracts';
import { type CallContext, createInFlight, type Principal } from '@stream-seat/platform';
import { type InventoryRepository, isCancelledBeforeSale, type SaleTerms, saleTermColumns } from '../db/inventory.repository.js';
import type { InventoryTable } from '../db/schema.js';
import { EventNotFound, EventNotOnSale } from './booking-errors.js';
import type { CatalogueClient, CatalogueEvent } from './catalogue-client.js';
import { planInventory } from './inventory-plan.js';
import { createSizedCache, EVENT_CACHE_SEATS } from './sized-cache.js';

export interface InventoryServiceDeps {
  inventories: InventoryRepository;
  catalogue: CatalogueClient;
  clock: () => number;
}

/** Made by a release before migrations 010 and 011: without its event's start and sale terms (an event cancelled before sale has none to keep). */
const lacksTerms = (row: InventoryTable) => row.max_seats_per_order === null && !isCancelledBeforeSale(row);

/** What an inventory keeps of its event's terms, from the catalogue's event. */
function saleTermsOf(event: CatalogueEvent): SaleTerms {
  const ms = (iso: string | null | undefined) => (iso === null || iso === undefined ? null : Date.parse(iso));
  return { startsAt: Date.parse(event.startsAt), salesStartAt: ms(event.salesStartAt), salesEndAt: ms(event.salesEndAt), maxSeatsPerOrder: event.maxSeatsPerOrder };
}

export function createInventoryService(deps: InventoryServiceDeps) {
  const headers = new Map<string, InventoryTable>();
  /**
   * Seat prices per event (immutable once the inventory exists), loaded once per instance and
   * kept for the most recently used events, up to as many seats as the seat layouts.
   */
  const prices = createSizedCache((eventId) => deps.inventories.prices(eventId), (map) => map.size, EVENT_CACHE_SEATS);

  const creating = createInFlight();

  async function create(eventId: string, known: CatalogueEvent | undefined, caller: CallContext | undefined): Promise<InventoryTable> {
    const event = known ?? (await deps.catalogue.event(eventId, caller));
    // Only under the catalogue's own id: a catalogue on MySQL that still compares ids without case
    // answers `E1` with event `e1`, and an inventory made as `E1` would be a second one once ids
    // compare exactly — its seats sold again.
    if (!event || event.id !== eventId) throw new EventNotFound(eventId);
    if (event.status !== 'ON_SALE') throw new EventNotOnSale(eventId, `its status is ${event.status}`);
    const map = await deps.catalogue.seatMap(eventId, caller);
    if (!map) throw new EventNotFound(eventId);
    const header = { organizerId: event.organizerId, currency: map.currency, stage: map.stage, ...saleTermsOf(event) };
    await deps.inventories.create(eventId, header, planInventory(map), deps.clock());
    const created = await find(eventId);
    if (!created) throw new Error(`inventory of ${eventId} vanished after creation`);
    return created;
  }

  /**
   * Keeps the catalogue's start and sale terms of an event in an inventory made before they were
   * kept there (by an older release, before migrations 010 and 011): once per event and instance,
   * on the first hold or buyer's cancel that has the catalogue's answer at hand. Any other
   * inventory comes back as it is.
   */
  async function keepTerms(inventory: InventoryTable, event: CatalogueEvent): Promise<InventoryTable> {
    if (!lacksTerms(inventory) || event.id !== inventory.event_id) return inventory;
    const terms = saleTermsOf(event);
    await deps.inventories.keepTerms(inventory.event_id, terms);
    const kept = { ...inventory, ...saleTermColumns(terms) };
    headers.set(inventory.event_id, kept);
    return kept;
  }

  async function find(eventId: string): Promise<InventoryTable | undefined> {
    const cached = headers.get(eventId);
    if (cached) return cached;
    const row = await deps.inventories.find(eventId);
    if (row) headers.set(eventId, row);
    return row;
  }

  return {
    /** The inventory header if it exists; never calls the catalogue. */
    find,
    /**
     * Whether the principal runs the event — checks its tickets in, cancels any of its orders, reads
     * its sales: an admin, or its organizer (the inventory's, as the catalogue named it). The one
     * place that is decided; false for an event without an inventory. The header is cached: no
     * query after the first.
     */
    async isOrganizerOrAdmin(principal: Principal, eventId: string): Promise<boolean> {
      if (principal.role === 'admin') return true;
      return principal.role === 'organizer' && (await find(eventId))?.organizer_id === principal.sub;
    },
    keepTerms,
    /**
     * The event as its inventory keeps it, for when the catalogue cannot be asked: the terms it was
     * put on sale with, and OPEN or CLOSED for on sale or cancelled. Undefined without an inventory,
     * or one that did not keep them (made by an older release and not held since).
     */
    async keptEvent(eventId: string): Promise<CatalogueEvent | undefined> {
      const row = await find(eventId);
      if (!row || row.starts_at === null || row.max_seats_per_order === null) return undefined;
      const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
      return {
        id: eventId,
        organizerId: row.organizer_id,
        status: row.status === 'OPEN' ? 'ON_SALE' : 'CANCELLED',
        currency: row.currency,
        startsAt: new Date(row.starts_at).toISOString(),
        salesStartAt: iso(row.sales_start_at),
        salesEndAt: iso(row.sales_end_at),
        maxSeatsPerOrder: row.max_seats_per_order,
      };
    },
    /**
     * The header as the database has it now, not as this instance cached it: its status changes
     * when the event is cancelled, which only the instance handling the message sees at once.
     */
    async current(eventId: string): Promise<InventoryTable | undefined> {
      const row = await deps.inventories.find(eventId);
      if (row) headers.set(eventId, row);
      return row;
    },

    /** The inventory, created now from the catalogue if the event is on sale and has none yet. */
    async ensure(eventId: string, known?: CatalogueEvent, caller?: CallContext): Promise<InventoryTable> {
      const existing = await find(eventId);
      if (existing) return known ? keepTerms(existing, known) : existing;
      return creating.run(eventId, () => create(eventId, known, caller));
    },

    /** The seats' prices of an existing inventory; a seat id missing from the map does not exist. */
    async prices(eventId: string): Promise<Map<string, number>> {
      return (await prices.get(eventId)) ?? new Map();
    },

    /**
     * Closes the inventory of a cancelled event (even one never opened): no new hold or order.
     * The change that closed an open one is returned, to publish.
     */
    async close(eventId: string): Promise<SeatChangeBatch | undefined> {
      const closed = await deps.inventories.close(eventId, deps.clock());
      headers.delete(eventId);
      return closed;
    },
  };
}
export type InventoryService = ReturnType<typeof createInventoryService>;
