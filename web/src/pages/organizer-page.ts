/**
 * `#/organizer`: an organiser's console — the check-in desk; their events (a new draft, a draft
 * changed, put on sale or cancelled, an event's sales); their venues (a new one from sections of
 * rows or standing places).
 */
import type { EventView, VenueView } from '@stream-seat/contracts';
import { api, ApiProblem, postCommand } from '../api.js';
import { h, mount } from '../dom.js';
import { dateTime, money } from '../format.js';
import type { Page } from '../router.js';
import { currentSession, organizes } from '../session.js';
import { checkInDesk } from './check-in-desk.js';
import { eventEditor, type VenueChoice } from './event-editor.js';
import { venueEditor } from './venue-editor.js';

/** Pages of the API's lists, followed to the end: an organiser sees every event and venue of theirs. */
const MAX_PAGES = 50;

/** Every item of a list of the organiser's, up to MAX_PAGES pages; `more` when the list goes on past them. */
async function everyPage<T>(path: string): Promise<{ items: T[]; more: boolean }> {
  const items: T[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < MAX_PAGES; page++) {
    const next: { items: T[]; nextCursor: string | null } = await api('GET', `${path}${path.includes('?') ? '&' : '?'}limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    items.push(...next.items);
    cursor = next.nextCursor;
    if (cursor === null) return { items, more: false };
  }
  return { items, more: true };
}

export const organizerPage: Page = (root) => {
  const session = currentSession();
  if (!organizes(session)) {
    mount(root, h('h1', {}, 'Organiser'), h('p', { class: 'notice' }, 'Sign in as an organiser (top right).'));
    return;
  }
  const events = h('div', {}, h('p', { class: 'muted' }, 'Loading your events…'));
  const venuesList = h('div', {}, h('p', { class: 'muted' }, 'Loading your venues…'));
  // One form open at a time, above the lists it adds to.
  const eventForm = h('div', { class: 'editor-slot' });
  const venueForm = h('div', { class: 'editor-slot' });
  const newEvent = h('button', { type: 'button', class: 'new-event' }, 'New event');
  const newVenue = h('button', { type: 'button', class: 'new-venue' }, 'New venue');
  const desk = checkInDesk();
  mount(
    root,
    h('h1', {}, 'Organiser'),
    desk.section,
    h('section', { class: 'my-events' }, h('h2', {}, 'My events'), newEvent, eventForm, events),
    h('section', { class: 'my-venues' }, h('h2', {}, 'My venues'), newVenue, venueForm, venuesList),
  );

  let venues: VenueChoice[] = [];
  let lastCurrency: string | undefined;
  /** Settles once the venues have been asked for (a click on "New event" before had said there were none). */
  let venuesAsked: Promise<void> = Promise.resolve();

  const closeForms = (back?: HTMLElement) => {
    eventForm.replaceChildren();
    venueForm.replaceChildren();
    back?.focus();
  };
  /** Opens a form in `slot`, its first control focused. */
  const open = (slot: HTMLElement, form: HTMLFormElement) => {
    closeForms();
    slot.replaceChildren(form);
    form.querySelector<HTMLElement>('input, select')?.focus();
  };
  /** Says `text` where the event form was, the form closed. */
  const sayInstead = (text: string) => {
    closeForms();
    eventForm.replaceChildren(h('p', { class: 'notice editor-notice', role: 'status' }, text));
  };
  const editEvent = async (event?: EventView) => {
    await venuesAsked;
    if (venues.length === 0) return sayInstead('An event takes place at one of your venues: create a venue first (below).');
    open(
      eventForm,
      eventEditor(
        venues,
        (saved) => {
          lastCurrency = saved.currency;
          closeForms();
          void loadEvents(saved.id);
        },
        () => closeForms(newEvent),
        {
          ...(event ? { event } : {}),
          ...(lastCurrency ? { currency: lastCurrency } : {}),
          // Put on sale or cancelled in another tab meanwhile: said, and the list drawn as it is now.
          gone: (text) => (sayInstead(text), void loadEvents(event?.id)),
        },
      ),
    );
  };
  newEvent.addEventListener('click', () => void editEvent());
  newVenue.addEventListener('click', () =>
    open(
      venueForm,
      venueEditor(
        (venue) => {
          closeForms();
          void loadVenues(venue.id);
        },
        () => closeForms(newVenue),
      ),
    ),
  );

  /** Draws the list again; `focus`: the event whose card keeps the focus (a publish or cancel had sent it to the page's top). */
  const loadEvents = async (focus?: string) => {
    try {
      const { items, more } = await everyPage<EventView>('/events?mine=true');
      desk.doors(items);
      lastCurrency ??= items.at(-1)?.currency;
      mount(
        events,
        items.length === 0 ? h('p', { class: 'muted' }, 'You have no events yet.') : h('ul', { class: 'event-list' }, ...items.map((e) => eventRow(e, loadEvents, (event) => void editEvent(event)))),
        more ? h('p', { class: 'notice' }, `Showing your first ${items.length} events; the API lists the rest (GET /api/events?mine=true).`) : null,
      );
      if (focus) events.querySelector<HTMLElement>(`[data-event-id="${CSS.escape(focus)}"]`)?.focus();
    } catch (error) {
      mount(events, h('p', { class: 'error', role: 'alert' }, (error as Error).message));
    }
  };
  const loadVenues = async (focus?: string) => {
    try {
      const { items, more } = await everyPage<VenueChoice & Pick<VenueView, 'createdAt'>>('/venues');
      venues = items;
      mount(
        venuesList,
        items.length === 0 ? h('p', { class: 'muted' }, 'You have no venues yet.') : h('ul', { class: 'venue-list' }, ...items.map(venueRow)),
        more ? h('p', { class: 'notice' }, `Showing your first ${items.length} venues; the API lists the rest (GET /api/venues).`) : null,
      );
      if (focus) venuesList.querySelector<HTMLElement>(`[data-venue-id="${CSS.escape(focus)}"]`)?.focus();
    } catch (error) {
      mount(venuesList, h('p', { class: 'error', role: 'alert' }, (error as Error).message));
    }
  };
  void loadEvents();
  venuesAsked = loadVenues();
  // Leaving the page turns the desk's camera off.
  return () => desk.stop();
};

function venueRow(venue: VenueChoice): HTMLLIElement {
  return h(
    'li',
    { class: 'venue-card', 'data-venue-id': venue.id, tabindex: -1 },
    h('strong', {}, venue.name),
    h('span', {}, `${venue.city ? `${venue.city} · ` : ''}${venue.capacity.toLocaleString()} places · tiers ${venue.tiers.join(', ')}`),
  );
}

/** An organiser's sales of an event (`GET /api/sales/{eventId}`). */
interface SalesSummary {
  currency: string;
  orders: { confirmed: number; cancelled: number };
  tickets: { sold: number; checkedIn: number };
  seats: { sold: number; held: number; available: number; total: number };
  revenueCents: number;
  refundedCents: number;
}

/** "1 order", "2 orders". */
const counted = (n: number, noun: string) => `${n.toLocaleString()} ${noun}${n === 1 ? '' : 's'}`;

/** The event's sales in a line or two, asked when the organiser opens them. */
function salesFigures(event: EventView): HTMLElement {
  const figures = h('p', { class: 'sales-figures', 'aria-live': 'polite' });
  const show = h('button', { type: 'button', class: 'secondary show-sales' }, 'Sales');
  show.addEventListener('click', () => {
    show.disabled = true;
    figures.textContent = 'Counting…';
    void api<SalesSummary>('GET', `/sales/${encodeURIComponent(event.id)}`)
      .then((s) => {
        figures.textContent =
          `${counted(s.tickets.sold, 'ticket')} sold in ${counted(s.orders.confirmed, 'order')}, ${money(s.revenueCents, s.currency)}; ` +
          `${s.tickets.checkedIn.toLocaleString()} checked in. ` +
          // A cancelled event has no places left to sell, whatever its seats read.
          (event.status === 'CANCELLED' ? 'Cancelled: nothing more is sold.' : `${s.seats.available.toLocaleString()} of ${s.seats.total.toLocaleString()} places left, ${s.seats.held.toLocaleString()} held now.`) +
          (s.orders.cancelled > 0 ? ` ${counted(s.orders.cancelled, 'order')} cancelled, ${money(s.refundedCents, s.currency)} refunded.` : '');
      })
      .catch((error: unknown) => {
        // Booking knows no sales of a draft cancelled before it went on sale, nor yet of an event
        // whose publish it has not heard of.
        const none = event.status === 'ON_SALE' ? 'Nothing sold yet.' : 'No sales: the event was never on sale.';
        figures.textContent = error instanceof ApiProblem && error.status === 404 ? none : (error as Error).message;
      })
      .finally(() => ((show.disabled = false), (show.textContent = 'Count again')));
  });
  return h('div', { class: 'sales' }, show, figures);
}

function eventRow(event: EventView, reload: (focus?: string) => Promise<void>, edit: (event: EventView) => void): HTMLLIElement {
  const problem = h('span', { class: 'error', role: 'alert' });
  const act = (action: 'publish' | 'cancel', button: EventTarget | null) =>
    postCommand(`/events/${encodeURIComponent(event.id)}/${action}`, {
      button,
      ...(action === 'cancel' ? { question: event.status === 'DRAFT' ? `Cancel the draft ${event.name}? It is never put on sale.` : `Cancel ${event.name}? Every order is refunded.` } : {}),
      problem,
      after: () => reload(event.id),
    });
  const button = (label: string, className: string, onClick: (target: EventTarget | null) => void) =>
    h('button', { type: 'button', class: className, onclick: ((e: Event) => onClick(e.currentTarget)) as EventListener }, label);
  const draft = event.status === 'DRAFT';
  return h(
    'li',
    { class: 'event-card', 'data-event-id': event.id, 'data-status': event.status, tabindex: -1 },
    problem,
    h('strong', {}, event.name),
    h('span', {}, `${dateTime(event.startsAt)} · ${event.status.replace('_', ' ').toLowerCase()}`),
    draft ? h('div', { class: 'card-actions' }, button('Put on sale', 'publish', (t) => void act('publish', t)), button('Edit', 'secondary edit', () => edit(event)), button('Cancel draft', 'secondary cancel', (t) => void act('cancel', t))) : null,
    event.status === 'ON_SALE' ? h('a', { href: `#/events/${encodeURIComponent(event.id)}` }, 'Live seat map') : null,
    event.status === 'ON_SALE' ? h('div', { class: 'card-actions' }, button('Cancel event', 'secondary cancel', (t) => void act('cancel', t))) : null,
    draft ? null : salesFigures(event),
  );
}
