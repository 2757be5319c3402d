/**
 * The event page's purchase: a hold on its way to an order. It keeps the buyer's hold (across
 * reloads and tabs), pays for it, releases it, and finds out how it ended when answers were lost —
 * the service alone decides whether a hold is still running or became an order.
 */
import type { HoldView, OrderView, SeatStatusValue } from '@stream-seat/contracts';
import { api, ApiProblem } from '../api.js';
import { timeOfDay } from '../format.js';
import { keepOrdersForOffline } from '../kept-orders.js';
import { serverNow } from '../server-clock.js';
import { buys, currentSession } from '../session.js';
import { createOtherHolds } from './other-holds.js';

export interface PanelMessage {
  text: string;
  kind: 'info' | 'error';
}

export interface PurchaseDeps {
  eventId: string;
  /** Marks the seats held for the buyer on the map (this page's hold's and the buyer's other holds'). */
  showMine(seatIds: Set<string>): void;
  /** The purchase changed: redraw the panel. */
  changed(): void;
  /** A seat's status as the live stream shows it; undefined when not known yet. */
  seatStatus(seatId: string): SeatStatusValue | undefined;
}

const holdKey = (eventId: string) => `stream-seat.hold.${eventId}`;

/** How a hold that is no longer running ended, as the service read it (undefined: gone, or not read). */
const endedText = (found: HoldView | undefined) =>
  found?.status === 'RELEASED'
    ? 'Your hold was released (in another tab or on another device): the seats went back on sale.'
    : 'Your hold expired and the seats went back on sale.';

