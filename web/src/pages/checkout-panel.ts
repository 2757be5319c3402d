/**
 * The event page's side panel, in its three states: choosing seats, holding them (pay or
 * release), and the tickets of the order. Views only: the page owns the state and the actions.
 */
import type { HoldView, OrderView } from '@stream-seat/contracts';
import { field, h } from '../dom.js';
import { money, timeOfDay } from '../format.js';
import { salesNotice, type SalesState } from '../sales-window.js';
import { ticketItem } from '../ticket-item.js';

/** Test cards of the built-in payment provider (a real provider's form replaces this). */
const PAYMENT_CARDS = [
  { token: 'tok_ok', label: 'Test card — approved' },
  { token: 'tok_declined', label: 'Test card — declined' },
  { token: 'tok_refund_fails', label: 'Test card — approved; a refund of it fails' },
  { token: 'tok_slow', label: 'Test card — the provider does not answer in time' },
];

type Nodes = Array<Node | null | undefined | false>;

/** The best-available form as the buyer left it. */
export interface BestAvailableChoice {
  quantity: string;
  tier: string;
  section: string;
  together: boolean;
}

/** The form's first values: two seats side by side, anywhere. */
export function bestAvailableDefaults(): BestAvailableChoice {
  return { quantity: '2', tier: '', section: '', together: true };
}

/** What the tickets panel offers besides the tickets: a notice (a click on the map, say), and choosing again. */
export interface TicketsViewOptions {
  notice: Node | undefined;
  /** Back to choosing seats: the map had gone on selecting seats that no button could hold. */
  onBuyMore(): void;
}

export function ticketsView(order: OrderView, seatName: (seatId: string) => string, more?: TicketsViewOptions): Nodes {
  return [
    h('h2', { tabindex: -1 }, 'Your tickets'),
    h('p', {}, `Order confirmed · ${money(order.totalCents, order.currency)}`),
    h('ul', { class: 'tickets' },
      ...order.tickets.map((t) => ticketItem(t, h('strong', {}, seatName(t.seatId)))),
    ),
    h('p', { class: 'muted' }, 'Show a ticket’s QR code (or its code) at the door.'),
    h('a', { href: '#/orders' }, 'All my orders →'),
    more?.notice,
    more && h('button', { type: 'button', class: 'buy-more', onclick: (() => more.onBuyMore()) as EventListener }, 'Buy more seats'),
  ];
}

export interface HeldViewOptions {
  hold: HoldView;
  seatName: (seatId: string) => string;
  /** The countdown element, kept across redraws and ticked by the page. */
  countdown: HTMLElement;
  notice: Node | undefined;
  busy: boolean;
  /** The card chosen last time, if any (else the first). */
  card?: string | undefined;
  onPay(token: string): void;
  onRelease(): void;
}

export function heldView(o: HeldViewOptions): Nodes {
  const card = h('select', { name: 'card' }, ...PAYMENT_CARDS.map((c) => h('option', { value: c.token, selected: c.token === o.card }, c.label)));
  return [
    h('h2', { tabindex: -1 }, 'Held for you'),
    h('ul', { class: 'held-seats' }, ...o.hold.seatIds.map((s) => h('li', {}, o.seatName(s)))),
    h('p', {}, 'Total ', h('strong', {}, money(o.hold.totalCents, o.hold.currency)), ' · time left ', o.countdown),
    o.notice,
    h('form', {
      class: 'pay',
      onsubmit: ((e: Event) => {
        e.preventDefault();
        o.onPay(card.value);
      }) as EventListener,
    }, field('Payment card', card), h('button', { type: 'submit', disabled: o.busy }, o.busy ? 'Paying…' : 'Pay')),
    h('button', { type: 'button', class: 'secondary', disabled: o.busy, onclick: (() => o.onRelease()) as EventListener }, 'Release seats'),
  ];
}

export interface OtherHoldsViewOptions {
  others: readonly HoldView[];
  seatName: (seatId: string) => string;
  busy: boolean;
  /** Offered when the page shows no hold or tickets of its own: pay for that hold here. */
  onAdopt?: ((holdId: string) => void) | undefined;
  onRelease(holdId: string): void;
}

/** The buyer's other holds of the event (another tab, another device), each to release — or, when the page holds nothing, to pay for here. */
export function otherHoldsView(o: OtherHoldsViewOptions): Nodes {
  if (o.others.length === 0) return [];
  const onAdopt = o.onAdopt;
  return [
    h('section', { class: 'other-holds', 'aria-labelledby': 'other-holds-heading' },
      h('h3', { id: 'other-holds-heading' }, 'Also held for you'),
      h('p', { class: 'muted' }, 'In another tab or on another device.'),
      h('ul', {},
        ...o.others.map((other) => {
          const seats = other.seatIds.map(o.seatName).join('; ');
          // Each button names its seats: a screen reader's list of buttons had read "Release, Release".
          return h('li', { 'data-hold-id': other.holdId },
            h('span', {}, seats),
            ` · ${money(other.totalCents, other.currency)} · until ${timeOfDay(other.expiresAt)} `,
            onAdopt ? h('button', { type: 'button', class: 'adopt-other', disabled: o.busy, 'aria-label': `Pay here for ${seats}`, onclick: (() => onAdopt(other.holdId)) as EventListener }, 'Pay here') : null,
            h('button', { type: 'button', class: 'secondary release-other', disabled: o.busy, 'aria-label': `Release ${seats}`, onclick: (() => o.onRelease(other.holdId)) as EventListener }, 'Release'),
          );
        }),
      ),
    ),
  ];
}

