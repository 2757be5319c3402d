/**
 * `#/events/:id`: the live seat map. Seats change colour as other buyers take them; the buyer
 * picks seats (or asks for the best available), holds them, pays, and gets tickets.
 */
import type { EventView, HoldView, OrderView, SeatMap } from '@stream-seat/contracts';
import { api, ApiProblem } from '../api.js';
import { salesState } from '../sales-window.js';
import { serverNow } from '../server-clock.js';
import { h, mount } from '../dom.js';
import { dateTime, minutesSeconds, money } from '../format.js';
import { followAvailability, type LiveStatus } from '../live-availability.js';
import type { Page } from '../router.js';
import { createSeatIndex } from '../seat-index.js';
import { createSeatMapView, type SeatMapView } from '../seat-map-view.js';
import { holdWarning } from '../hold-warnings.js';
import { chooseView, heldView, ticketsView } from './checkout-panel.js';
import { currentSession } from '../session.js';

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
      if (!disposed) mount(root, h('p', { class: 'error', role: 'alert' }, error.message), h('a', { href: '#/' }, '← All events'));
    },
  );
  return () => {
    disposed = true;
    for (const dispose of disposers) dispose();
  };
};

/** The way back to the list, and the event's name, time and venue (with `extra` beside them). */
function eventHeader(event: EventView, extra?: HTMLElement): [HTMLAnchorElement, HTMLElement] {
  return [
    h('a', { href: '#/' }, '← All events'),
    h('header', { class: 'event-header' },
      h('h1', {}, event.name),
      h('p', { class: 'muted' }, `${dateTime(event.startsAt)}${event.venue ? ` · ${event.venue.name}` : ''}`),
      extra,
    ),
  ];
}

/**
 * A cancelled event sells nothing: said plainly, with no seat map to pick from (booking ended its
 * holds and refunds its orders; its availability would show every seat free). Shown at once to a
 * buyer on the seat map when the cancellation comes down the live stream.
 */
function showCancelled(root: HTMLElement, event: EventView): void {
  mount(
    root,
    ...eventHeader(event),
    h('p', { class: 'notice', 'data-event-status': 'CANCELLED', role: 'status' },
      'This event was cancelled. Every order for it is refunded — see ', h('a', { href: '#/orders' }, 'your orders'), '.',
    ),
  );
}

