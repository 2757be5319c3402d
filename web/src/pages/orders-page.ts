/**
 * `#/orders`: the buyer's orders and tickets, each named by its event; a confirmed order can be
 * cancelled (refunded) until its show starts.
 */
import type { EventView, OrderView } from '@stream-seat/contracts';
import { postCommand } from '../api.js';
import { h, mount } from '../dom.js';
import { dateTime, money } from '../format.js';
import { readEvent, readOrdersPage, readSeatMap } from '../kept-orders.js';
import { pagedList } from '../paged-list.js';
import { type PlaceNamer, placeNamesOfEvents } from '../place-names.js';
import type { Page } from '../router.js';
import { serverNow } from '../server-clock.js';
import { currentSession, lapsedSession } from '../session.js';
import { ticketItem } from '../ticket-item.js';

/** The catalogue's events behind a page of orders, each asked for once; one it cannot give is `null`. */
type EventsById = Map<string, EventView | null>;
/** The names of an event's places ("Orchestra, row A, seat 3"), from its seat map, asked for once. */
type PlaceNames = (eventId: string) => Promise<PlaceNamer>;

export const ordersPage: Page = (root) => {
  // Answers that come back after the user went elsewhere draw nothing.
  let disposed = false;
  const load = async () => {
    const signInNotice = h('p', { class: 'notice' }, 'Sign in (top right) to see your orders.');
    // A session that ended without a sign-out (its token ran out): its orders as the service
    // worker kept them, never the network — the tickets still open the door.
    const lapsed = currentSession() ? undefined : lapsedSession();
    if (!currentSession() && !lapsed) {
      mount(root, h('h1', {}, 'My orders'), signInNotice);
      return;
    }
    const reads = lapsed ? { keptFor: lapsed } : {};
    // The API answers 20 at a time, newest first: older orders (and their tickets) a click away.
    // Each page waits for its orders' events, so that a card is drawn once, whole.
    const events: EventsById = new Map();
    /** When the first page shown was kept, when it is the service worker's copy (no network). */
    let keptAt: string | undefined;
    // Named once the map is in: a card never waits for it; without it a ticket shows its seat's id.
    // Both kept by the service worker with the orders: the tickets read the same offline.
    const namesOf: PlaceNames = placeNamesOfEvents((eventId) => readSeatMap(eventId, reads));
    const orders = pagedList<OrderView>({
      listClass: 'orders',
      moreClass: 'more-orders',
      moreLabel: 'More orders',
      pageAfter: async (cursor) => {
        const { body: page, keptAt: kept } = await readOrdersPage(cursor, reads);
        if (cursor === null) keptAt = kept;
        await lookUpEvents(page.items, events, reads);
        return page;
      },
      render: (o) => orderCard(o, events.get(o.eventId) ?? null, namesOf, keptAt !== undefined),
    });
    try {
      const first = await orders.first();
      if (disposed) return;
      // Without a network, or a running session: the orders as they were last seen here, whose
      // tickets still open the door.
      const offline = keptAt ? h('p', { class: 'notice offline-notice', role: 'status' }, keptNotice(keptAt, lapsed !== undefined)) : null;
      mount(root, h('h1', {}, 'My orders'), offline, first.length === 0 ? h('p', { class: 'muted' }, 'No orders yet.') : orders.list, orders.more, orders.problem);
    } catch (error) {
      // Nothing kept for the ended session: signing in is the way to the orders.
      if (!disposed) mount(root, h('h1', {}, 'My orders'), lapsed ? signInNotice : h('p', { class: 'error', role: 'alert' }, (error as Error).message));
    }
  };
  void load();
  return () => {
    disposed = true;
  };
};

/** What the notice over orders read from what was kept says: no network, or no running session. */
function keptNotice(keptAt: string, sessionEnded: boolean): string {
  const asKept = `these are your orders as they were at ${dateTime(keptAt)}, as this browser last saw them`;
  return sessionEnded ? `Your sign-in has run out: ${asKept}. Sign in (top right) to see them as they are now.` : `No network: ${asKept} (a change made elsewhere since is not shown).`;
}

