/** Rules of an event's life: what a draft may hold, when it may go on sale, who may see it. */
import { type EventStatus, MAX_ORDER_CENTS } from '@stream-seat/contracts';
import { majorUnitsText as amount } from '@stream-seat/contracts/currencies';
import { InvalidField, type Principal } from '@stream-seat/platform';

/** An event's fields as the rules see them: times in epoch ms. */
export interface EventDraft {
  startsAt: number;
  /** What `prices` are in (ISO 4217): they are in its minor units. */
  currency: string;
  prices: Record<string, number>;
  salesStartAt: number | null;
  salesEndAt: number | null;
  maxSeatsPerOrder: number;
}

/** Rules every saved draft follows: prices only for the venue's tiers, a coherent sales window. */
export function checkDraft(draft: EventDraft, venueTiers: string[], now: number): void {
  for (const tier of Object.keys(draft.prices)) {
    if (!venueTiers.includes(tier)) {
      throw new InvalidField(`prices.${tier}`, `is not a tier of the venue (tiers: ${venueTiers.join(', ')})`);
    }
  }
  const [dearestTier, dearest] = Object.entries(draft.prices).reduce((a, b) => (b[1] > a[1] ? b : a), ['', 0]);
  if (dearest * draft.maxSeatsPerOrder > MAX_ORDER_CENTS) {
    throw new InvalidField(
      'maxSeatsPerOrder',
      `${draft.maxSeatsPerOrder} seats at the highest price (${dearestTier}: ${amount(dearest, draft.currency)}) would cost ${amount(dearest * draft.maxSeatsPerOrder, draft.currency)}, more than one order may (${amount(MAX_ORDER_CENTS, draft.currency)}); lower one of them`,
    );
  }
  if (draft.startsAt <= now) throw new InvalidField('startsAt', 'must be in the future');
  const { salesStartAt, salesEndAt } = draft;
  if (salesStartAt !== null && salesStartAt >= draft.startsAt) {
    throw new InvalidField('salesStartAt', 'must be before startsAt');
  }
  if (salesEndAt !== null && salesStartAt !== null && salesEndAt <= salesStartAt) {
    throw new InvalidField('salesEndAt', 'must be after salesStartAt');
  }
  if (salesEndAt !== null && salesEndAt > draft.startsAt) {
    throw new InvalidField('salesEndAt', 'must not be after startsAt');
  }
}

/** Going on sale also needs a price for every tier and a sales window that is not over. */
export function checkPublishable(draft: EventDraft, venueTiers: string[], now: number): void {
  checkDraft(draft, venueTiers, now);
  const missing = venueTiers.filter((tier) => !Object.hasOwn(draft.prices, tier));
  if (missing.length > 0) throw new InvalidField('prices', `has no price for tier ${missing.join(', ')}`);
  if (draft.salesEndAt !== null && draft.salesEndAt <= now) {
    throw new InvalidField('salesEndAt', 'the sales window is already over');
  }
}

/** Who may change a venue or an event: its organiser, or an admin. */
export function mayChange(ownerId: string, viewer: Principal | undefined): boolean {
  return viewer !== undefined && (viewer.role === 'admin' || (viewer.role === 'organizer' && viewer.sub === ownerId));
}

/**
 * Events on sale, and cancelled after they had been, are public; a draft — and a draft that was
 * cancelled without ever going on sale — is its organiser's (and admins') alone.
 */
export function maySee(event: { status: EventStatus; organizerId: string; cancelledAsDraft: boolean }, viewer: Principal | undefined): boolean {
  return isPublic(event) || mayChange(event.organizerId, viewer);
}

/** On sale, or cancelled after it had been: anyone may see it, and shared caches may keep it. */
export function isPublic(event: { status: EventStatus; cancelledAsDraft: boolean }): boolean {
  return event.status !== 'DRAFT' && !event.cancelledAsDraft;
}

/** Whose drafts a list shows besides the public events: an organiser's own, or all for an admin. */
export function draftsListedFor(viewer: Principal | undefined): string | 'all' | undefined {
  if (viewer?.role === 'admin') return 'all';
  return viewer?.role === 'organizer' ? viewer.sub : undefined;
}