function showEvent(root: HTMLElement, event: EventView, map: SeatMap, onCancelled: () => void): () => void {
  const tiers = Object.keys(event.prices);
  const tierIndex = (tier: string) => Math.max(0, tiers.indexOf(tier)) % 6;
  const seatsById = new Map(map.seats.map((s) => [s.id, s]));
  const selected = new Set<string>();
  let hold: HoldView | undefined;
  let order: OrderView | undefined;
  let message: { text: string; kind: 'info' | 'error' } | undefined;
  let busy = false;
  /** A hold request is on its way. */
  let holding = false;
  /** The seats of hold requests that may have been made (explicit seats; none for best available). */
  const claiming = new Set<string>();

  // A status region: "Reconnecting…" is announced, not only drawn.
  const liveBadge = h('span', { class: 'live-badge', 'data-live-status': 'connecting', role: 'status' }, 'Connecting…');
  const legend = h('ul', { class: 'legend' });
  const panel = h('aside', { class: 'panel' });
  let legendQueued = false;

  const live = followAvailability({
    eventId: event.id,
    onSeats(seatIds, board) {
      view.update(seatIds);
      liveBadge.setAttribute('data-seq', String(board.seq ?? ''));
      // Judged once a hold request on its way has its answer: the stream often tells of the
      // buyer's own hold (best available's seats too) before it.
      if (!holding && dropLost(seatIds, board)) renderPanel();
      if (!legendQueued) {
        legendQueued = true;
        requestAnimationFrame(() => {
          legendQueued = false;
          renderLegend();
        });
      }
    },
    onCancelled() {
      clearInterval(timer);
      sessionStorage.removeItem(holdKey(event.id));
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
  const view: SeatMapView = createSeatMapView({ map, board: live.board, places, tierIndex, onSeatClick: toggleSeat });

  /** "Orchestra, row A, seat 3", as the map names the seat (the panel had said "ORCH A-3"). */
  const seatName = (seatId: string) => places.nameOf(seatId);

  function toggleSeat(seatId: string): void {
    if (busy) return;
    if (hold) {
      // Said rather than ignored: the map looks clickable while the buyer holds seats.
      message = { kind: 'info', text: 'You are holding seats: pay for them, or release them to choose others.' };
      renderPanel();
      return;
    }
    if (selected.has(seatId)) selected.delete(seatId);
    else if (live.board.status(seatId) !== 'AVAILABLE') {
      // Said rather than ignored (Enter on a taken seat had done nothing, silently).
      announce(`${seatName(seatId)} is taken.`);
      return;
    }
    else if (selected.size >= event.maxSeatsPerOrder) {
      message = { kind: 'error', text: `At most ${event.maxSeatsPerOrder} seats per order.` };
      renderPanel();
      return;
    } else selected.add(seatId);
    message = undefined;
    view.setSelected(selected);
    renderPanel();
  }

  function renderLegend(): void {
    const board = live.board;
    const byTier = new Map<string, { available: number; total: number }>();
    for (const id of board.seatIds()) {
      const tier = places.tierOf(id);
      if (!tier) continue;
      const entry = byTier.get(tier) ?? { available: 0, total: 0 };
      entry.total++;
      if (board.status(id) === 'AVAILABLE') entry.available++;
      byTier.set(tier, entry);
    }
    mount(
      legend,
      ...tiers.map((tier) =>
        h('li', { 'data-tier': tier },
          h('span', { class: `swatch tier-${tierIndex(tier)}` }),
          `${tier} · ${money(event.prices[tier] ?? 0, event.currency)} · `,
          h('span', { class: 'available-count' }, String(byTier.get(tier)?.available ?? 0)),
          ' left',
        ),
      ),
      h('li', {}, h('span', { class: 'swatch status-held' }), 'taken'),
      // Every look a seat can have, not the tiers alone: a buyer without colour vision reads them here.
      h('li', {}, h('span', { class: 'swatch selected' }), 'selected'),
      h('li', {}, h('span', { class: 'swatch mine' }), 'held for you'),
    );
  }

  async function run(action: () => Promise<void>): Promise<void> {
    if (busy) return;
    busy = true;
    renderPanel();
    try {
      await action();
    } catch (error) {
      message = { kind: 'error', text: describe(error) };
    } finally {
      busy = false;
      renderPanel();
    }
  }

  function describe(error: unknown): string {
    if (error instanceof ApiProblem && error.status === 401) return 'Sign in first (top right).';
    if (error instanceof ApiProblem && error.status === 403) return 'Sign in as a buyer to buy tickets.';
    return error instanceof Error ? error.message : String(error);
  }

  /**
   * A hold request whose answer never came (the connection dropped): it may have been made. Until
   * an answer comes, the same request goes again under the same Idempotency-Key — the service
   * answers with that hold rather than refusing its seats as taken — and its seats are not
   * counted as lost to someone else.
   */
  let unanswered: { body: string; key: string; seatIds: string[] } | undefined;

  /** Selected seats now taken (by someone else: not ones a request of this page may hold), dropped and said; true if any. */
  function dropLost(seatIds: Iterable<string>, board: typeof live.board): boolean {
    const lost = [...seatIds].filter((id) => selected.has(id) && !claiming.has(id) && board.status(id) !== 'AVAILABLE');
    if (lost.length === 0) return false;
    for (const id of lost) selected.delete(id);
    view.setSelected(selected);
    message = { kind: 'info', text: `Just taken by someone else: ${lost.map(seatName).join('; ')}` };
    return true;
  }

  /** No answer, or one that does not say how the request ended: it may have been carried out. */
  const inconclusive = (error: unknown) =>
    !(error instanceof ApiProblem) || error.status === 0 || error.status >= 500 || String(error.body['type'] ?? '').endsWith('/idempotency-in-progress');

  function holdSeats(request: Record<string, unknown>): Promise<void> {
    return run(async () => {
      const asked = { body: JSON.stringify({ eventId: event.id, ...request }), key: crypto.randomUUID(), seatIds: (request['seatIds'] as string[] | undefined) ?? [] };
      // A request whose answer never came goes first, under its own key: a hold it made is the
      // buyer's (whatever they asked for since); only once it is known to have made none does the
      // new request go.
      const requests = unanswered === undefined ? [asked] : unanswered.body === asked.body ? [unanswered] : [unanswered, asked];
      holding = true;
      for (const id of requests.flatMap((r) => r.seatIds)) claiming.add(id);
      try {
        for (const [index, pending] of requests.entries()) {
          try {
            accept(await api<HoldView>('POST', '/holds', { body: JSON.parse(pending.body) as unknown, idempotencyKey: pending.key }), pending !== asked);
            unanswered = undefined;
            return;
          } catch (error) {
            if (inconclusive(error)) {
              unanswered = pending;
              throw error;
            }
            unanswered = undefined;
            if (index < requests.length - 1) continue;
            if (error instanceof ApiProblem && error.status === 409 && error.unavailable.length > 0) {
              for (const id of error.unavailable) selected.delete(id);
              view.setSelected(selected);
              message = { kind: 'error', text: `Taken just before you: ${error.unavailable.map(seatName).join('; ')}. Nothing was held.` };
              return;
            }
            throw error;
          }
        }
      } finally {
        holding = false;
        claiming.clear();
        for (const id of unanswered?.seatIds ?? []) claiming.add(id);
        dropLost([...selected], live.board);
      }
    });
  }

  function accept(made: HoldView, earlier: boolean): void {
    hold = made;
    sessionStorage.setItem(holdKey(event.id), made.holdId);
    selected.clear();
    view.setSelected(selected);
    view.setMine(new Set(made.seatIds));
    const until = new Date(made.expiresAt).toLocaleTimeString();
    message = { kind: 'info', text: earlier ? `Your earlier request went through: these seats are held for you until ${until}.` : `Held for you until ${until}.` };
  }

  /**
   * One Idempotency-Key per hold and card: paying again after an answer that never came (the
   * connection dropped) replays the order instead of failing on a hold already ordered.
   */
  const payKeys = new Map<string, string>();
  const payAttempt = (holdId: string, token: string) => `${holdId}\n${token}`;
  function payKey(holdId: string, token: string): string {
    const attempt = payAttempt(holdId, token);
    const key = payKeys.get(attempt) ?? crypto.randomUUID();
    payKeys.set(attempt, key);
    return key;
  }

  function forgetPayKey(holdId: string, token: string): void {
    payKeys.delete(payAttempt(holdId, token));
  }

  /**
   * The buyer's order for this hold, shown with its tickets; false when none is found. The service
   * names the order of an ordered hold (in the hold, and in its 409 to a second payment); without
   * it, the buyer's latest orders are searched.
   */
  async function showOrderOf(holdId: string, orderId: unknown): Promise<boolean> {
    const found =
      typeof orderId === 'string'
        ? await api<OrderView>('GET', `/orders/${encodeURIComponent(orderId)}`)
        : (await api<{ items: OrderView[] }>('GET', '/orders')).items.find((o) => o.holdId === holdId);
    if (!found) return false;
    order = found;
    hold = undefined;
    sessionStorage.removeItem(holdKey(event.id));
    message = undefined;
    return true;
  }

  /** The card last paid with: the redrawn form keeps it chosen (after a decline, say). */
  let card: string | undefined;

  function pay(token: string): Promise<void> {
    const current = hold;
    if (!current) return Promise.resolve();
    card = token;
    return run(async () => {
      try {
        order = await api<OrderView>('POST', '/orders', {
          body: { holdId: current.holdId, payment: { token } },
          idempotencyKey: payKey(current.holdId, token),
        });
        hold = undefined;
        sessionStorage.removeItem(holdKey(event.id));
        message = undefined;
      } catch (error) {
        // Already paid (in another tab, or by a request whose answer was lost): show that order.
        if (error instanceof ApiProblem && error.status === 409 && error.body['holdStatus'] === 'ORDERED') {
          if (await showOrderOf(current.holdId, error.body['orderId'])) return;
          message = { kind: 'info', text: 'These seats are already paid for: see My orders.' };
          return;
        }
        if (error instanceof ApiProblem && error.status === 402) {
          // A decline is an answer, not a lost one: paying again asks the provider again (a card
          // may go through later) rather than replaying this decline under the same key.
          forgetPayKey(current.holdId, token);
          message = { kind: 'error', text: `The payment was declined. ${stillHeld(current)}` };
          return;
        }
        if (error instanceof ApiProblem && error.status === 504 && String(error.body['type'] ?? '').endsWith('/payment-timeout')) {
          // An answer too: the service keeps it for its key (the charge may still go through, and
          // is then refunded), so paying again is a new attempt under a new key.
          forgetPayKey(current.holdId, token);
          message = { kind: 'error', text: `The payment provider did not answer in time (a charge that went through late is refunded). ${stillHeld(current)}` };
          return;
        }
        if (error instanceof ApiProblem && error.status === 410) {
          endHold('Your hold expired and the seats went back on sale.');
          return;
        }
        throw error;
      }
    });
  }

  /**
   * What a payment that failed leaves: the hold, while its time lasts. Once it is up (the payment
   * outlasted it), the countdown's check with the server says how it ended.
   */
  function stillHeld(current: HoldView): string {
    return Date.parse(current.expiresAt) > serverNow() ? 'Your seats are still held: try again, or with another card.' : 'Your hold has run out meanwhile.';
  }

  function release(): Promise<void> {
    const current = hold;
    if (!current) return Promise.resolve();
    return run(async () => {
      try {
        await api('DELETE', `/holds/${encodeURIComponent(current.holdId)}`);
      } catch (error) {
        // Paid for already (a "Pay" whose answer was lost, or another tab): its order, not "released".
        if (error instanceof ApiProblem && error.status === 409 && error.body['holdStatus'] === 'ORDERED') {
          if (await showOrderOf(current.holdId, error.body['orderId'])) return;
          endHold('These seats are already paid for: see My orders.');
          return;
        }
        throw error;
      }
      endHold('Released: the seats are back on sale.');
    });
  }

  function endHold(text: string): void {
    hold = undefined;
    sessionStorage.removeItem(holdKey(event.id));
    view.setMine(new Set());
    message = { kind: 'info', text };
  }

  const countdown = h('strong', { class: 'countdown' });
  /** The warnings said for the hold `warnedFor` (hold-warnings.ts). */
  let warned = new Set<number>();
  let warnedFor: string | undefined;
  // By the server's clock (a browser's may be off by minutes); and before the hold is given up
  // for expired, the server is asked: it alone decides.
  let checkingExpiry = false;
  // Sales opening or closing while the page is open changes what the panel offers.
  let sales = salesState(event, serverNow());
  const timer = setInterval(() => {
    const salesNow = salesState(event, serverNow());
    if (salesNow.kind !== sales.kind) {
      sales = salesNow;
      renderPanel();
    }
    const current = hold;
    if (!current) return;
    const left = Date.parse(current.expiresAt) - serverNow();
    countdown.textContent = minutesSeconds(left);
    if (warnedFor !== current.holdId) {
      warnedFor = current.holdId;
      warned = new Set();
    }
    const warning = holdWarning(left, warned);
    if (warning) announce(warning);
    // A payment on its way decides first: it may have been placed just in time, or fail.
    if (left > 0 || checkingExpiry || busy) return;
    checkingExpiry = true;
    void (async () => {
      let found: HoldView | undefined;
      try {
        found = await api<HoldView>('GET', `/holds/${encodeURIComponent(current.holdId)}`);
      } catch (error) {
        // Unreachable for a moment: asked again on the next tick. Gone: it ended.
        if (!(error instanceof ApiProblem && error.status === 404)) return;
      }
      if (hold !== current || found?.status === 'ACTIVE') return;
      // Paid for after all (the answer to "Pay" never reached this tab): the order, not "expired".
      if (found?.status === 'ORDERED' && (await showOrderOf(current.holdId, found.orderId))) return renderPanel();
      endHold('Your hold expired and the seats went back on sale.');
      renderPanel();
    })().finally(() => (checkingExpiry = false));
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
  let announced: typeof message;
  function announce(text: string): void {
    announcer.textContent = text;
  }

  function drawPanel(): void {
    const notice = message && h('p', { class: message.kind === 'error' ? 'error' : 'notice', ...(message.kind === 'error' ? { role: 'alert' } : {}) }, message.text);
    if (message && message !== announced && message.kind !== 'error') announce(message.text);
    announced = message;
    if (order) {
      mount(panel, ...ticketsView(order, seatName));
    } else if (hold) {
      countdown.textContent = minutesSeconds(Date.parse(hold.expiresAt) - serverNow());
      mount(panel, ...heldView({ hold, seatName, countdown, notice, busy, card, onPay: (token) => void pay(token), onRelease: () => void release() }));
    } else {
      mount(
        panel,
        ...chooseView({
          selected,
          seatName,
          totalCents: [...selected].reduce((sum, id) => sum + (seatsById.get(id)?.priceCents ?? 0), 0),
          currency: event.currency,
          tiers,
          maxSeatsPerOrder: event.maxSeatsPerOrder,
          signedIn: currentSession() !== undefined,
          sales,
          notice,
          busy,
          onHold: (request) => void holdSeats(request),
        }),
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
  void restoreHold();

  /**
   * A reload keeps the buyer's hold: it is remembered for this tab. Another tab, or another device,
   * finds it by asking for the buyer's holds of the event still running (it had shown the buyer's
   * own seats as taken, with nothing to pay for or release).
   */
  async function restoreHold(): Promise<void> {
    const session = currentSession();
    if (!session) return;
    let holdId = sessionStorage.getItem(holdKey(event.id));
    if (!holdId && session.role === 'buyer') {
      const running = await api<{ items: HoldView[] }>('GET', `/holds?eventId=${encodeURIComponent(event.id)}`).catch(() => undefined);
      holdId = running?.items[0]?.holdId ?? null;
    }
    if (!holdId || hold) return;
    try {
      const found = await api<HoldView>('GET', `/holds/${encodeURIComponent(holdId)}`);
      // Paid for (the answer may never have reached this tab): its order, with the tickets.
      if (found.status === 'ORDERED' && (await showOrderOf(holdId, found.orderId))) return renderPanel();
      if (found.status !== 'ACTIVE') throw new Error('ended');
      hold = found;
      sessionStorage.setItem(holdKey(event.id), found.holdId);
      view.setMine(new Set(found.seatIds));
    } catch {
      sessionStorage.removeItem(holdKey(event.id));
    }
    renderPanel();
  }

  return () => {
    clearInterval(timer);
    live.close();
    view.dispose();
  };
}

const holdKey = (eventId: string) => `stream-seat.hold.${eventId}`;
