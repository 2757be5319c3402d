/**
 * The event page's side panel, in its three states: choosing seats, holding them (pay or
 * release), and the tickets of the order. Views only: the page owns the state and the actions.
 */
import type { HoldView, OrderView } from '@stream-seat/contracts';
import { field, h } from '../dom.js';
import { dateTime, money } from '../format.js';
import type { SalesState } from '../sales-window.js';

/** Test cards of the built-in payment provider (a real provider's form replaces this). */
const PAYMENT_CARDS = [
  { token: 'tok_ok', label: 'Test card — approved' },
  { token: 'tok_declined', label: 'Test card — declined' },
  { token: 'tok_refund_fails', label: 'Test card — approved; a refund of it fails' },
  { token: 'tok_slow', label: 'Test card — the provider does not answer in time' },
];

type Nodes = Array<Node | null | undefined | false>;

export function ticketsView(order: OrderView, seatName: (seatId: string) => string): Nodes {
  return [
    h('h2', { tabindex: -1 }, 'Your tickets'),
    h('p', {}, `Order confirmed · ${money(order.totalCents, order.currency)}`),
    h('ul', { class: 'tickets' },
      ...order.tickets.map((t) => h('li', { 'data-ticket-code': t.code }, h('strong', {}, seatName(t.seatId)), h('code', {}, t.code))),
    ),
    h('p', { class: 'muted' }, 'Show a code (or its QR code) at the door.'),
    h('a', { href: '#/orders' }, 'All my orders →'),
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

export interface ChooseViewOptions {
  selected: ReadonlySet<string>;
  seatName: (seatId: string) => string;
  totalCents: number;
  currency: string;
  tiers: string[];
  /** The map's sections, for the best available in one of them (a standing area's places too). */
  sections: Array<{ id: string; name: string }>;
  /** The section chosen on the map (a click on a standing area), if any. */
  section?: string | undefined;
  maxSeatsPerOrder: number;
  signedIn: boolean;
  /** Holds are taken only while sales are open: before and after, the panel says so and offers none. */
  sales: SalesState;
  notice: Node | undefined;
  busy: boolean;
  /** Hold the given seats, or the best available (quantity, tier, side by side). */
  onHold(request: Record<string, unknown>): void;
}

export function chooseView(o: ChooseViewOptions): Nodes {
  const quantity = h('input', { type: 'number', name: 'quantity', min: 1, max: o.maxSeatsPerOrder, value: 2, required: true });
  const tier = h('select', { name: 'tier' }, h('option', { value: '' }, 'any tier'), ...o.tiers.map((t) => h('option', { value: t }, t)));
  const section = h('select', { name: 'section' },
    h('option', { value: '' }, 'any section'),
    ...o.sections.map((s) => h('option', { value: s.id, selected: s.id === o.section }, s.name)),
  );
  const together = h('input', { type: 'checkbox', name: 'together', checked: true });
  const count = o.selected.size;
  const closed = o.sales.kind !== 'open';
  return [
    h('h2', { tabindex: -1 }, 'Your seats'),
    o.sales.kind === 'before' ? h('p', { class: 'notice', 'data-sales': 'before', role: 'status' }, `Sales open ${dateTime(o.sales.opensAt)}.`) : null,
    o.sales.kind === 'over' ? h('p', { class: 'notice', 'data-sales': 'over', role: 'status' }, 'Sales for this event are over.') : null,
    o.signedIn || closed ? null : h('p', { class: 'notice' }, 'Sign in (top right) to hold seats.'),
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
      h('button', { type: 'submit', disabled: o.busy || closed }, 'Find seats'),
    ),
  ];
}
