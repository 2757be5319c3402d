/**
 * The organiser's event form: a new draft (`POST /api/events`) or a draft changed (`PATCH
 * /api/events/{id}`) — its venue, name, start, currency, a price for every tier of the venue, the
 * sales window and the seats a buyer may take at once. Times are the organiser's wall clock, its
 * zone said beside them; prices are typed in the currency's major unit.
 */
import { ISO_4217_CURRENCIES } from '@stream-seat/contracts/currencies';
import { MAX_PRICE_CENTS, MAX_SEATS_PER_ORDER } from '@stream-seat/contracts/limits';
import type { EventView } from '@stream-seat/contracts';
import { api, ApiProblem, eventVersion } from '../api.js';
import { money, statusWords } from '../format.js';
import { field, h } from '../dom.js';
import { retryKeys } from '../retry-keys.js';
import { editorForm, FIELD_ATTRIBUTE, type FieldProblem } from '../form-problems.js';
import { instantOfLocal, localFieldValue, zoneName, zoneOffsetLabel } from '../local-time.js';
import { minorUnitsOf, pricePattern, priceText } from '../price-input.js';

/** A venue the event may be put on: the organiser's own (`GET /api/venues`). */
export interface VenueChoice {
  id: string;
  name: string;
  city: string | null;
  capacity: number;
  tiers: string[];
}

const CURRENCIES = [...ISO_4217_CURRENCIES].sort();
/** The API's names of the fields, as the form calls them: its messages name other fields ("must be after salesStartAt"). */
const LABELS: Record<string, string> = { salesStartAt: 'Sales open', salesEndAt: 'Sales close', startsAt: 'Starts', maxSeatsPerOrder: 'Seats per order', venueId: 'Venue' };
const FIELD_NAMES = new RegExp(`\\b(${Object.keys(LABELS).join('|')})\\b`, 'g');
const inFormWords = (message: string) => message.replace(FIELD_NAMES, (name) => `“${LABELS[name] ?? name}”`);

/** Numbers the forms' notes, whose ids tie them to their fields. */
let formCount = 0;

/** A new event's currency, unless the organiser's events say another. */
const DEFAULT_CURRENCY = 'EUR';

/** True when the event already has every field of `change` (a PATCH body of the form's) as sent. */
function madeAlready(change: Record<string, unknown>, event: EventView): boolean {
  const now = event as unknown as Record<string, unknown>;
  return Object.entries(change).every(([key, sent]) => {
    const stored = now[key];
    // The API keeps a name without the spaces around it.
    if (key === 'name' && typeof sent === 'string') return stored === sent.trim();
    if (key === 'prices') return JSON.stringify(Object.entries(sent as object).sort()) === JSON.stringify(Object.entries(event.prices).sort());
    if (typeof sent === 'string' && key.endsWith('At')) return typeof stored === 'string' && Date.parse(stored) === Date.parse(sent);
    return stored === sent;
  });
}

/**
 * The form; `saved` is called with the event once the API has it. `event`: the draft to change
 * (else a new one) — a change sends only the fields the organiser changed, so that a time the
 * field shows to the minute (one set through the API at 20:30:45) or a price stays as it was;
 * `gone`: called instead when the draft is a draft no more (put on sale or cancelled meanwhile, in
 * another tab) or was changed since the form was opened (sent with If-Match: another tab's change
 * is not undone), with what to say; `currency`: a new event's first choice.
 */