export interface ChooseViewOptions {
  selected: ReadonlySet<string>;
  seatName: (seatId: string) => string;
  totalCents: number;
  currency: string;
  tiers: string[];
  /** A tier as the form names it (with its price, as the legend does; the bare code had been shown). */
  tierLabel(tier: string): string;
  /** No place is available now (every one held or sold): said, and nothing offered to find. */
  soldOut: boolean;
  /** The map's sections, for the best available in one of them (a standing area's places too). */
  sections: Array<{ id: string; name: string }>;
  /** What the buyer entered in the best-available form: kept across redraws, and updated as they type. */
  choice: BestAvailableChoice;
  maxSeatsPerOrder: number;
  signedIn: boolean;
  /** Signed in, but not as a buyer (an organiser): told so, and offered nothing to hold. */
  notBuyer: boolean;
  /** Holds are taken only while sales are open: before and after, the panel says so and offers none. */
  sales: SalesState;
  notice: Node | undefined;
  busy: boolean;
  /** Hold the given seats, or the best available (quantity, tier, side by side). */
  onHold(request: Record<string, unknown>): void;
}

export function chooseView(o: ChooseViewOptions): Nodes {
  // Said before any click (the service refuses an organiser's hold: "Sign in as a buyer" had come only after "Hold").
  if (o.notBuyer) {
    return [
      h('h2', { tabindex: -1 }, 'Your seats'),
      h('p', { class: 'notice', 'data-not-buyer': '' }, 'You are signed in as an organiser: buying tickets needs a buyer\'s sign-in (sign out, top right, and sign in as a buyer).'),
      o.notice,
    ];
  }
  const { choice } = o;
  const quantity = h('input', { type: 'number', name: 'quantity', min: 1, max: o.maxSeatsPerOrder, value: choice.quantity, required: true });
  const tier = h('select', { name: 'tier' }, h('option', { value: '' }, 'any tier'), ...o.tiers.map((t) => h('option', { value: t, selected: t === choice.tier }, o.tierLabel(t))));
  const section = h('select', { name: 'section' },
    h('option', { value: '' }, 'any section'),
    ...o.sections.map((s) => h('option', { value: s.id, selected: s.id === choice.section }, s.name)),
  );
  const together = h('input', { type: 'checkbox', name: 'together', checked: choice.together });
  // Kept as entered: the panel is drawn anew on every change (a seat clicked, a 409, a seat lost).
  quantity.addEventListener('input', () => (choice.quantity = quantity.value));
  tier.addEventListener('change', () => (choice.tier = tier.value));
  section.addEventListener('change', () => (choice.section = section.value));
  together.addEventListener('change', () => (choice.together = together.checked));
  const count = o.selected.size;
  const closed = o.sales.kind !== 'open';
  return [
    h('h2', { tabindex: -1 }, 'Your seats'),
    closed ? h('p', { class: 'notice', 'data-sales': o.sales.kind, role: 'status' }, `${salesNotice(o.sales)}.`) : null,
    o.signedIn || closed ? null : h('p', { class: 'notice' }, 'Sign in (top right) to hold seats.'),
    // Best available had answered "There are not 2 adjacent seats available" with none left at all.
    o.soldOut && !closed
      ? h('p', { class: 'notice', 'data-sold-out': '' }, 'Sold out for now: every place is held or sold. Places held and not paid for come back on sale when their hold ends, and show here as they do.')
      : null,
    count === 0
      ? h('p', { class: 'muted' }, 'Click available seats on the map, or Tab to it: the arrow keys move, Enter or Space selects.')
      : h('ul', { class: 'selected-seats' }, ...[...o.selected].map((s) => h('li', {}, o.seatName(s)))),
    count > 0 ? h('p', {}, 'Total ', h('strong', {}, money(o.totalCents, o.currency))) : null,
    o.notice,
    h('button', {
      type: 'button',
      class: 'hold-selected',
      disabled: o.busy || closed || count === 0,
      onclick: (() => o.onHold({ seatIds: [...o.selected] })) as EventListener,
    }, o.busy ? 'Holding…' : count === 0 ? 'Hold seats' : `Hold ${count} seat${count === 1 ? '' : 's'}`),
    h('h3', {}, 'Or the best available'),
    h('form', {
      class: 'best-available',
      onsubmit: ((e: Event) => {
        e.preventDefault();
        o.onHold({ quantity: Number(quantity.value), together: together.checked, ...(tier.value ? { tier: tier.value } : {}), ...(section.value ? { section: section.value } : {}) });
      }) as EventListener,
    },
      field('Seats', quantity), field('Section', section), field('Tier', tier),
      h('label', {}, together, ' side by side'),
      h('button', { type: 'submit', disabled: o.busy || closed || o.soldOut }, 'Find seats'),
    ),
  ];
}
