/** `#/organizer`: an organiser's events (put a draft on sale, cancel one) and the check-in desk. */
import type { CheckInView, EventView, SeatMap } from '@stream-seat/contracts';
import { api, ApiProblem, postCommand } from '../api.js';
import { nearestDoor } from '../check-in-door.js';
import { field, h, mount } from '../dom.js';
import { dateTime } from '../format.js';
import { placeNamesOfEvents } from '../place-names.js';
import type { Page } from '../router.js';
import { serverNow } from '../server-clock.js';
import { currentSession, organizes } from '../session.js';

export const organizerPage: Page = (root) => {
  const session = currentSession();
  if (!organizes(session)) {
    mount(root, h('h1', {}, 'Organiser'), h('p', { class: 'notice' }, 'Sign in as an organiser (top right).'));
    return;
  }
  const events = h('div', {}, h('p', { class: 'muted' }, 'Loading your events…'));
  const desk = checkInDesk();
  mount(root, h('h1', {}, 'Organiser'), desk.section, h('h2', {}, 'My events'), events);

  /** Draws the list again; `focus`: the event whose card keeps the focus (a publish or cancel had sent it to the page's top). */
  const load = async (focus?: string) => {
    try {
      const { items, more } = await allMyEvents();
      desk.doors(items);
      mount(
        events,
        items.length === 0 ? h('p', { class: 'muted' }, 'You have no events yet (create them through the API: see /docs).') : h('ul', { class: 'event-list' }, ...items.map((e) => eventRow(e, load))),
        more ? h('p', { class: 'notice' }, `Showing your first ${items.length} events; the API lists the rest (GET /api/events?mine=true).`) : null,
      );
      if (focus) events.querySelector<HTMLElement>(`[data-event-id="${CSS.escape(focus)}"]`)?.focus();
    } catch (error) {
      mount(events, h('p', { class: 'error', role: 'alert' }, (error as Error).message));
    }
  };
  void load();
};

/** Pages of the API's list, followed to the end: an organiser sees every event of theirs. */
const MAX_PAGES = 50;