export function eventEditor(
  venues: readonly VenueChoice[],
  saved: (event: EventView) => void,
  close: () => void,
  options: { event?: EventView; currency?: string; gone?: (message: string) => void } = {},
): HTMLFormElement {
  const { event } = options;
  const venue = h('select', { name: 'event-venue', required: true, [FIELD_ATTRIBUTE]: 'venueId' }, ...venues.map((v) => h('option', { value: v.id }, `${v.name}${v.city ? `, ${v.city}` : ''} (${v.capacity.toLocaleString()} places)`)));
  if (event) venue.value = event.venueId;
  const name = h('input', { name: 'event-name', required: true, maxlength: 200, value: event?.name ?? '', [FIELD_ATTRIBUTE]: 'name' });
  const startsAt = h('input', { name: 'event-starts', type: 'datetime-local', required: true, value: event ? localFieldValue(event.startsAt) : '', [FIELD_ATTRIBUTE]: 'startsAt' });
  const currency = h('select', { name: 'event-currency', required: true, [FIELD_ATTRIBUTE]: 'currency' }, ...CURRENCIES.map((code) => h('option', { value: code }, code)));
  currency.value = event?.currency ?? options.currency ?? DEFAULT_CURRENCY;
  const salesStartAt = h('input', { name: 'event-sales-start', type: 'datetime-local', value: event?.salesStartAt ? localFieldValue(event.salesStartAt) : '', [FIELD_ATTRIBUTE]: 'salesStartAt' });
  const salesEndAt = h('input', { name: 'event-sales-end', type: 'datetime-local', value: event?.salesEndAt ? localFieldValue(event.salesEndAt) : '', [FIELD_ATTRIBUTE]: 'salesEndAt' });
  const maxSeats = h('input', { name: 'event-max-seats', type: 'number', min: 1, max: MAX_SEATS_PER_ORDER, step: 1, required: true, value: event?.maxSeatsPerOrder ?? 10, [FIELD_ATTRIBUTE]: 'maxSeatsPerOrder' });
  // Tied to each time field, so that a screen reader says it there too.
  const zone = h('p', { class: 'muted', id: `zone-note-${++formCount}` });
  for (const input of [startsAt, salesStartAt, salesEndAt]) input.setAttribute('aria-describedby', zone.id);
  const priceList = h('fieldset', { class: 'event-prices' });
  const problem = h('p', { class: 'error', role: 'alert' });
  const submit = h('button', { type: 'submit' }, event ? 'Save changes' : 'Save draft');
  // What was typed for each tier, kept across a change of venue or currency.
  const typed = new Map(Object.entries(event?.prices ?? {}).map(([tier, minor]) => [tier, priceText(minor, event?.currency ?? DEFAULT_CURRENCY)]));
  let priceInputs: Array<{ tier: string; input: HTMLInputElement }> = [];

  const tiers = () => venues.find((v) => v.id === venue.value)?.tiers ?? [];
  const drawPrices = () => {
    for (const { tier, input } of priceInputs) typed.set(tier, input.value);
    priceInputs = tiers().map((tier) => ({
      tier,
      // Not required: a draft may be saved without a price, and put on sale once every tier has one.
      input: h('input', { name: `price-${tier}`, inputmode: 'decimal', size: 10, value: typed.get(tier) ?? '', title: pricePattern(currency.value), [FIELD_ATTRIBUTE]: `prices.${tier}` }),
    }));
    priceList.replaceChildren(
      h('legend', {}, `Prices in ${currency.value}, one for each tier of the venue (all are needed to put it on sale)`),
      ...priceInputs.map(({ tier, input }) => field(`Tier ${tier}`, input)),
    );
  };
  const sayZone = () => {
    const startsOn = instantOfLocal(startsAt.value);
    zone.textContent = `Times are in your zone (${zoneName()}: ${zoneOffsetLabel(startsOn)} ${startsOn ? 'on the day it starts' : 'today'}).`;
  };
  venue.addEventListener('change', drawPrices);
  currency.addEventListener('change', drawPrices);
  startsAt.addEventListener('change', sayZone);

  /** The body the API takes, or the fields that cannot be sent as typed. */
  const read = (): { body: Record<string, unknown> } | { faults: FieldProblem[] } => {
    const faults: FieldProblem[] = [];
    const prices: Record<string, number> = {};
    for (const { tier, input } of priceInputs) {
      if (input.value.trim() === '') continue;
      const minor = minorUnitsOf(input.value, currency.value);
      if (minor === undefined) faults.push({ field: `prices.${tier}`, message: `must be ${pricePattern(currency.value)} (at most ${money(MAX_PRICE_CENTS, currency.value)})` });
      else prices[tier] = minor;
    }
    const instant = (input: HTMLInputElement, fieldName: string) => {
      if (input.value === '') return null;
      const at = instantOfLocal(input.value);
      if (at === undefined) faults.push({ field: fieldName, message: 'is not a date and time' });
      return at ?? null;
    };
    const body: Record<string, unknown> = {
      venueId: venue.value,
      name: name.value,
      startsAt: instant(startsAt, 'startsAt'),
      currency: currency.value,
      prices,
      salesStartAt: instant(salesStartAt, 'salesStartAt'),
      salesEndAt: instant(salesEndAt, 'salesEndAt'),
      maxSeatsPerOrder: maxSeats.valueAsNumber,
    };
    if (faults.length > 0) return { faults };
    if (!event) return { body };
    // A change: the fields whose control the organiser changed; prices (replaced whole) when one
    // of them, the venue (its tiers) or the currency (their unit) changed.
    const changed = (control: HTMLInputElement | HTMLSelectElement) => initially.get(control) !== control.value;
    const pricesChanged = changed(venue) || changed(currency) || priceInputs.some(({ tier, input }) => input.value !== (initialPrices.get(tier) ?? ''));
    const controls: Array<[string, HTMLInputElement | HTMLSelectElement]> = [
      ['venueId', venue], ['name', name], ['startsAt', startsAt], ['currency', currency], ['salesStartAt', salesStartAt], ['salesEndAt', salesEndAt], ['maxSeatsPerOrder', maxSeats],
    ];
    return { body: Object.fromEntries([...controls.filter(([, control]) => changed(control)).map(([key]) => [key, body[key]]), ...(pricesChanged ? [['prices', prices]] : [])]) };
  };

  const keyFor = retryKeys();
  const form = h(
    'form',
    { class: 'editor event-editor', 'aria-label': event ? `Change ${event.name}` : 'New event' },
    h('h3', {}, event ? `Change “${event.name}”` : 'New event'),
    field('Venue', venue),
    field('Name', name),
    field('Starts', startsAt),
    field('Currency', currency),
    priceList,
    field('Sales open', salesStartAt),
    field('Sales close', salesEndAt),
    h('p', { class: 'muted' }, 'Left empty, sales open when the event is put on sale and close when it starts.'),
    zone,
    field('Seats per order', maxSeats),
    problem,
    h('div', { class: 'editor-actions' }, submit, h('button', { type: 'button', class: 'secondary', onclick: close as EventListener }, 'Close')),
  );
  editorForm(form, {
    problem,
    submit,
    close,
    send: () => {
      const reading = read();
      if ('faults' in reading) return { faults: reading.faults, otherwise: '' };
      const sent = event
        ? // Only to the draft as the form was opened on (If-Match): another tab's change since is not undone.
          api<EventView>('PATCH', `/events/${encodeURIComponent(event.id)}`, { body: reading.body, ifMatch: eventVersion(event) }).catch(async (error: unknown) => {
            if (!(error instanceof ApiProblem && error.status === 412)) throw error;
            // Sent again after its answer was lost, the change finds itself made (the version it
            // names is gone because of it): saved, not "changed elsewhere".
            // Not read: the 412 is the answer ("changed elsewhere"), not the read's failure.
            const now = await api<EventView>('GET', `/events/${encodeURIComponent(event.id)}`).catch(() => {
              throw error;
            });
            if (now.status === 'DRAFT' && madeAlready(reading.body, now)) return now;
            throw error;
          })
        : api<EventView>('POST', '/events', { body: reading.body, idempotencyKey: keyFor(reading.body) });
      return sent.then(saved);
    },
    handled: (error) => {
      if (!event || !options.gone || !(error instanceof ApiProblem)) return false;
      const type = String(error.body['type'] ?? '');
      const status = error.body['eventStatus'];
      // Put on sale or cancelled meanwhile: a 409, or the 412 of a version that moved on with it.
      if (type.endsWith('/event-not-draft') || (type.endsWith('/event-changed') && typeof status === 'string' && status !== 'DRAFT')) {
        options.gone(`“${event.name}” is no longer a draft (it is ${statusWords(status)}), so it was not changed.`);
        return true;
      }
      if (type.endsWith('/event-changed')) {
        options.gone(`“${event.name}” was changed elsewhere since this form was opened, so your change was not made: edit it again.`);
        return true;
      }
      return false;
    },
    reword: inFormWords,
  });
  drawPrices();
  sayZone();
  // What the form showed at first: a change sends what differs from it.
  const initially = new Map<HTMLInputElement | HTMLSelectElement, string>([venue, name, startsAt, currency, salesStartAt, salesEndAt, maxSeats].map((control) => [control, control.value]));
  const initialPrices = new Map(typed);
  return form;
}
