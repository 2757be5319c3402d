/**
 * Event use cases: create a draft, change it, publish it, cancel it. Publishing and cancelling
 * write their outbox message in the same transaction as the status change, so a crash between
 * the commit and the delivery loses nothing.
 */
import { randomUUID } from 'node:crypto';
import type { CatalogueMessage, EventInput, EventPatch } from '@stream-seat/contracts';
import { InvalidField, NotFound, type Principal, Unauthorized } from '@stream-seat/platform';
import type { Dialect } from '@stream-seat/db';
import type { Kysely, Transaction, Updateable } from 'kysely';
import { createEventRepository, type EventListFilter, type EventWithVenueRow, visibilityOf } from '../db/event.repository.js';
import { createOutboxRepository } from '../db/outbox.repository.js';
import type { EventDatabase, EventTable } from '../db/schema.js';
import { createVenueRepository } from '../db/venue.repository.js';
import { EventBusy, EventCancelled, EventChanged, EventNotDraft } from '../domain/catalogue-errors.js';
import { eventSearchText } from '../domain/search-text.js';
import { eventTag, type IfMatch, ifMatchAllows, parseIfMatch } from '../domain/event-version.js';
import { checkDraft, checkPublishable, draftsListedFor, type EventDraft, mayChange, maySee } from '../domain/event-rules.js';
import { createOnce } from './idempotent-create.js';

export interface EventCatalogueDeps {
  db: Kysely<EventDatabase>;
  dialect: Dialect;
  clock: () => number;
  /** Called after a transaction that wrote an outbox message committed: deliver soon. */
  onOutboxWritten?: () => void;
}

const ms = (iso: string | null | undefined) => (iso === null || iso === undefined ? null : Date.parse(iso));

function draftOf(row: EventTable): EventDraft {
  return {
    startsAt: Number(row.starts_at),
    currency: row.currency,
    prices: JSON.parse(row.prices_json) as Record<string, number>,
    salesStartAt: row.sales_start_at === null ? null : Number(row.sales_start_at),
    salesEndAt: row.sales_end_at === null ? null : Number(row.sales_end_at),
    maxSeatsPerOrder: Number(row.max_seats_per_order),
  };
}

type VenueRepository = ReturnType<typeof createVenueRepository>;

/** What a change of an event may do, in the transaction that holds it (see `changeEvent`). */
interface EventChange {
  venues: VenueRepository;
  /** Writes the draft's new columns; the row is locked, so nobody changed it since it was read. */
  updateDraft(changes: Updateable<EventTable>): Promise<void>;
  /** Moves the event to `to`, writing `message` to the outbox in the same transaction. */
  transition(to: EventTable['status'], message?: CatalogueMessage['type']): Promise<void>;
  /** The event as the change left it. */
  reload(): Promise<EventWithVenueRow>;
}

