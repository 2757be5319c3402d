/**
 * The organiser's "New venue" form: a name, a city, and sections of rows of seats or standing
 * places, sent as a layout to `POST /api/venues`. Shapes the API also takes (curved rows, rotated
 * blocks, positions) stay the API's.
 */
import type { VenueView } from '@stream-seat/contracts';
import { MAX_ROWS_PER_SECTION, MAX_SEATS_PER_ROW, MAX_SECTIONS, MAX_TIER_NAME_LENGTH, MAX_VENUE_SEATS, NAME_CHARACTER } from '@stream-seat/contracts/limits';
import { api } from '../api.js';
import { field, h } from '../dom.js';
import { retryKeys } from '../retry-keys.js';
import { editorForm, FIELD_ATTRIBUTE } from '../form-problems.js';
import { placeCount, venueLayoutOf, type SectionDraft } from '../venue-builder.js';

// The API's limits on a layout are said on the controls, so that the browser holds to them.
/** What a tier may be called (contracts' tierName), as a form control's pattern. */
const TIER_PATTERN = `${NAME_CHARACTER}{1,${MAX_TIER_NAME_LENGTH}}`;

const numberInput = (name: string, value: number, max: number, fieldName: string) =>
  h('input', { name, type: 'number', min: 1, max, step: 1, value, required: true, inputmode: 'numeric', [FIELD_ATTRIBUTE]: fieldName });

/** One section's controls; `read` gives what they say. */
function sectionControls(index: number, draft: SectionDraft, onChange: () => void, onRemove: () => void) {
  const at = `sections.${index}`;
  const name = h('input', { name: 'section-name', value: draft.name, required: true, maxlength: 100, [FIELD_ATTRIBUTE]: `${at}.name` });
  const tier = h('input', { name: 'section-tier', value: draft.tier, required: true, pattern: TIER_PATTERN, title: `letters, digits or _ (up to ${MAX_TIER_NAME_LENGTH})`, size: 8, [FIELD_ATTRIBUTE]: `${at}.tier` });
  const kind = h('select', { name: 'section-kind' }, h('option', { value: 'seated' }, 'Rows of seats'), h('option', { value: 'standing' }, 'Standing'));
  kind.value = draft.kind;
  const rows = numberInput('section-rows', draft.rows, MAX_ROWS_PER_SECTION, `${at}.rows`);
  const seatsPerRow = numberInput('section-seats', draft.seatsPerRow, MAX_SEATS_PER_ROW, `${at}.rows.0.seats`);
  const capacity = numberInput('section-capacity', draft.capacity, MAX_VENUE_SEATS, `${at}.capacity`);
  const seated = h('span', { class: 'section-seated' }, field('Rows', rows), field('Seats a row', seatsPerRow));
  const standing = h('span', { class: 'section-standing' }, field('Places', capacity));
  const show = () => {
    // A hidden control is disabled too, so that the browser does not hold the form to its limits.
    const isSeated = kind.value === 'seated';
    seated.hidden = !isSeated;
    standing.hidden = isSeated;
    for (const control of [rows, seatsPerRow]) control.disabled = !isSeated;
    capacity.disabled = isSeated;
  };
  kind.addEventListener('change', () => (show(), onChange()));
  for (const control of [rows, seatsPerRow, capacity]) control.addEventListener('input', onChange);
  show();
  // Named by its section: a screen reader's list of buttons had read "Remove" for every one.
  const remove = h('button', { type: 'button', class: 'secondary', 'aria-label': `Remove section ${index + 1}`, onclick: onRemove as EventListener }, 'Remove');
  const element = h('fieldset', { class: 'venue-section' }, h('legend', {}, `Section ${index + 1}`), field('Name', name), field('Tier', tier), field('Kind', kind), seated, standing, remove);
  return {
    element,
    remove,
    read: (): SectionDraft => ({
      name: name.value,
      tier: tier.value,
      kind: kind.value === 'standing' ? 'standing' : 'seated',
      // What the browser would refuse (-3 rows, 2.5 seats) counts as none: the total had said "-15 places".
      rows: rows.validity.valid ? rows.valueAsNumber : 0,
      seatsPerRow: seatsPerRow.validity.valid ? seatsPerRow.valueAsNumber : 0,
      capacity: capacity.validity.valid ? capacity.valueAsNumber : 0,
    }),
  };
}

/** The form; `created` is called with the new venue once the API has it. */
export function venueEditor(created: (venue: VenueView) => void, close: () => void): HTMLFormElement {
  const name = h('input', { name: 'venue-name', required: true, maxlength: 200, [FIELD_ATTRIBUTE]: 'name' });
  const city = h('input', { name: 'venue-city', maxlength: 100, [FIELD_ATTRIBUTE]: 'city' });
  const sectionList = h('div', { class: 'venue-sections' });
  const total = h('p', { class: 'muted', 'aria-live': 'polite' });
  const problem = h('p', { class: 'error', role: 'alert' });
  const submit = h('button', { type: 'submit' }, 'Create venue');
  const add = h('button', { type: 'button', class: 'secondary' }, 'Add section');
  let drafts: SectionDraft[] = [{ name: 'Stalls', tier: 'A', kind: 'seated', rows: 10, seatsPerRow: 20, capacity: 500 }];
  let controls: Array<ReturnType<typeof sectionControls>> = [];
  const keyFor = retryKeys();

  const read = () => (drafts = controls.map((c) => c.read()));
  const count = () => {
    const places = placeCount(read());
    total.textContent = `${places.toLocaleString()} places${places > MAX_VENUE_SEATS ? ` — more than a venue may hold (${MAX_VENUE_SEATS.toLocaleString()})` : ''}`;
  };
  const draw = () => {
    controls = drafts.map((draft, index) =>
      sectionControls(index, draft, count, () => {
        read();
        drafts.splice(index, 1);
        draw();
        // The focus goes to the section that took its place (or the one before, for the last).
        controls[Math.min(index, controls.length - 1)]?.element.querySelector('input')?.focus();
      }),
    );
    // The last section stays: a venue has one at least.
    if (controls.length === 1) controls[0]!.remove.hidden = true;
    sectionList.replaceChildren(...controls.map((c) => c.element));
    add.hidden = controls.length >= MAX_SECTIONS;
    count();
  };
  add.addEventListener('click', () => {
    read();
    drafts.push({ name: `Section ${drafts.length + 1}`, tier: drafts.at(-1)?.tier ?? 'A', kind: 'seated', rows: 5, seatsPerRow: 20, capacity: 500 });
    draw();
    sectionList.querySelector<HTMLInputElement>('fieldset:last-child input')?.select();
  });

  const form = h(
    'form',
    { class: 'editor venue-editor', 'aria-label': 'New venue' },
    h('h3', {}, 'New venue'),
    field('Name', name),
    field('City', city),
    sectionList,
    add,
    total,
    problem,
    h('div', { class: 'editor-actions' }, submit, h('button', { type: 'button', class: 'secondary', onclick: close as EventListener }, 'Close')),
  );
  editorForm(form, {
    problem,
    submit,
    close,
    send: () => {
      if (placeCount(read()) > MAX_VENUE_SEATS) return { faults: [], otherwise: `A venue holds at most ${MAX_VENUE_SEATS.toLocaleString()} places: remove some rows, seats or places.` };
      const layout = venueLayoutOf(name.value, city.value, read());
      return api<VenueView>('POST', '/venues', { body: layout, idempotencyKey: keyFor(layout) }).then(created);
    },
  });
  draw();
  return form;
}
