/**
 * `#/events/:id`: the live seat map. Seats change colour as other buyers take them; the buyer
 * picks seats (or asks for the best available), holds them, pays, and gets tickets.
 */
import type { EventView, HoldView, SeatMap } from '@stream-seat/contracts';
import { answered, api, ApiProblem } from '../api.js';
import { salesNotice, salesState } from '../sales-window.js';
import { serverNow } from '../server-clock.js';
import { h, mount } from '../dom.js';
import { minutesSeconds } from '../format.js';
import { followAvailability, type LiveStatus } from '../live-availability.js';
import type { Page } from '../router.js';
import { createSeatIndex } from '../seat-index.js';
import { createSeatMapView, type SeatMapView } from '../seat-map-view.js';
import { createHoldRequests } from '../hold-requests.js';
import { holdWarning } from '../hold-warnings.js';
import { bestAvailableDefaults, chooseView, heldView, otherHoldsView, ticketsView } from './checkout-panel.js';
import { eventHeader, showCancelled } from './event-header.js';
import { legendItems, placesByTier, tierLabel } from './seat-legend.js';
import { createPurchase, type PanelMessage } from './purchase.js';
import { buys, currentSession } from '../session.js';

const HOLDING_ALREADY: PanelMessage = { kind: 'info', text: 'You are holding seats: pay for them, or release them to choose others.' };
const BOUGHT_ALREADY: PanelMessage = { kind: 'info', text: 'These are your tickets: press "Buy more seats" to choose others.' };
/** Signed in as an organiser: the service refuses an organiser's hold, so none is offered (an admin may hold). */
const signedInNotBuyer = () => {
  // Read once: a session that runs out between two reads would read as signed in, and no buyer.
  const session = currentSession();
  return session !== undefined && !buys(session);
};

export const eventPage: Page = (root, { id }) => {
  const eventId = id ?? '';
  let disposed = false;
  const disposers: Array<() => void> = [];
  mount(root, h('p', { class: 'muted' }, 'Loading the seat map…'));

  void Promise.all([
    api<EventView>('GET', `/events/${encodeURIComponent(eventId)}`),
    api<SeatMap>('GET', `/events/${encodeURIComponent(eventId)}/seatmap`),
  ]).then(
    ([event, map]) => {
      if (disposed) return;
      if (event.status === 'CANCELLED') showCancelled(root, event);
      else disposers.push(showEvent(root, event, map, () => !disposed && showCancelled(root, { ...event, status: 'CANCELLED' })));
    },
    (error: Error) => {
      // A heading names the page (and the tab's title): a bare paragraph had left it "Stream-Seat".
      const heading = error instanceof ApiProblem && error.status === 404 ? 'Event not found' : 'The event could not be loaded';
      if (!disposed) mount(root, h('h1', {}, heading), h('p', { class: 'error', role: 'alert' }, error.message), h('a', { href: '#/' }, '← All events'));
    },
  );
  return () => {
    disposed = true;
    for (const dispose of disposers) dispose();
  };
};

/**
 * The seats chosen on the last event page left (drawn again on a sign-in, or left for another
 * page) and not held: chosen again when its page is next drawn, those still available. A sign-in
 * had thrown away what a buyer signed out had chosen (the panel asks them to sign in to hold).
 */
let carried: { eventId: string; seatIds: string[] } | undefined;

