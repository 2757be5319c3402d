/**
 * The organiser's check-in desk: tickets scanned (or typed) at one event's door, each scan's answer
 * on its own line.
 */
import type { CheckInView, EventView, SeatMap } from '@stream-seat/contracts';
import { canonicalTicketCode } from '@stream-seat/contracts/ticket-code';
import { api, ApiProblem } from '../api.js';
import { startCameraScan } from '../camera-scan.js';
import { nearestDoor } from '../check-in-door.js';
import { field, h } from '../dom.js';
import { dateTime, timeOfDay } from '../format.js';
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

/** When the ticket was let in, said: staff tell a second scan of this desk's from a copied ticket. */
function alreadyIn(checkedInAt: unknown): string {
  const at = typeof checkedInAt === 'string' && !Number.isNaN(Date.parse(checkedInAt)) ? ` at ${timeOfDay(checkedInAt)}` : '';
  return `Already checked in${at}: do not admit twice.`;
}

/**
 * The desk checks tickets in at one event's door (`?eventId=`): a ticket for another of the
 * organiser's shows is refused and stays valid — Saturday's ticket scanned on Friday had been
 * admitted, then turned away on Saturday as already checked in. "Any of my events" keeps the old way.
 */
export function checkInDesk(): { section: HTMLElement; doors(events: EventView[]): void; stop(): void } {
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
  const results = h('ol', { class: 'check-in-results', 'aria-live': 'polite', 'aria-label': 'Scans, newest first' });
  /** Codes on their way: the same code again meanwhile (a second Enter) would be answered "already checked in". */
  const inFlight = new Set<string>();
  /** Checks a code in, typed or scanned, on a line of its own. */
  const check = async (typed: string) => {
    // Codes hold no whitespace: one pasted across a line break (Chromium makes it a space) still
    // reads. As the service reads it (any case, O for 0): the same ticket typed two ways at once is
    // one request, not a welcome and an "already checked in" for one person.
    const value = canonicalTicketCode(typed.replace(/\s+/g, ''));
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
      const welcome = (seat: string) => say(true, `Welcome! ${seat} — checked in at ${timeOfDay(checked.checkedInAt)}.`);
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
        : error instanceof ApiProblem && error.status === 409 ? alreadyIn(error.body['checkedInAt'])
        : error instanceof ApiProblem && (error.status === 404 || error.status === 400) ? 'No such ticket.'
        : (error as Error).message,
      );
    } finally {
      inFlight.delete(value);
    }
  };
  const submit = () => {
    const typed = code.value;
    code.select();
    void check(typed);
  };
  const camera = cameraScanner(check);
  const section = h(
    'section',
    { class: 'check-in' },
    h('h2', {}, 'Check-in'),
    h('form', { onsubmit: ((e: Event) => (e.preventDefault(), submit())) as EventListener }, field('Door of', door), field('Ticket code', code), h('button', { type: 'submit' }, 'Check in'), camera.button),
    camera.view,
    results,
  );
  return {
    section,
    /** Turns the camera off (the page is left). */
    stop: camera.stop,
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

/**
 * "Scan with camera": the camera's picture above the results, and each ticket code it reads
 * checked in as a typed one is (camera-scan.ts). "Stop camera", or leaving the page, turns it off.
 */
function cameraScanner(check: (code: string) => Promise<void>): { button: HTMLButtonElement; view: HTMLElement; stop(): void } {
  const video = h('video', { class: 'camera-picture', 'aria-label': 'What the camera sees' });
  const problem = h('p', { class: 'error', role: 'alert' });
  const view = h('div', { class: 'camera-view' }, video, problem);
  video.hidden = true;
  // Its label says what it does next; never disabled while the camera starts (a disabled button
  // drops the keyboard's focus to the page), `aria-disabled` instead.
  const button = h('button', { type: 'button', class: 'secondary scan-camera' }, 'Scan with camera');
  let stopScan: (() => void) | undefined;
  let starting = false;
  /** Whether the camera should be on: a stop while it was starting turns it off once it has. */
  let wanted = false;
  const stop = () => {
    wanted = false;
    stopScan?.();
    stopScan = undefined;
    video.hidden = true;
    button.textContent = 'Scan with camera';
  };
  button.addEventListener('click', () => {
    if (stopScan) return stop();
    if (starting) return;
    starting = true;
    wanted = true;
    problem.textContent = '';
    button.setAttribute('aria-disabled', 'true');
    video.hidden = false;
    void startCameraScan(video, (code) => void check(code))
      .then(
        (stopCamera) => {
          if (!wanted) return stopCamera();
          stopScan = stopCamera;
          button.textContent = 'Stop camera';
        },
        (error: unknown) => {
          video.hidden = true;
          problem.textContent = (error as Error).message;
        },
      )
      .finally(() => {
        starting = false;
        button.removeAttribute('aria-disabled');
      });
  });
  return { button, view, stop };
}
