/** `#/`: the events on sale, soonest first. */
import type { EventView } from '@stream-seat/contracts';
import { api } from '../api.js';
import { h, mount } from '../dom.js';
import { dateTime, money } from '../format.js';
import type { Page } from '../router.js';

/** Events per page; more come with "More events" (the list follows the API's cursor). */
const PAGE_SIZE = 20;

export const eventsPage: Page = (root) => {
  mount(root, h('h1', {}, 'On sale now'), h('p', { class: 'muted' }, 'Loading events…'));
  // Only what has not started: an event under way is still ON_SALE in the catalogue, but its
  // sales are over, and the oldest of them would fill the first page.
  const from = new Date().toISOString();
  const list = h('ul', { class: 'event-list' });
  const more = h('button', { type: 'button', class: 'secondary more-events' }, 'More events');
  const problem = h('p', { class: 'error', role: 'alert' });
  let cursor: string | null = null;
  // A list that comes back after the user went elsewhere (signed in, clicked "Organiser") must not
  // draw itself over the page they went to.
  let disposed = false;
  const load = async (first: boolean) => {
    more.disabled = true;
    try {
      const page = await api<{ items: EventView[]; nextCursor: string | null }>(
        'GET',
        `/events?status=ON_SALE&from=${encodeURIComponent(from)}&limit=${PAGE_SIZE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      if (disposed) return;
      cursor = page.nextCursor;
      if (first) {
        mount(root, h('h1', {}, 'On sale now'), page.items.length === 0 ? h('p', { class: 'muted' }, 'No event is on sale yet.') : list, more, problem);
      }
      list.append(...page.items.map(eventCard));
      problem.textContent = '';
      more.hidden = cursor === null;
    } catch (error) {
      if (disposed) return;
      if (first) mount(root, h('h1', {}, 'On sale now'), problem);
      problem.textContent = (error as Error).message;
    } finally {
      more.disabled = false;
    }
  };
  more.onclick = () => void load(false);
  void load(true);
  return () => {
    disposed = true;
  };
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