function showEvent(root: HTMLElement, event: EventView, map: SeatMap, onCancelled: () => void): () => void {
  const tiers = Object.keys(event.prices);
  const tierIndex = (tier: string) => Math.max(0, tiers.indexOf(tier)) % 6;
  const seatsById = new Map(map.seats.map((s) => [s.id, s]));
  const selected = new Set<string>();
  /** Seats chosen when this event's page was last left, chosen again once the stream shows them. */
  let rechoose = carried?.eventId === event.id ? carried.seatIds : undefined;
  carried = undefined;
  const holdRequests = createHoldRequests(async (body, idempotencyKey) => {
    const { body: hold, replayed } = await answered<HoldView>('POST', '/holds', { body, idempotencyKey });
    return { hold, replayed };
  });
  const purchase = createPurchase({
    eventId: event.id,
    showMine: (seatIds) => view.setMine(seatIds),
    changed: () => renderPanel(),
    // The live map's (drawn below): asked only once the page runs.
    seatStatus: (seatId) => live.board.status(seatId),
  });
  const state = purchase.state;

  // A status region: "Reconnecting…" is announced, not only drawn.
  const liveBadge = h('span', { class: 'live-badge', 'data-live-status': 'connecting', role: 'status' }, 'Connecting…');
  const legend = h('ul', { class: 'legend' });
  const panel = h('aside', { class: 'panel' });
  let legendQueued = false;
  /** No place available now, as the stream shows them: the panel says so (see chooseView). */
  let soldOut = false;

  const live = followAvailability({
    eventId: event.id,
    onSeats(seatIds, board) {
      view.update(seatIds);
      liveBadge.setAttribute('data-seq', String(board.seq ?? ''));
      // Judged once a hold request on its way has its answer: the stream often tells of the
      // buyer's own hold (best available's seats too) before it.
      const lost = !holdRequests.sending && dropLost(seatIds, board);
      if (rechoose) {
        const available = rechoose.filter((id) => board.status(id) === 'AVAILABLE').slice(0, event.maxSeatsPerOrder);
        rechoose = undefined;
        if (!state.hold && !state.order) {
          for (const id of available) selected.add(id);
          view.setSelected(selected);
          renderPanel();
        }
      }
      // The buyer's other holds whose seats were released, swept or bought elsewhere; and this
      // page's own, if so (the server is asked, and the panel redrawn with its answer).
      if (!holdRequests.sending) purchase.noteOwnSeats();
      if (purchase.dropEndedOthers((id) => board.status(id)) || lost) renderPanel();
      if (!legendQueued) {
        legendQueued = true;
        requestAnimationFrame(() => {
          legendQueued = false;
          // One count of every place for both: the legend's figures, and whether any is left.
          const byTier = placesByTier(board, (id) => places.tierOf(id));
          renderLegend(byTier);
          const none = [...byTier.values()].every((tier) => tier.available === 0);
          if (none !== soldOut) {
            soldOut = none;
            renderPanel();
            // The panel's notice is drawn with its text: said in the page's status region too.
            if (none) announce('Sold out for now: every place is held or sold.');
          }
        });
      }
    },
    onCancelled() {
      clearInterval(timer);
      purchase.forget();
      onCancelled();
    },
    onStatus(status: LiveStatus, board) {
      liveBadge.setAttribute('data-live-status', status);
      liveBadge.setAttribute('data-seq', String(board.seq ?? ''));
      liveBadge.textContent = status === 'live' ? 'Live' : status === 'connecting' ? 'Connecting…' : 'Reconnecting…';
    },
  });
  // The stream's callbacks run only after this line (EventSource events are asynchronous).
  const places = createSeatIndex(map, live.board);
  const view: SeatMapView = createSeatMapView({ map, board: live.board, places, tierIndex, onSeatClick: toggleSeat, onAreaClick: chooseArea });
  /** The best-available form as the buyer left it (a click on a standing area chooses its section). */
  const choice = bestAvailableDefaults();

  /** A standing area has no seats to pick: a click on it asks how many of its places, in the form. */
  function chooseArea(sectionId: string): void {
    if (mapTakesNoChoice()) return;
    choice.section = sectionId;
    // Set in the form as it is, not drawn again: the focus goes on to its quantity.
    const section = panel.querySelector<HTMLSelectElement>('form.best-available select[name=section]');
    if (section) section.value = sectionId;
    panel.querySelector<HTMLInputElement>('form.best-available input[name=quantity]')?.focus();
  }

  /** "Orchestra, row A, seat 3", as the map names the seat (the panel had said "ORCH A-3"). */
  const seatName = (seatId: string) => places.nameOf(seatId);

  /**
   * True while a click on the map chooses nothing: an action under way, seats held, tickets shown
   * (until "Buy more seats"), or an organiser signed in (each said so).
   */
  function mapTakesNoChoice(): boolean {
    if (state.busy) return true;
    // The panel says it already, before any click: said again to a screen reader.
    if (!state.hold && !state.order && signedInNotBuyer()) {
      announce('Seats are chosen and bought under a buyer\'s sign-in.');
      return true;
    }
    const why = state.hold ? HOLDING_ALREADY : state.order ? BOUGHT_ALREADY : undefined;
    if (!why) return false;
    // Said rather than ignored: the map looks clickable.
    state.message = why;
    renderPanel();
    return true;
  }

  function toggleSeat(seatId: string): void {
    if (mapTakesNoChoice()) return;
    if (selected.has(seatId)) selected.delete(seatId);
    else if (live.board.status(seatId) !== 'AVAILABLE') {
      // Said rather than ignored (Enter on a taken seat had done nothing, silently).
      announce(`${seatName(seatId)} is taken.`);
      return;
    }
    else if (selected.size >= event.maxSeatsPerOrder) {
      state.message = { kind: 'error', text: `At most ${event.maxSeatsPerOrder} seats per order.` };
      renderPanel();
      return;
    } else selected.add(seatId);
    state.message = undefined;
    view.setSelected(selected);
    renderPanel();
  }

  function renderLegend(byTier = placesByTier(live.board, (id) => places.tierOf(id))): void {
    mount(legend, ...legendItems({ event, tiers, tierIndex }, byTier));
  }

  /** Selected seats now taken (by someone else: not ones a request of this page may hold), dropped and said; true if any. */
  function dropLost(seatIds: Iterable<string>, board: typeof live.board): boolean {
    const lost = [...seatIds].filter((id) => selected.has(id) && !holdRequests.claims(id) && board.status(id) !== 'AVAILABLE');
    if (lost.length === 0) return false;
    for (const id of lost) selected.delete(id);
    view.setSelected(selected);
    state.message = { kind: 'info', text: `Just taken by someone else: ${lost.map(seatName).join('; ')}` };
    return true;
  }

  function holdSeats(request: Record<string, unknown>): Promise<void> {
    return purchase.run(async () => {
      try {
        const made = await holdRequests.send({ eventId: event.id, ...request });
        selected.clear();
        view.setSelected(selected);
        purchase.accept(made.hold, made.earlier);
      } catch (error) {
        if (error instanceof ApiProblem && error.status === 409 && error.unavailable.length > 0) {
          for (const id of error.unavailable) selected.delete(id);
          view.setSelected(selected);
          state.message = { kind: 'error', text: `Taken just before you: ${error.unavailable.map(seatName).join('; ')}. Nothing was held.` };
          return;
        }
        throw error;
      } finally {
        // Seats taken while the answer was on its way, by someone else.
        dropLost([...selected], live.board);
      }
    });
  }

  /** One of the buyer's other holds, paid for here: the seats selected on the map are let go, as after a hold made here. */
  function adoptOther(holdId: string): void {
    selected.clear();
    view.setSelected(selected);
    purchase.adoptOther(holdId);
  }

  const countdown = h('strong', { class: 'countdown' });
  /** The warnings said for the hold `warnedFor` (hold-warnings.ts). */
  let warned = new Set<number>();
  let warnedFor: string | undefined;
  // Sales opening or closing while the page is open changes what the panel offers.
  let sales = salesState(event, serverNow());
  // By the server's clock (a browser's may be off by minutes).
  const timer = setInterval(() => {
    const salesNow = salesState(event, serverNow());
    if (salesNow.kind !== sales.kind) {
      sales = salesNow;
      renderPanel();
      // Said in the page's own status region: the panel's notice is drawn with its text.
      const notice = salesNotice(sales);
      if (notice) announce(`${notice}.`);
    }
    if (purchase.dropEndedOthers((id) => live.board.status(id))) renderPanel();
    const current = state.hold;
    if (!current) return;
    const left = Date.parse(current.expiresAt) - serverNow();
    countdown.textContent = minutesSeconds(left);
    if (warnedFor !== current.holdId) {
      warnedFor = current.holdId;
      warned = new Set();
    }
    const warning = holdWarning(left, warned);
    if (warning) announce(warning);
    if (left <= 0) purchase.timeUp(current);
  }, 1_000);

  // Redrawing drops the button that had the focus (Hold, Pay): the focus stays in the panel, on its
  // heading, rather than falling back to the top of the page.
  function renderPanel(): void {
    const hadFocus = panel.contains(document.activeElement);
    drawPanel();
    if (hadFocus && !panel.contains(document.activeElement)) panel.querySelector<HTMLElement>('h2')?.focus();
  }

  /**
   * One status region for the page's life, whose text changes: a region drawn anew with its text
   * already in it (the panel's notices were) is not read by many screen readers (WCAG 4.1.3).
   * Errors are alerts where they show, which are read as they appear.
   */
  const announcer = h('p', { class: 'visually-hidden', role: 'status', 'data-announcer': '' });
  let announced: PanelMessage | undefined;
  function announce(text: string): void {
    announcer.textContent = text;
  }

  function drawPanel(): void {
    const { message, hold, order, busy, card } = state;
    const notice = message && h('p', { class: message.kind === 'error' ? 'error' : 'notice', ...(message.kind === 'error' ? { role: 'alert' } : {}) }, message.text);
    if (message && message !== announced && message.kind !== 'error') announce(message.text);
    announced = message;
    const others = otherHoldsView({
      others: purchase.others,
      seatName,
      busy,
      onAdopt: order || hold ? undefined : adoptOther,
      onRelease: (holdId) => void purchase.releaseOther(holdId),
    });
    if (order) {
      mount(panel, ...ticketsView(order, seatName, { notice, onBuyMore: () => purchase.buyMore() }), ...others);
    } else if (hold) {
      countdown.textContent = minutesSeconds(Date.parse(hold.expiresAt) - serverNow());
      mount(panel, ...heldView({ hold, seatName, countdown, notice, busy, card, onPay: (token) => void purchase.pay(token), onRelease: () => void purchase.release() }), ...others);
    } else {
      mount(
        panel,
        ...chooseView({
          selected,
          seatName,
          totalCents: [...selected].reduce((sum, id) => sum + (seatsById.get(id)?.priceCents ?? 0), 0),
          currency: event.currency,
          tiers,
          tierLabel: (tier) => tierLabel(event, tier),
          soldOut,
          sections: map.sections.map(({ id, name }) => ({ id, name })),
          choice,
          maxSeatsPerOrder: event.maxSeatsPerOrder,
          signedIn: currentSession() !== undefined,
          notBuyer: signedInNotBuyer(),
          sales,
          notice,
          busy,
          onHold: (request) => void holdSeats(request),
        }),
        ...others,
      );
    }
  }

  mount(
    root,
    ...eventHeader(event, liveBadge),
    h('div', { class: 'event-layout' }, h('div', { class: 'map-column' }, view.element, legend), panel),
    announcer,
  );
  renderLegend();
  renderPanel();
  void purchase.restore();

  return () => {
    if (selected.size > 0 && !state.hold && !state.order) carried = { eventId: event.id, seatIds: [...selected] };
    clearInterval(timer);
    live.close();
    view.dispose();
    purchase.dispose();
  };
}
