/** The event page's header (the way back, the event's name, time and venue), and a cancelled event's page. */
import type { EventView } from '@stream-seat/contracts';
import { h, mount } from '../dom.js';
import { dateTime } from '../format.js';

/** The way back to the list, and the event's name, time and venue (with `extra` beside them). */
export function eventHeader(event: EventView, extra?: HTMLElement): [HTMLAnchorElement, HTMLElement] {
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
export function showCancelled(root: HTMLElement, event: EventView): void {
  mount(
    root,
    ...eventHeader(event),
    // An alert, said as it is drawn: a status region added with its text is not said by many screen
    // readers, and the page drawn again had said only its heading (WCAG 4.1.3).
    h('p', { class: 'notice', 'data-event-status': 'CANCELLED', role: 'alert' },
      'This event was cancelled. Every order for it is refunded — see ', h('a', { href: '#/orders' }, 'your orders'), '.',
    ),
  );
}
