/**
 * The organiser's check-in desk: tickets scanned (or typed) at one event's door, each scan's answer
 * on its own line.
 */
import type { CheckInView, EventView, SeatMap } from '@stream-seat/contracts';
import { api, ApiProblem } from '../api.js';
import { nearestDoor } from '../check-in-door.js';
import { field, h } from '../dom.js';
import { dateTime } from '../format.js';
import { placeNamesOfEvents } from '../place-names.js';
import { serverNow } from '../server-clock.js';

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
export function checkInDesk(): { section: HTMLElement; doors(events: EventView[]): void } {
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