/** Fills in the events of `orders` not looked up yet. An event the catalogue cannot give (it is down) leaves its cards plainer, not the list unshown. */
async function lookUpEvents(orders: OrderView[], events: EventsById, reads: Parameters<typeof readEvent>[1]): Promise<void> {
  const missing = [...new Set(orders.map((o) => o.eventId))].filter((id) => !events.has(id));
  await Promise.all(
    missing.map(async (id) => {
      events.set(id, await readEvent(id, reads).catch(() => null));
    }),
  );
}

/** A cancelled order whose refund has not gone through yet says so: the money is still on its way. */
function statusText(order: OrderView): string {
  if (order.status === 'CONFIRMED') return 'Confirmed';
  return order.refund === 'PENDING' ? 'Cancelled · refund pending (retried automatically)' : 'Cancelled · refunded';
}

/** Why a confirmed order offers no "Cancel order" (the API would answer 409), or null when it does. */
function cancelRefusal(order: OrderView, event: EventView | null): string | null {
  if (order.tickets.some((t) => t.checkedInAt)) return 'Checked in: ask the organiser to cancel this order.';
  // Judged by the server's clock, as the API judges it. An unknown start leaves the choice to the API.
  if (event && serverNow() >= Date.parse(event.startsAt)) return 'The show has started: ask the organiser to cancel this order.';
  return null;
}

/**
 * An order's card. A cancel redraws this card alone, from the API's answer, and keeps the focus on
 * it: the whole list drawn again had put the buyer back on the first page of orders.
 */
function orderCard(order: OrderView, event: EventView | null, namesOf: PlaceNames, offline = false): HTMLLIElement {
  const problem = h('p', { class: 'error', role: 'alert' });
  const cancel = (button: EventTarget | null) =>
    postCommand(`/orders/${encodeURIComponent(order.orderId)}/cancel`, {
      button,
      question: 'Cancel this order? It is refunded and the seats go back on sale.',
      problem,
      after: (answer) => {
        const redrawn = orderCard(answer as OrderView, event, namesOf);
        card.replaceWith(redrawn);
        redrawn.focus();
      },
    });
  const places = order.tickets.map((t) => h('strong', {}, t.seatId));
  void namesOf(order.eventId).then((nameOf) => places.forEach((place, i) => (place.textContent = nameOf(order.tickets[i]?.seatId ?? ''))));
  const card = h(
    'li',
    { class: 'order', 'data-order-id': order.orderId, 'data-status': order.status, tabindex: -1 },
    problem,
    h('p', {}, h('strong', {}, statusText(order)), ` · ${money(order.totalCents, order.currency)} · ${dateTime(order.createdAt)}`),
    h(
      'p',
      { class: 'order-event' },
      h('a', { href: `#/events/${encodeURIComponent(order.eventId)}` }, event ? event.name : 'Event seat map'),
      event ? ` · ${dateTime(event.startsAt)}${event.venue ? ` · ${event.venue.name}` : ''}` : '',
    ),
    h('ul', { class: 'tickets' }, ...order.tickets.map((t, i) => ticketItem(t, places[i] as HTMLElement))),
    // Once a ticket was used at the door, or the show started, only the organiser can cancel; from
    // an offline copy, nobody (it would only fail).
    order.status !== 'CONFIRMED' || offline ? null : cancelButtonOr(cancelRefusal(order, event), cancel, orderName(order, event)),
  );
  return card;
}

/** An order as a screen reader's list of buttons tells it from the others: its event, total and when it was placed. */
function orderName(order: OrderView, event: EventView | null): string {
  return `${event ? event.name : 'Order'}, ${money(order.totalCents, order.currency)}, ${dateTime(order.createdAt)}`;
}

/** "Cancel order", named with the order (the label first, as shown): each had been only "Cancel order". */
function cancelButtonOr(refusal: string | null, cancel: (button: EventTarget | null) => Promise<void>, name: string): HTMLElement {
  return refusal
    ? h('p', { class: 'muted cancel-refused' }, refusal)
    : h('button', { type: 'button', class: 'secondary', 'aria-label': `Cancel order: ${name}`, onclick: ((e: Event) => void cancel(e.currentTarget)) as EventListener }, 'Cancel order');
}
