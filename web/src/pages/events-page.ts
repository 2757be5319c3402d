/** `#/`: the events on sale, soonest first; found by name or city and days (`#/?q=lyon&from=2031-12-01`). */
import type { EventView } from '@stream-seat/contracts';
import { api } from '../api.js';
import { field, h, mount } from '../dom.js';
import { MAX_SEARCH_LENGTH } from '@stream-seat/contracts/limits';
import { eventsQuery, type EventSearch, searchHash, searching, searchOf } from '../event-search.js';
import { dateTime, money } from '../format.js';
import { pagedList } from '../paged-list.js';
import type { Page } from '../router.js';
import { salesNotice, salesState } from '../sales-window.js';
import { serverNow } from '../server-clock.js';

/** Events per page; more come with "More events" (the list follows the API's cursor). */
const PAGE_SIZE = 20;

const dayFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const dayOf = (date: string) => dayFormat.format(new Date(`${date}T00:00`));

/** The page's heading: what is listed ("On sale: “lyon”, from 1 Dec 2031"). */
function headingOf(search: EventSearch): string {
  if (!searching(search)) return 'On sale now';
  const days = [search.fromDate ? `from ${dayOf(search.fromDate)}` : '', search.toDate ? `to ${dayOf(search.toDate)}` : ''].filter(Boolean).join(' ');
  return `On sale: ${[search.q ? `“${search.q}”` : '', days].filter(Boolean).join(', ')}`;
}

/** The search form, filled in with the search shown; sending it goes to the search's address. */
function searchForm(search: EventSearch): HTMLFormElement {
  const q = h('input', { type: 'search', name: 'q', value: search.q, maxlength: MAX_SEARCH_LENGTH, placeholder: 'Name or city' });
  const fromDate = h('input', { type: 'date', name: 'from', value: search.fromDate });
  // A first day chosen offers no earlier last day in the browser's picker (`min`) — set only then:
  // from an address whose days end before they begin, it would have made the field invalid and
  // held back every search until the date was mended.
  const toDate = h('input', { type: 'date', name: 'to', value: search.toDate });
  fromDate.addEventListener('change', () => (toDate.min = fromDate.value));
  return h(
    'form',
    {
      class: 'event-search',
      role: 'search',
      onsubmit: ((e: Event) => {
        e.preventDefault();
        location.hash = searchHash({ q: q.value, fromDate: fromDate.value, toDate: toDate.value });
      }) as EventListener,
    },
    field('Find', q),
    field('From', fromDate),
    field('To', toDate),
    h('button', { type: 'submit' }, 'Search'),
    searching(search) ? h('a', { href: '#/', class: 'clear-search' }, 'Every event') : null,
  );
}

export const eventsPage: Page = (root, params) => {
  const search = searchOf(params);
  const heading = headingOf(search);
  const form = searchForm(search);
  // Only the results are drawn again: the form stays where it is (typing in it while the list
  // came had lost the focus).
  const results = h('div', { class: 'event-results' }, h('p', { class: 'muted' }, 'Loading events…'));
  // Said once the results are drawn: a region in the page before its text (one drawn with its
  // text, as "No event matches" had been, is not said by many screen readers).
  const said = h('p', { class: 'visually-hidden', role: 'status', 'data-results-said': '' });
  mount(root, h('h1', {}, heading), form, said, results);
  // Only what has not started: an event under way is still ON_SALE in the catalogue, but its
  // sales are over, and the oldest of them would fill the first page. By the server's clock (the
  // first screen waited for an answer of the gateway): a browser's clock days fast hid shows.
  const query = eventsQuery(search, serverNow());
  const events = pagedList<EventView>({
    listClass: 'event-list',
    moreClass: 'more-events',
    moreLabel: 'More events',
    // No day of the range left: nothing to ask for.
    pageAfter: async (cursor) => (query === undefined ? { items: [], nextCursor: null } : api('GET', `/events?${query}&limit=${PAGE_SIZE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)),
    render: eventCard,
  });
  const none = searching(search) ? h('p', { class: 'muted no-match' }, 'No event on sale matches this search. ', h('a', { href: '#/' }, 'See every event')) : h('p', { class: 'muted' }, 'No event is on sale yet.');
  // A list that comes back after the user went elsewhere (signed in, clicked "Organiser") must not
  // draw itself over the page they went to.
  let disposed = false;
  void events.first().then(
    (items) => {
      if (disposed) return;
      mount(results, items.length === 0 ? none : events.list, events.more, events.problem);
      if (items.length === 0 && searching(search)) said.textContent = 'No event on sale matches this search.';
    },
    (error: Error) => {
      if (disposed) return;
      events.problem.textContent = error.message;
      mount(results, events.problem);
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