export function createEventCatalogue({ db, dialect, clock, onOutboxWritten }: EventCatalogueDeps) {
  const events = createEventRepository(db);
  const venues = createVenueRepository(db);

  /**
   * The venue's tiers and city, when an event of `organizerId` may be there: one of that
   * organiser's venues, whoever asks — an admin editing an organiser's draft does not move it to
   * the admin's own venue (its organiser could then neither edit nor publish it, nor see the
   * venue), nor create an event on an organiser's venue. Otherwise a 400 on `venueId`.
   */
  async function usableVenue(
    venueId: string,
    organizerId: string,
    principal: Principal,
    from: VenueRepository = venues,
  ): Promise<{ tiers: string[]; city: string | null }> {
    const venue = await from.findSummary(venueId);
    if (venue?.organizer_id !== organizerId) {
      throw new InvalidField('venueId', principal.sub === organizerId ? 'is not a venue of yours' : 'is not a venue of the event’s organizer');
    }
    return { tiers: JSON.parse(venue.tiers_json) as string[], city: venue.city };
  }

  /** A 412 unless `condition` (the request's If-Match) allows the version read. */
  function checkVersion(row: EventTable, condition: IfMatch): void {
    const tag = eventTag(Number(row.updated_at));
    if (!ifMatchAllows(condition, tag)) throw new EventChanged(row.status, tag);
  }

  async function reload(id: string, from = events): Promise<EventWithVenueRow> {
    const row = await from.find(id);
    if (!row) throw new NotFound('Event');
    return row;
  }

  /**
   * `change` made to the event as it is now, in one transaction, with every other change of it
   * waiting until this one commits (see `findForChange`): edits of one draft sent at once are each
   * applied on top of the one before. (A read, then a write conditional on nothing having changed,
   * tried five times, had refused 7 of 40 edits on MariaDB, eight at a time, as busy.)
   * A caller who may not change the event gets 404, as if it did not exist.
   */
  async function changeEvent<T>(id: string, principal: Principal, change: (row: EventWithVenueRow, step: EventChange) => Promise<T>): Promise<T> {
    let announced = false;
    const result = await db.transaction().execute(async (trx: Transaction<EventDatabase>) => {
      const repository = createEventRepository(trx);
      const row = await repository.findForChange(id, dialect === 'mysql');
      if (!row || !mayChange(row.organizer_id, principal)) throw new NotFound('Event');
      // The row is locked: a version condition failing here is a bug, answered as a retryable 409.
      const written = (count: number) => {
        if (count !== 1) throw new EventBusy();
      };
      return change(row, {
        venues: createVenueRepository(trx),
        updateDraft: async (changes) => written(await repository.updateDraft(id, changes, Number(row.updated_at))),
        transition: async (to, message) => {
          const now = clock();
          written(await repository.transition(id, [row.status], to, now, Number(row.updated_at)));
          if (!message) return;
          await createOutboxRepository(trx).add({ id: randomUUID(), type: message, eventId: id, occurredAt: new Date(now).toISOString() }, now);
          announced = true;
        },
        reload: () => reload(id, repository),
      });
    });
    if (announced) onOutboxWritten?.();
    return result;
  }

  /** The row's new columns: `patch` applied to the draft `row`, checked against the rules. */
  async function draftChanges(row: EventWithVenueRow, patch: EventPatch, principal: Principal, from: VenueRepository): Promise<Updateable<EventTable>> {
    const venueId = patch.venueId ?? row.venue_id;
    const { tiers, city } = await usableVenue(venueId, row.organizer_id, principal, from);
    const current = draftOf(row);
    const draft: EventDraft = {
      startsAt: patch.startsAt !== undefined ? Date.parse(patch.startsAt) : current.startsAt,
      currency: patch.currency ?? current.currency,
      prices: patch.prices ?? current.prices,
      salesStartAt: patch.salesStartAt !== undefined ? ms(patch.salesStartAt) : current.salesStartAt,
      salesEndAt: patch.salesEndAt !== undefined ? ms(patch.salesEndAt) : current.salesEndAt,
      maxSeatsPerOrder: patch.maxSeatsPerOrder ?? current.maxSeatsPerOrder,
    };
    checkDraft(draft, tiers, clock());
    return {
      venue_id: venueId,
      starts_at: draft.startsAt,
      prices_json: JSON.stringify(draft.prices),
      sales_start_at: draft.salesStartAt,
      sales_end_at: draft.salesEndAt,
      // Strictly increasing, so that the seat map's ETag changes with every edit.
      updated_at: Math.max(clock(), Number(row.updated_at) + 1),
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      search_text: eventSearchText(patch.name ?? row.name, city),
      ...(patch.currency !== undefined ? { currency: patch.currency } : {}),
      ...(patch.maxSeatsPerOrder !== undefined ? { max_seats_per_order: patch.maxSeatsPerOrder } : {}),
    };
  }

  return {
    async create(principal: Principal, input: EventInput, idempotencyKey: string | undefined) {
      const now = clock();
      const draft: EventDraft = {
        startsAt: Date.parse(input.startsAt),
        currency: input.currency,
        prices: input.prices,
        salesStartAt: ms(input.salesStartAt),
        salesEndAt: ms(input.salesEndAt),
        maxSeatsPerOrder: input.maxSeatsPerOrder,
      };
      const outcome = await createOnce(
        db,
        // Instants compared as instants: `…T20:00:00Z` and `…T22:00:00.000+02:00` are one request
        // (they had been a 422), and an absent sales start the same as a null one.
        {
          caller: principal.sub,
          operation: 'POST /api/events',
          key: idempotencyKey,
          body: { ...input, startsAt: draft.startsAt, salesStartAt: draft.salesStartAt, salesEndAt: draft.salesEndAt },
          previousBody: input,
        },
        now,
        async () => {
          const { tiers, city } = await usableVenue(input.venueId, principal.sub, principal);
          checkDraft(draft, tiers, now);
          return async (trx) => {
            const id = randomUUID();
            await createEventRepository(trx).insert({
              id,
              organizer_id: principal.sub,
              venue_id: input.venueId,
              name: input.name,
              search_text: eventSearchText(input.name, city),
              cancelled_as_draft: 0,
              status: 'DRAFT',
              starts_at: draft.startsAt,
              currency: input.currency,
              prices_json: JSON.stringify(input.prices),
              sales_start_at: draft.salesStartAt,
              sales_end_at: draft.salesEndAt,
              max_seats_per_order: input.maxSeatsPerOrder,
              created_at: now,
              updated_at: now,
            });
            return id;
          };
        },
        // The event changes later (published, cancelled): a replay answers with it as it was created.
        (trx, id) => reload(id, createEventRepository(trx)),
      );
      return { row: outcome.firstResponse ?? (await reload(outcome.resourceId)), replayed: outcome.replayed };
    },

    /**
     * Applies the fields sent to the draft as it is (see `changeEvent`) — two PATCHes at once had
     * each written every field from what it read, the last undoing the other's edit (its 200 said
     * it was saved), and their sum could break the rules each had been checked against. Only to
     * the version `ifMatch` names, if any (see event-version.ts).
     */
    async patch(principal: Principal, id: string, patch: EventPatch, ifMatch?: string): Promise<EventWithVenueRow> {
      const condition = parseIfMatch(ifMatch);
      return changeEvent(id, principal, async (row, step) => {
        // The precondition first (RFC 9110 §13.2.2): a page that saw another version learns so,
        // with the event's status now.
        checkVersion(row, condition);
        if (row.status !== 'DRAFT') throw new EventNotDraft(row.status);
        await step.updateDraft(await draftChanges(row, patch, principal, step.venues));
        return step.reload();
      });
    },

    /**
     * DRAFT → ON_SALE; publishing an event already on sale changes nothing (whatever version
     * `ifMatch` names: what was asked for is done).
     */
    async publish(principal: Principal, id: string, ifMatch?: string): Promise<EventWithVenueRow> {
      const condition = parseIfMatch(ifMatch);
      return changeEvent(id, principal, async (row, step) => {
        if (row.status === 'ON_SALE') return row;
        checkVersion(row, condition);
        if (row.status === 'CANCELLED') throw new EventCancelled();
        checkPublishable(draftOf(row), (await usableVenue(row.venue_id, row.organizer_id, principal, step.venues)).tiers, clock());
        await step.transition('ON_SALE', 'event.published');
        return step.reload();
      });
    },

    /** → CANCELLED; booking hears of it (and refunds) only if the event had been on sale. */
    async cancel(principal: Principal, id: string, ifMatch?: string): Promise<EventWithVenueRow> {
      const condition = parseIfMatch(ifMatch);
      return changeEvent(id, principal, async (row, step) => {
        if (row.status === 'CANCELLED') return row;
        // A draft's cancel sent by a page drawn before the event went on sale would refund its orders.
        checkVersion(row, condition);
        await step.transition('CANCELLED', row.status === 'ON_SALE' ? 'event.cancelled' : undefined);
        return step.reload();
      });
    },

    /** Public events, plus the viewer's own drafts (every draft for an admin). */
    async list(viewer: Principal | undefined, filter: Omit<EventListFilter, 'draftsOf' | 'organizerId'> & { mine: boolean }) {
      const { mine, ...rest } = filter;
      if (mine && !viewer) throw new Unauthorized('`mine=true` needs a bearer token');
      return events.list({
        ...rest,
        // A buyer's token naming an organiser's subject sees no draft: drafts are the organiser role's.
        draftsOf: draftsListedFor(viewer),
        organizerId: mine ? viewer?.sub : undefined,
      });
    },

    /** One event, if the viewer may see it. */
    async get(id: string, viewer: Principal | undefined): Promise<EventWithVenueRow> {
      const row = await events.find(id);
      if (!row || !maySee(visibilityOf(row), viewer)) throw new NotFound('Event');
      return row;
    },
  };
}
export type EventCatalogue = ReturnType<typeof createEventCatalogue>;
