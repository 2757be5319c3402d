/**
 * One ticket as its buyer shows it at the door: its place, its QR code and its code in text (for a
 * desk that types it). A ticket checked in, or void (its order cancelled), shows no QR code and
 * says why: a void ticket had looked exactly like a valid one in My orders.
 */
import type { OrderView } from '@stream-seat/contracts';
import { h } from './dom.js';
import { timeOfDay } from './format.js';
import { ticketQr } from './ticket-qr.js';

type Ticket = OrderView['tickets'][number];

/** `place`: the seat as its holder knows it, filled in later when the seat map comes. */
export function ticketItem(ticket: Ticket, place: HTMLElement): HTMLLIElement {
  const usable = ticket.status === 'VALID' && !ticket.checkedInAt;
  const state = ticket.status === 'VOID' ? 'void: cancelled with its order, not valid for entry' : ticket.checkedInAt ? `checked in at ${timeOfDay(ticket.checkedInAt)}` : null;
  return h(
    'li',
    { class: `ticket${usable ? '' : ' unusable'}`, 'data-status': ticket.status, 'data-seat-id': ticket.seatId, 'data-ticket-code': ticket.code },
    place,
    usable ? ticketQr(ticket.code) : null,
    h('code', {}, ticket.code),
    state ? h('span', { class: 'ticket-state' }, state) : null,
  );
}
