/** `#/`: the events on sale, soonest first. */
import type { EventView } from '@stream-seat/contracts';
import { api } from '../api.js';
import { h, mount } from '../dom.js';
import { dateTime, money } from '../format.js';
import type { Page } from '../router.js';

export const eventsPage: Page = (root) => {
  mount(root, h('h1', {}, 'On sale now'), h('p', { class: 'muted' }, 'Loading events…'));
  void api<{ items: EventView[] }>('GET', '/events?status=ON_SALE&limit=100').then(
    ({ items }) => {
      mount(
        root,
        h('h1', {}, 'On sale now'),
        items.length === 0
          ? h('p', { class: 'muted' }, 'No event is on sale yet.')
          : h('ul', { class: 'event-list' }, ...items.map(eventCard)),
      );
    },
    (error: Error) => mount(root, h('h1', {}, 'On sale now'), h('p', { class: 'error', role: 'alert' }, error.message)),
  );
};

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
  );
}