export function createPurchase(deps: PurchaseDeps) {
  const state: {
    hold?: HoldView | undefined;
    order?: OrderView | undefined;
    message?: PanelMessage | undefined;
    /** An action is under way: the panel's buttons wait. */
    busy: boolean;
    /** The card last paid with: the redrawn form keeps it chosen (after a decline, say). */
    card?: string | undefined;
  } = { busy: false };

  /** The buyer's other holds of the event still running (another tab's, another device's). */
  const others = createOtherHolds({
    eventId: deps.eventId,
    ownHoldIds: () => [state.hold?.holdId, state.order?.holdId],
    now: serverNow,
    changed() {
      markMine();
      deps.changed();
    },
    ownEnded(holdId) {
      if (state.hold?.holdId === holdId) settle(state.hold);
    },
  });

  /** The map rings every seat held for the buyer: this page's hold's, and the other holds'. */
  function markMine(): void {
    deps.showMine(new Set([...(state.hold?.seatIds ?? []), ...others.list.flatMap((other) => other.seatIds)]));
  }

  /** Runs one action at a time; its error becomes the panel's message. */
  async function run(action: () => Promise<void>): Promise<void> {
    if (state.busy) return;
    state.busy = true;
    // The last action's message (a declined payment's alert) is not this one's.
    state.message = undefined;
    deps.changed();
    try {
      await action();
    } catch (error) {
      state.message = { kind: 'error', text: describe(error) };
    } finally {
      state.busy = false;
      deps.changed();
    }
  }

  function describe(error: unknown): string {
    if (error instanceof ApiProblem && error.status === 401) return 'Sign in first (top right).';
    if (error instanceof ApiProblem && error.status === 403) return 'Sign in as a buyer to buy tickets.';
    return error instanceof Error ? error.message : String(error);
  }

  function held(made: HoldView): void {
    state.hold = made;
    others.remove(made.holdId);
    sessionStorage.setItem(holdKey(deps.eventId), made.holdId);
    markMine();
    // The stream often shows its seats held before the answer comes.
    noteOwnSeats();
  }

  /** The hold a request made is the buyer's now (`earlier`: a request whose answer had been lost). */
  function accept(made: HoldView, earlier: boolean): void {
    held(made);
    // Listed in the buyer's other tabs of the event, to pay for or release there too.
    others.toldHeld(made);
    const until = timeOfDay(made.expiresAt);
    state.message = { kind: 'info', text: earlier ? `Your earlier request went through: these seats are held for you until ${until}.` : `Held for you until ${until}.` };
  }

  function ordered(found: OrderView): void {
    // Its tickets kept for reading offline now, not only once My orders is opened online (every
    // kept page again: the new order moved the pages' bounds).
    void keepOrdersForOffline();
    others.toldEnded(found.holdId);
    state.order = found;
    state.hold = undefined;
    sessionStorage.removeItem(holdKey(deps.eventId));
    // Sold now, as the map shows them after a reload: no longer the ring of seats held for the buyer.
    markMine();
    state.message = undefined;
  }

  function endHold(text: string): void {
    if (state.hold) others.toldEnded(state.hold.holdId);
    state.hold = undefined;
    sessionStorage.removeItem(holdKey(deps.eventId));
    markMine();
    state.message = { kind: 'info', text };
  }

  /**
   * The buyer's order for this hold, shown with its tickets; false when none is found. The service
   * names the order of an ordered hold (in the hold, and in its 409 to a second payment); without
   * it, the buyer's latest orders are searched. Not shown when `stillWanted` says the page moved on
   * meanwhile (a restore overtaken by a new hold).
   */
  async function showOrderOf(holdId: string, orderId: unknown, stillWanted = () => true): Promise<boolean> {
    const found =
      typeof orderId === 'string'
        ? await api<OrderView>('GET', `/orders/${encodeURIComponent(orderId)}`)
        : (await api<{ items: OrderView[] }>('GET', '/orders')).items.find((o) => o.holdId === holdId);
    if (!found || !stillWanted()) return false;
    ordered(found);
    return true;
  }

  /**
   * One Idempotency-Key per hold and card: paying again after an answer that never came (the
   * connection dropped) replays the order instead of failing on a hold already ordered.
   */
  const payKeys = new Map<string, string>();
  const payAttempt = (holdId: string, token: string) => `${holdId}\n${token}`;
  function payKey(holdId: string, token: string): string {
    const attempt = payAttempt(holdId, token);
    const key = payKeys.get(attempt) ?? crypto.randomUUID();
    payKeys.set(attempt, key);
    return key;
  }

  /**
   * What a payment that failed leaves: the hold, while its time lasts — read again, since a
   * payment begun in the hold's last moments carries it on (the countdown shows its new end). Once
   * it is up, the countdown's check with the server says how it ended.
   */
  async function stillHeld(current: HoldView): Promise<string> {
    const found = await api<HoldView>('GET', `/holds/${encodeURIComponent(current.holdId)}`).catch(() => undefined);
    const latest = found?.status === 'ACTIVE' ? found : current;
    if (state.hold === current) state.hold = latest;
    return Date.parse(latest.expiresAt) > serverNow() ? 'Your seats are still held: try again, or with another card.' : 'Your hold has run out meanwhile.';
  }

  function pay(token: string): Promise<void> {
    const current = state.hold;
    if (!current) return Promise.resolve();
    state.card = token;
    return run(async () => {
      try {
        ordered(await api<OrderView>('POST', '/orders', { body: { holdId: current.holdId, payment: { token } }, idempotencyKey: payKey(current.holdId, token) }));
      } catch (error) {
        // Already paid (in another tab, or by a request whose answer was lost): show that order.
        if (error instanceof ApiProblem && error.status === 409 && error.body['holdStatus'] === 'ORDERED') {
          if (await showOrderOf(current.holdId, error.body['orderId'])) return;
          state.message = { kind: 'info', text: 'These seats are already paid for: see My orders.' };
          return;
        }
        if (error instanceof ApiProblem && error.status === 402) {
          // A decline is an answer, not a lost one: paying again asks the provider again (a card
          // may go through later) rather than replaying this decline under the same key.
          payKeys.delete(payAttempt(current.holdId, token));
          state.message = { kind: 'error', text: `The payment was declined. ${await stillHeld(current)}` };
          return;
        }
        if (error instanceof ApiProblem && error.status === 504 && String(error.body['type'] ?? '').endsWith('/payment-timeout')) {
          // An answer too: the service keeps it for its key (the charge may still go through, and
          // is then refunded), so paying again is a new attempt under a new key.
          payKeys.delete(payAttempt(current.holdId, token));
          state.message = {
            kind: 'error',
            text: `The payment provider did not answer in time (a charge that went through late is refunded). ${await stillHeld(current)}`,
          };
          return;
        }
        if (error instanceof ApiProblem && error.status === 410) {
          // Ended: by its time, or released elsewhere (another tab's "Release") — said as it was.
          const ended = await api<HoldView>('GET', `/holds/${encodeURIComponent(current.holdId)}`).catch(() => undefined);
          endHold(endedText(ended));
          return;
        }
        throw error;
      }
    });
  }

  /**
   * Releases a hold; or, when it was paid for already (a "Pay" whose answer was lost, another tab),
   * says so with its order's id — never "released" for seats that are the buyer's order.
   */
  async function releaseHold(holdId: string): Promise<{ paidFor: false } | { paidFor: true; orderId: unknown }> {
    try {
      await api('DELETE', `/holds/${encodeURIComponent(holdId)}`);
      return { paidFor: false };
    } catch (error) {
      if (error instanceof ApiProblem && error.status === 409 && error.body['holdStatus'] === 'ORDERED') return { paidFor: true, orderId: error.body['orderId'] };
      throw error;
    }
  }

  function release(): Promise<void> {
    const current = state.hold;
    if (!current) return Promise.resolve();
    return run(async () => {
      const outcome = await releaseHold(current.holdId);
      if (!outcome.paidFor) return endHold('Released: the seats are back on sale.');
      // Its order, with the tickets, rather than "released".
      if (await showOrderOf(current.holdId, outcome.orderId)) return;
      endHold('These seats are already paid for: see My orders.');
    });
  }

  let settling = false;
  /**
   * Asks the server how the page's hold stands, which it alone decides, and shows that: run on (a
   * payment begun in its last moments carries it on: the countdown goes to its new end), paid for
   * (its order — the answer to "Pay" may never have reached this tab, or another tab paid), or
   * ended (released elsewhere, or expired). Asked when its time is up by the server's clock, and
   * when it seems to have ended elsewhere. A payment on its way here decides first.
   */
  function settle(current: HoldView): void {
    if (settling || state.busy) return;
    settling = true;
    void (async () => {
      let found: HoldView | undefined;
      try {
        found = await api<HoldView>('GET', `/holds/${encodeURIComponent(current.holdId)}`);
      } catch (error) {
        // Unreachable for a moment: asked again on the next tick. Gone: it ended.
        if (!(error instanceof ApiProblem && error.status === 404)) return;
      }
      if (state.hold !== current) return;
      if (found?.status === 'ACTIVE') {
        if (Date.parse(found.expiresAt) > Date.parse(current.expiresAt)) {
          state.hold = found;
          deps.changed();
        }
        return;
      }
      if (found?.status === 'ORDERED' && (await showOrderOf(current.holdId, found.orderId))) return deps.changed();
      endHold(endedText(found));
      deps.changed();
    })().finally(() => (settling = false));
  }

  /** The hold whose seats the live stream has shown held (see `noteOwnSeats`). */
  let seenHeld: string | undefined;
  /**
   * The page's hold's seats as the live stream shows them: booked, or back on sale once it had shown
   * them held, it ended elsewhere — another tab paid for or released it, another device (a tab had
   * gone on offering to pay for it, and its seats as held for the buyer, for up to ten minutes).
   */
  function noteOwnSeats(): void {
    const current = state.hold;
    if (!current) return;
    const statuses = current.seatIds.map((seatId) => deps.seatStatus(seatId));
    if (statuses.every((status) => status === 'HELD')) seenHeld = current.holdId;
    else if (statuses.includes('BOOKED') || seenHeld === current.holdId) settle(current);
  }

  /**
   * A reload keeps the buyer's hold: it is remembered for this tab. Another tab, or another device,
   * finds it by asking for the buyer's holds of the event still running (it had shown the buyer's
   * own seats as taken, with nothing to pay for or release).
   */
  async function restore(): Promise<void> {
    const session = currentSession();
    if (!session) return;
    // The buyer's holds of the event still running, newest first (a few at most: the service bounds them).
    const running = buys(session) ? (await api<{ items: HoldView[] }>('GET', `/holds?eventId=${encodeURIComponent(deps.eventId)}`).catch(() => undefined))?.items ?? [] : [];
    // Whatever this page goes on to show, the rest are the buyer's other holds (drawn with it).
    const noteOthers = () => others.found(running);
    const holdId = sessionStorage.getItem(holdKey(deps.eventId)) ?? running[0]?.holdId ?? null;
    if (!holdId || state.hold) return noteOthers();
    try {
      const found = await api<HoldView>('GET', `/holds/${encodeURIComponent(holdId)}`);
      // The buyer held (or bought) seats while the answer was on its way: theirs win, the older
      // hold is not shown over them (it runs out on its own, or is found again on a reload).
      const overtaken = () => state.hold !== undefined || state.order !== undefined;
      if (overtaken()) return noteOthers();
      // Paid for (the answer may never have reached this tab): its order, with the tickets.
      if (found.status === 'ORDERED' && (await showOrderOf(holdId, found.orderId, () => !overtaken()))) return noteOthers();
      if (overtaken()) return noteOthers();
      if (found.status !== 'ACTIVE') throw new Error('ended');
      held(found);
    } catch {
      // Only this hold's note: a hold made meanwhile keeps its own.
      if (sessionStorage.getItem(holdKey(deps.eventId)) === holdId) sessionStorage.removeItem(holdKey(deps.eventId));
    }
    noteOthers();
  }

  /** Releases one of the buyer's other holds (its seats back on sale); one that ended meanwhile is said so. */
  function releaseOther(holdId: string): Promise<void> {
    return run(async () => {
      try {
        const outcome = await releaseHold(holdId);
        state.message = { kind: 'info', text: outcome.paidFor ? 'Those seats were paid for meanwhile: see My orders.' : 'Released: the seats are back on sale.' };
      } catch (error) {
        // Gone (ended, and forgotten): nothing to release.
        if (!(error instanceof ApiProblem && error.status === 404)) throw error;
      }
      others.toldEnded(holdId);
      others.remove(holdId);
    });
  }

  /** One of the buyer's other holds becomes this page's, to pay for here (the page has no hold or tickets shown). */
  function adoptOther(holdId: string): void {
    const other = others.list.find((candidate) => candidate.holdId === holdId);
    if (!other || state.hold || state.order || state.busy) return;
    held(other);
    // Said, as a hold made here is: the panel changed under the buyer's click.
    state.message = { kind: 'info', text: `These seats are yours to pay for here, held until ${timeOfDay(other.expiresAt)}.` };
    deps.changed();
  }

  /** Drops the other holds that ended (see `dropEnded`); true if any was. */
  function dropEndedOthers(statusOf: (seatId: string) => string | undefined): boolean {
    if (!others.dropEnded(statusOf)) return false;
    markMine();
    return true;
  }

  return {
    state,
    /** The buyer's other holds of the event, to list beside the page's own. */
    get others(): readonly HoldView[] {
      return others.list;
    },
    run,
    accept,
    pay,
    release,
    /** The hold's time is up by the server's clock: the server says how it ended. */
    timeUp: settle,
    noteOwnSeats,
    restore,
    releaseOther,
    adoptOther,
    dropEndedOthers,
    /** Back to choosing seats after an order (its tickets stay in My orders). */
    buyMore(): void {
      state.order = undefined;
      state.message = undefined;
      deps.changed();
    },
    /** The event was cancelled: no hold of it is kept for a reload. */
    forget(): void {
      sessionStorage.removeItem(holdKey(deps.eventId));
    },
    /** The page is left: no more news of the buyer's other holds. */
    dispose: () => others.dispose(),
  };
}