/** Every event of the organiser's, up to MAX_PAGES pages; `more` when the list goes on past them. */
async function allMyEvents(): Promise<{ items: EventView[]; more: boolean }> {
  const items: EventView[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < MAX_PAGES; page++) {
    const next: { items: EventView[]; nextCursor: string | null } = await api('GET', `/events?mine=true&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    items.push(...next.items);
    cursor = next.nextCursor;
    if (cursor === null) return { items, more: false };
  }
  return { items, more: true };
}

function eventRow(event: EventView, reload: (focus?: string) => Promise<void>): HTMLLIElement {
  const problem = h('span', { class: 'error', role: 'alert' });
  const act = (action: 'publish' | 'cancel', button: EventTarget | null) =>
    postCommand(`/events/${encodeURIComponent(event.id)}/${action}`, {
      button,
      ...(action === 'cancel' ? { question: `Cancel ${event.name}? Every order is refunded.` } : {}),
      problem,
      after: () => reload(event.id),
    });
  return h(
    'li',
    { class: 'event-card', 'data-event-id': event.id, 'data-status': event.status, tabindex: -1 },
    problem,
    h('strong', {}, event.name),
    h('span', {}, `${dateTime(event.startsAt)} · ${event.status.replace('_', ' ').toLowerCase()}`),
    event.status === 'DRAFT' ? h('button', { type: 'button', onclick: ((e: Event) => void act('publish', e.currentTarget)) as EventListener }, 'Put on sale') : null,
    event.status === 'ON_SALE' ? h('a', { href: `#/events/${encodeURIComponent(event.id)}` }, 'Live seat map') : null,
    event.status === 'ON_SALE' ? h('button', { type: 'button', class: 'secondary', onclick: ((e: Event) => void act('cancel', e.currentTarget)) as EventListener }, 'Cancel event') : null,
  );
}

/**
 * Keeps the last 10 answered scans (and `just`, answered this moment, wherever it is) and every
 * scan still waiting for its answer, however many came after it: a burst of scans had dropped a
 * waiting line, whose "Welcome!" then went nowhere.
 */
function trimResults(results: HTMLElement, just: Element): void {
  let answered = 0;
  for (const line of [...results.children]) {
    if (line.classList.contains('pending')) continue;
    if (++answered > 10 && line !== just) line.remove();
  }
}

/**
 * The desk checks tickets in at one event's door (`?eventId=`): a ticket for another of the
 * organiser's shows is refused and stays valid — Saturday's ticket scanned on Friday had been
 * admitted, then turned away on Saturday as already checked in. "Any of my events" keeps the old way.
 */
function checkInDesk(): { section: HTMLElement; doors(events: EventView[]): void } {
  // The seat is said as the ticket holder knows it ("Orchestra, row A, seat 3"), from the event's
  // seat map, read once per event the desk sees (it had said "Seat ORCH-A-3").
  const placeNamesOf = placeNamesOfEvents((eventId) => api<SeatMap>('GET', `/events/${encodeURIComponent(eventId)}/seatmap`));
  // "Any" chosen by hand stays chosen when the list is drawn again; else the nearest show is.
  let anyChosen = false;
  const door = h('select', { name: 'door', onchange: (() => (anyChosen = door.value === '')) as EventListener }, h('option', { value: '' }, 'Any of my events'));
  let eventNames = new Map<string, string>();
  const code = h('input', { name: 'code', required: true, autocomplete: 'off' });
  // Every scan gets its own line, newest first, named by the end of its code: answers may come
  // back in any order, and one never stands for another ticket.
  const results = h('ol', { class: 'check-in-results', 'aria-live': 'polite' });
  /** Codes on their way: the same code again meanwhile (a second Enter) would be answered "already checked in". */
  const inFlight = new Set<string>();
  const submit = async () => {
    // Codes hold no whitespace: one pasted across a line break (Chromium makes it a space) still reads.
    const value = code.value.replace(/\s+/g, '');
    code.select();
    if (!value || inFlight.has(value)) return;
    inFlight.add(value);
    // The list is the live region; a status role on its items was invalid list content, and could be announced twice.
    const result = h('li', { class: 'check-in-result pending' }, `…${value.slice(-6)}: checking`);
    results.prepend(result);
    const say = (ok: boolean, text: string) => {
      result.className = `check-in-result ${ok ? 'ok' : 'error'}`;
      result.textContent = `…${value.slice(-6)}: ${text}`;
      trimResults(results, result);
    };
    try {
      const at = door.value ? `?eventId=${encodeURIComponent(door.value)}` : '';
      const checked = await api<CheckInView>('POST', `/tickets/${encodeURIComponent(value)}/check-in${at}`);
      const welcome = (seat: string) => say(true, `Welcome! ${seat} — checked in at ${new Date(checked.checkedInAt).toLocaleTimeString()}.`);
      // Admitted now, named once the map is in (the door never waits on the catalogue).
      welcome(`Seat ${checked.seatId}`);
      void placeNamesOf(checked.eventId).then((nameOf) => {
        if (nameOf(checked.seatId) !== checked.seatId) welcome(nameOf(checked.seatId));
      });
    } catch (error) {
      const type = error instanceof ApiProblem ? String(error.body['type'] ?? '') : '';
      const ticketEvent = error instanceof ApiProblem ? String(error.body['eventId'] ?? '') : '';
      say(
        false,
        type.endsWith('/wrong-event') ? `Not for this event: the ticket is for ${eventNames.get(ticketEvent) ?? ticketEvent}. Do not admit here.`
        : type.endsWith('/ticket-void') ? 'Not valid: this ticket\'s order was cancelled. Do not admit.'
        : error instanceof ApiProblem && error.status === 409 ? 'Already checked in: do not admit twice.'
        : error instanceof ApiProblem && (error.status === 404 || error.status === 400) ? 'No such ticket.'
        : (error as Error).message,
      );
    } finally {
      inFlight.delete(value);
    }
  };
  const section = h(
    'section',
    { class: 'check-in' },
    h('h2', {}, 'Check-in'),
    h('form', { onsubmit: ((e: Event) => (e.preventDefault(), void submit())) as EventListener }, field('Door of', door), field('Ticket code', code), h('button', { type: 'submit' }, 'Check in')),
    results,
  );
  return {
    section,
    /** The events whose doors the desk may keep (those on sale), the choice kept across reloads of the list. */
    doors(events) {
      eventNames = new Map(events.map((e) => [e.id, `${e.name} (${dateTime(e.startsAt)})`]));
      const onSale = events.filter((e) => e.status === 'ON_SALE');
      const kept = onSale.some((e) => e.id === door.value) ? door.value : undefined;
      const chosen = kept ?? (anyChosen ? '' : (nearestDoor(onSale, serverNow()) ?? ''));
      door.replaceChildren(...onSale.map((e) => h('option', { value: e.id }, eventNames.get(e.id) ?? e.name)), h('option', { value: '' }, 'Any of my events'));
      door.value = chosen;
    },
  };
}
