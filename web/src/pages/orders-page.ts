/** `#/orders`: the buyer's orders and tickets; a confirmed order can be cancelled (refunded). */
import type { OrderView } from '@stream-seat/contracts';
import { api, postCommand } from '../api.js';
import { h, mount } from '../dom.js';
import { dateTime, money } from '../format.js';
import { pagedList } from '../paged-list.js';
import type { Page } from '../router.js';
import { currentSession } from '../session.js';

export const ordersPage: Page = (root) => {
  // Answers that come back after the user went elsewhere draw nothing.
  let disposed = false;
  const load = async () => {
    if (!currentSession()) {
      mount(root, h('h1', {}, 'My orders'), h('p', { class: 'notice' }, 'Sign in (top right) to see your orders.'));
      return;
    }
    // The API answers 20 at a time, newest first: older orders (and their tickets) a click away.
    const orders = pagedList<OrderView>({
      listClass: 'orders',
      moreClass: 'more-orders',
      moreLabel: 'More orders',
      pageAfter: (cursor) => api('GET', `/orders${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`),
      render: (o) => orderCard(o, load),
    });
    try {
      const first = await orders.first();
      if (disposed) return;
      mount(root, h('h1', {}, 'My orders'), first.length === 0 ? h('p', { class: 'muted' }, 'No orders yet.') : orders.list, orders.more, orders.problem);
    } catch (error) {
      if (!disposed) mount(root, h('h1', {}, 'My orders'), h('p', { class: 'error', role: 'alert' }, (error as Error).message));
    }
  };
  void load();
  return () => {
    disposed = true;
  };
};

/** A cancelled order whose refund has not gone through yet says so: the money is still on its way. */
function statusText(order: OrderView): string {
  if (order.status === 'CONFIRMED') return 'Confirmed';
  return order.refund === 'PENDING' ? 'Cancelled · refund pending (retried automatically)' : 'Cancelled · refunded';
}

function orderCard(order: OrderView, reload: () => Promise<void>): HTMLLIElement {
  const problem = h('p', { class: 'error', role: 'alert' });
  const cancel = () =>
    postCommand(`/orders/${encodeURIComponent(order.orderId)}/cancel`, {
      question: 'Cancel this order? It is refunded and the seats go back on sale.',
      problem,
      after: reload,
    });
  return h(
    'li',
    { class: 'order', 'data-order-id': order.orderId, 'data-status': order.status },
    problem,
    h('p', {}, h('strong', {}, statusText(order)), ` · ${money(order.totalCents, order.currency)} · ${dateTime(order.createdAt)}`),
    h('p', {}, h('a', { href: `#/events/${encodeURIComponent(order.eventId)}` }, 'Event seat map')),
    h('ul', { class: 'tickets' }, ...order.tickets.map((t) => h('li', { 'data-status': t.status }, h('strong', {}, t.seatId), h('code', {}, t.code), t.checkedInAt ? ' · checked in' : ''))),
    // Once a ticket was used at the door only the organiser can cancel (the API answers 409).
    order.status !== 'CONFIRMED'
      ? null
      : order.tickets.some((t) => t.checkedInAt)
        ? h('p', { class: 'muted' }, 'Checked in: ask the organiser to cancel this order.')
        : h('button', { type: 'button', class: 'secondary', onclick: (() => void cancel()) as EventListener }, 'Cancel order'),
  );
}
