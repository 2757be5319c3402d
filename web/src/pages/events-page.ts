/** `#/`: the events on sale, soonest first. */
import type { EventView } from '@stream-seat/contracts';
import { api } from '../api.js';
import { h, mount } from '../dom.js';
import { dateTime, money } from '../format.js';
import { pagedList } from '../paged-list.js';
import type { Page } from '../router.js';
import { salesNotice, salesState } from '../sales-window.js';
import { serverNow } from '../server-clock.js';

/** Events per page; more come with "More events" (the list follows the API's cursor). */
const PAGE_SIZE = 20;

export const eventsPage: Page = (root) => {
  mount(root, h('h1', {}, 'On sale now'), h('p', { class: 'muted' }, 'Loading events…'));
  // Only what has not started: an event under way is still ON_SALE in the catalogue, but its
  // sales are over, and the oldest of them would fill the first page. By the server's clock (the
  // first screen waited for an answer of the gateway): a browser's clock days fast hid shows.
  const from = new Date(serverNow()).toISOString();
  const events = pagedList<EventView>({
    listClass: 'event-list',
    moreClass: 'more-events',
    moreLabel: 'More events',
    pageAfter: (cursor) =>
      api('GET', `/events?status=ON_SALE&from=${encodeURIComponent(from)}&limit=${PAGE_SIZE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`),
    render: eventCard,
  });
  // A list that comes back after the user went elsewhere (signed in, clicked "Organiser") must not
  // draw itself over the page they went to.
  let disposed = false;
  void events.first().then(
    (items) => {
      if (!disposed) mount(root, h('h1', {}, 'On sale now'), items.length === 0 ? h('p', { class: 'muted' }, 'No event is on sale yet.') : events.list, events.more, events.problem);
    },
    (error: Error) => {
      if (disposed) return;
      events.problem.textContent = error.message;
      mount(root, h('h1', {}, 'On sale now'), events.problem);
    },
  );
  return () => {
    disposed = true;
  };
};

/** A card of an event whose sales are not open says so: "On sale now" had listed it as any other. */
function salesNote(event: EventView): HTMLElement | null {
  const sales = salesState(event, serverNow());
  const notice = salesNotice(sales);
  return notice ? h('span', { class: 'notice', 'data-sales': sales.kind }, notice) : null;
}

function eventCard(event: EventView): HTMLLIElement {
  const prices = Object.values(event.prices);
  const from = prices.length > 0 ? Math.min(...prices) : undefined;
  return h(
    'li',
    { class: 'event-card' },
    h('a', { href: `#/events/${encodeURIComponent(event.id)}`, 'data-event-id': event.id }, h('strong', {}, event.name)),
    h('span', {}, dateTime(event.startsAt)),
    h('span', { class: 'muted' }, event.venue ? `${event.venue.name}${event.venue.city ? `, ${event.venue.city}` : ''}` : ''),
    from === undefined ? null : h('span', {}, `from ${money(from, event.currency)}`),
    salesNote(event),
  );
}
