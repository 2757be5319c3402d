/**
 * `#/organizer`: an organiser's console — the check-in desk; their events (a new draft, a draft
 * changed, put on sale or cancelled, an event's sales); their venues (a new one from sections of
 * rows or standing places).
 */
import type { EventView, SalesSummary } from '@stream-seat/contracts';
import { searchKey, searchWords } from '@stream-seat/contracts/search-words';
import { api, ApiProblem, eventVersion, postCommand } from '../api.js';
import { field, h, mount } from '../dom.js';
import { dateTime, money, statusWords } from '../format.js';
import type { CursorPage } from '../paged-list.js';
import type { Page } from '../router.js';
import { currentSession, organizes } from '../session.js';
import { mayLeaveUnsaved, watchUnsaved } from '../unsaved-forms.js';
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
    const next: CursorPage<T> = await api('GET', `${path}${path.includes('?') ? '&' : '?'}limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    items.push(...next.items);
    cursor = next.nextCursor;
    if (cursor === null) return { items, more: false };
  }
  return { items, more: true };
}

/** One of the organiser's lists (`GET …` followed to the end), drawn into its container. */
interface MineList<T> {
  container: HTMLElement;
  path: string;
  /** "events": what the notice of a list too long to show whole calls them. */
  noun: string;
  emptyText: string;
  listClass: string;
  /** The attribute that names an item's id on its element (the focus finds it there). */
  idAttribute: string;
  render(item: T): HTMLElement;
  /** Told the items about to be drawn. */
  listed(items: T[]): void;
  /** Called once they are drawn, before the focus goes to `focus`. */
  drawn?(): void;
  /** The item the focus was to go to is hidden (by the finder): said instead. */
  notShown?(item: T): void;
  /** Told why the list could not be had. */
  failed?(message: string): void;
}

/**
 * The function that draws a list of the organiser's again; `focus`: the item whose element keeps
 * the focus (a publish or cancel had sent it to the page's top). Each drawing is from the latest
 * answer only: a slower earlier one had drawn a stale list over it.
 */
function listOfMine<T extends { id: string }>(list: MineList<T>): (focus?: string) => Promise<void> {
  let asked = 0;
  return async (focus) => {
    const mine = ++asked;
    try {
      const { items, more } = await everyPage<T>(list.path);
      if (mine !== asked) return;
      list.listed(items);
      mount(
        list.container,
        items.length === 0 ? h('p', { class: 'muted' }, list.emptyText) : h('ul', { class: list.listClass }, ...items.map((item) => list.render(item))),
        more ? h('p', { class: 'notice' }, `Showing your first ${items.length} ${list.noun}; the API lists the rest (GET /api${list.path}).`) : null,
      );
      list.drawn?.();
      const target = focus ? list.container.querySelector<HTMLElement>(`[${list.idAttribute}="${CSS.escape(focus)}"]`) : null;
      const item = target?.hidden ? items.find((candidate) => candidate.id === focus) : undefined;
      if (item !== undefined && list.notShown) list.notShown(item);
      else target?.focus();
    } catch (error) {
      if (mine !== asked) return;
      list.failed?.((error as Error).message);
      mount(list.container, h('p', { class: 'error', role: 'alert' }, (error as Error).message));
    }
  };
}

export const organizerPage: Page = (root) => {
  const session = currentSession();
  if (!organizes(session)) {
    // A buyer signed in is told why, not asked to sign in as if signed out.
    const text = session ? `You are signed in as ${session.sub}, a buyer: the organiser's console needs an organiser's sign-in (top right).` : 'Sign in as an organiser (top right).';
    mount(root, h('h1', {}, 'Organiser'), h('p', { class: 'notice' }, text));
    return;
  }
  const events = h('div', {}, h('p', { class: 'muted' }, 'Loading your events…'));
  const venuesList = h('div', {}, h('p', { class: 'muted' }, 'Loading your venues…'));
  // One form open at a time, above the lists it adds to.
  const eventForm = h('div', { class: 'editor-slot' });
  const venueForm = h('div', { class: 'editor-slot' });
  // Said where the event form was (a draft put on sale meanwhile, no venue yet): one region, in the
  // page from the start, so that what is put in it is announced (a region added with its text is not).
  const eventNotice = h('p', { class: 'editor-notice', role: 'status', tabindex: -1 });
  const newEvent = h('button', { type: 'button', class: 'new-event' }, 'New event');
  const newVenue = h('button', { type: 'button', class: 'new-venue' }, 'New venue');
  const desk = checkInDesk();
  const finder = eventFinder(events);
  mount(
    root,
    h('h1', {}, 'Organiser'),
    desk.section,
    h('section', { class: 'my-events' }, h('h2', {}, 'My events'), newEvent, eventNotice, eventForm, finder.element, events),
    h('section', { class: 'my-venues' }, h('h2', {}, 'My venues'), newVenue, venueForm, venuesList),
  );

  let venues: VenueChoice[] = [];
  let venuesProblem: string | undefined;
  /** A new event's currency: that of the organiser's event made last. */
  let lastCurrency: string | undefined;
  /** Settles once the venues have been listed, the last time they were asked for ("New event" waits for it). */
  let venuesListed: Promise<void> = Promise.resolve();

  /** Closes the form in `slot`, if it is still `form` (a late answer never closes the form opened since), the focus going to `back`. */
  const close = (slot: HTMLElement, form: HTMLFormElement, back?: () => HTMLElement | null | undefined) => {
    if (!slot.contains(form)) return false;
    slot.replaceChildren();
    back?.()?.focus();
    return true;
  };
  /**
   * Opens a form in `slot`, its first control focused; any other form closes — if it has changes
   * not saved, only when the organiser says so (the form open stays otherwise). `what` names the
   * new form in a later question.
   */
  const open = (slot: HTMLElement, form: HTMLFormElement, what: string) => {
    if (!mayLeaveUnsaved(root)) return;
    watchUnsaved(form, what);
    eventForm.replaceChildren();
    venueForm.replaceChildren();
    eventNotice.textContent = '';
    slot.replaceChildren(form);
    form.querySelector<HTMLElement>('input, select')?.focus();
  };
  const say = (text: string) => {
    eventNotice.textContent = text;
    eventNotice.focus();
  };
  /** The card's button that opened an edit, or "New event": where the focus goes back to. */
  const opener = (event?: EventView) => () =>
    event ? (events.querySelector<HTMLElement>(`[data-event-id="${CSS.escape(event.id)}"] button.edit`) ?? newEvent) : newEvent;
  const editEvent = async (event?: EventView) => {
    await venuesListed;
    if (venuesProblem !== undefined) return say(`Your venues could not be listed: ${venuesProblem}`);
    if (venues.length === 0) return say('An event takes place at one of your venues: create a venue first (below).');
    const form: HTMLFormElement = eventEditor(
      venues,
      (saved) => {
        lastCurrency = saved.currency;
        if (close(eventForm, form)) void loadEvents(saved.id);
        else void loadEvents();
      },
      () => close(eventForm, form, opener(event)),
      {
        ...(event ? { event } : {}),
        ...(lastCurrency ? { currency: lastCurrency } : {}),
        // Put on sale or cancelled in another tab meanwhile: said, and the list drawn as it is now.
        gone: (text) => {
          if (close(eventForm, form)) say(text);
          void loadEvents();
        },
      },
    );
    open(eventForm, form, event ? `your changes to “${event.name}”` : 'the new event');
  };
  newEvent.addEventListener('click', () => void editEvent());
  newVenue.addEventListener('click', () => {
    const form: HTMLFormElement = venueEditor(
      (venue) => {
        const focus = close(venueForm, form) ? venue.id : undefined;
        venuesListed = loadVenues(focus);
      },
      () => close(venueForm, form, () => newVenue),
    );
    open(venueForm, form, 'the new venue');
  });

  const loadEvents: (focus?: string) => Promise<void> = listOfMine<EventView>({
    container: events,
    path: '/events?mine=true',
    noun: 'events',
    emptyText: 'You have no events yet.',
    listClass: 'event-list',
    idAttribute: 'data-event-id',
    render: (e) =>
      eventRow(e, {
        reload: loadEvents,
        edit: (event) => void editEvent(event),
        changedMeanwhile: (text) => {
          say(text);
          void loadEvents();
        },
      }),
    drawn: finder.apply,
    // Put on sale with the finder showing drafts only: its card hidden, the focus had fallen to the page's heading.
    notShown: (e) => say(`“${e.name}” is ${statusWords(e.status)}: the events shown leave it out.`),
    listed: (items) => {
      finder.element.hidden = items.length === 0;
      desk.doors(items);
      lastCurrency = items.reduce<EventView | undefined>((latest, e) => (latest === undefined || e.createdAt > latest.createdAt ? e : latest), undefined)?.currency ?? lastCurrency;
    },
  });
  const loadVenues = listOfMine<VenueChoice>({
    container: venuesList,
    path: '/venues',
    noun: 'venues',
    emptyText: 'You have no venues yet.',
    listClass: 'venue-list',
    idAttribute: 'data-venue-id',
    render: venueRow,
    listed: (items) => {
      venues = items;
      venuesProblem = undefined;
    },
    failed: (message) => (venuesProblem = message),
  });
  void loadEvents();
  venuesListed = loadVenues();
  // Leaving the page turns the desk's camera off.
  return () => desk.stop();
};

/**
 * The organiser's events found in the page by words — each in the event's name, its venue's name
 * or city, folded as the API's search folds them (`searchWords`) — and by status: the cards drawn
 * are shown or hidden, and how many are shown said. An organiser with hundreds of events had had
 * to scroll through them all.
 */
function eventFinder(list: HTMLElement): { element: HTMLElement; apply(): void } {
  const words = h('input', { type: 'search', name: 'find-events', placeholder: 'Name, venue or city' });
  const status = h(
    'select',
    { name: 'find-status' },
    h('option', { value: '' }, 'Every status'),
    ...(['DRAFT', 'ON_SALE', 'CANCELLED'] as const).map((value) => h('option', { value }, statusWords(value))),
  );
  const count = h('span', { class: 'muted found', role: 'status' });
  const apply = () => {
    const wanted = searchWords(words.value);
    const cards = [...list.querySelectorAll<HTMLElement>('li.event-card')];
    let shown = 0;
    for (const card of cards) {
      const text = card.dataset['search'] ?? '';
      card.hidden = !((status.value === '' || card.dataset['status'] === status.value) && wanted.every((word) => text.includes(word)));
      if (!card.hidden) shown++;
    }
    const finding = wanted.length > 0 || status.value !== '';
    count.textContent = finding ? `${shown.toLocaleString()} of ${counted(cards.length, 'event')} shown` : '';
  };
  words.addEventListener('input', apply);
  status.addEventListener('change', apply);
  return { element: h('div', { class: 'event-search event-finder', role: 'search', hidden: true }, field('Find', words), field('Status', status), count), apply };
}

function venueRow(venue: VenueChoice): HTMLLIElement {
  return h(
    'li',
    { class: 'venue-card', 'data-venue-id': venue.id, tabindex: -1 },
    h('strong', {}, venue.name),
    h('span', {}, `${venue.city ? `${venue.city} · ` : ''}${venue.capacity.toLocaleString()} places · tiers ${venue.tiers.join(', ')}`),
  );
}

/** "1 order", "2 orders". */
const counted = (n: number, noun: string) => `${n.toLocaleString()} ${noun}${n === 1 ? '' : 's'}`;

/** The event's sales in a line or two (`GET /api/sales/{eventId}`), asked when the organiser opens them. */
function salesFigures(event: EventView): HTMLElement {
  const figures = h('p', { class: 'sales-figures', 'aria-live': 'polite' });
  const show = h('button', { type: 'button', class: 'secondary show-sales', 'aria-label': `Sales of ${event.name}` }, 'Sales');
  // Not disabled while counting: a disabled button drops the keyboard's focus to the page.
  let counting = false;
  show.addEventListener('click', () => {
    if (counting) return;
    counting = true;
    show.setAttribute('aria-busy', 'true');
    figures.textContent = 'Counting…';
    void api<SalesSummary>('GET', `/sales/${encodeURIComponent(event.id)}`)
      .then((s) => {
        figures.textContent =
          `${counted(s.tickets.sold, 'ticket')} sold in ${counted(s.orders.confirmed, 'order')}, ${money(s.revenueCents, s.currency)}; ` +
          `${s.tickets.checkedIn.toLocaleString()} checked in. ` +
          // A cancelled event has no places left to sell, whatever its seats read (booking says so, also when this card was drawn before).
          (s.cancelled ? 'Cancelled: nothing more is sold.' : `${s.seats.available.toLocaleString()} of ${s.seats.total.toLocaleString()} places left, ${s.seats.held.toLocaleString()} held now.`) +
          (s.orders.cancelled > 0 ? ` ${counted(s.orders.cancelled, 'order')} cancelled, ${money(s.refundedCents, s.currency)} refunded.` : '');
      })
      .catch((error: unknown) => {
        // Booking knows no sales of a draft cancelled before it went on sale, nor yet of an event
        // whose publish it has not heard of.
        const none = event.status === 'ON_SALE' ? 'Nothing sold yet.' : 'No sales: the event was never on sale.';
        figures.textContent = error instanceof ApiProblem && error.status === 404 ? none : (error as Error).message;
      })
      .finally(() => {
        counting = false;
        show.removeAttribute('aria-busy');
        show.textContent = 'Count again';
      });
  });
  return h('div', { class: 'sales' }, show, figures);
}

interface EventRowActions {
  /** Draws the list again, the focus on the event `focus`. */
  reload(focus?: string): Promise<void>;
  edit(event: EventView): void;
  /** The event was changed elsewhere since the card was drawn: `text` said, the list drawn again. */
  changedMeanwhile(text: string): void;
}

function eventRow(event: EventView, { reload, edit, changedMeanwhile }: EventRowActions): HTMLLIElement {
  const problem = h('span', { class: 'error', role: 'alert' });
  // Sent for the event as the card shows it (If-Match): a "Cancel draft" of an event put on sale in
  // another tab since had cancelled it on sale, refunding its orders, after asking about a draft.
  const act = (action: 'publish' | 'cancel', button: EventTarget | null) =>
    postCommand(`/events/${encodeURIComponent(event.id)}/${action}`, {
      button,
      ...(action === 'cancel' ? { question: event.status === 'DRAFT' ? `Cancel the draft ${event.name}? It is never put on sale.` : `Cancel ${event.name}? Every order is refunded.` } : {}),
      problem,
      ifMatch: eventVersion(event),
      after: () => reload(event.id),
      handled: (error) => {
        if (!(error instanceof ApiProblem && error.status === 412)) return false;
        changedMeanwhile(`“${event.name}” changed meanwhile (it is ${statusWords(error.body['eventStatus'])}), so it was not ${action === 'cancel' ? 'cancelled' : 'put on sale'}: look at it again.`);
        return true;
      },
    });
  // Named with the event (the label first, as shown), so that a screen reader's list of buttons tells them apart.
  const button = (label: string, className: string, onClick: (target: EventTarget | null) => void) =>
    h('button', { type: 'button', class: className, 'aria-label': `${label}: ${event.name}`, onclick: ((e: Event) => onClick(e.currentTarget)) as EventListener }, label);
  const draft = event.status === 'DRAFT';
  return h(
    'li',
    {
      class: 'event-card',
      'data-event-id': event.id,
      'data-status': event.status,
      // What the finder looks in, folded (see eventFinder).
      'data-search': [event.name, event.venue?.name ?? '', event.venue?.city ?? ''].map(searchKey).join('\n'),
      tabindex: -1,
    },
    problem,
    h('strong', {}, event.name),
    h('span', {}, `${dateTime(event.startsAt)} · ${statusWords(event.status)}`),
    draft ? h('div', { class: 'card-actions' }, button('Put on sale', 'publish', (t) => void act('publish', t)), button('Edit', 'secondary edit', () => edit(event)), button('Cancel draft', 'secondary cancel', (t) => void act('cancel', t))) : null,
    event.status === 'ON_SALE' ? h('a', { href: `#/events/${encodeURIComponent(event.id)}` }, 'Live seat map') : null,
    event.status === 'ON_SALE' ? h('div', { class: 'card-actions' }, button('Cancel event', 'secondary cancel', (t) => void act('cancel', t))) : null,
    draft ? null : salesFigures(event),
  );
}
