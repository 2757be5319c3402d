/**
 * Forms typed into and not saved: leaving them — another form opened in their place, a link
 * followed, back or forward, a reload, the tab closed — asks first. Opening "New event" had thrown
 * away a half-filled venue without a word, and any move of the page had lost an open form.
 * A form is saved, or given up on purpose (its Close button, Escape), by taking it off the page.
 */

/** Forms changed since they were opened, with what the question calls them ("the new venue"). */
const changed = new Map<HTMLFormElement, string>();

/** Counts `form` as unsaved from its first change (a key typed, a choice made). `what` names it in the question. */
export function watchUnsaved(form: HTMLFormElement, what: string): void {
  const mark = () => {
    changed.set(form, what);
  };
  form.addEventListener('input', mark);
  form.addEventListener('change', mark);
}

/** The changed forms still on the page (within `scope`, if given); forms taken off it are forgotten. */
function unsaved(scope?: Node): HTMLFormElement[] {
  for (const form of changed.keys()) if (!form.isConnected) changed.delete(form);
  return [...changed.keys()].filter((form) => scope === undefined || scope.contains(form));
}

/**
 * True when nothing unsaved (within `scope`) would be lost, or the user says to leave it; the
 * forms they leave are forgotten as unsaved. False: the user stays, the focus in the first form.
 */
export function mayLeaveUnsaved(scope?: Node): boolean {
  const forms = unsaved(scope);
  if (forms.length === 0) return true;
  const names = forms.map((form) => changed.get(form)).join(' and ');
  if (!confirm(`You have not saved ${names}. Leave ${forms.length === 1 ? 'it' : 'them'} unsaved?`)) {
    forms[0]?.querySelector<HTMLElement>('input, select, textarea')?.focus();
    return false;
  }
  for (const form of forms) changed.delete(form);
  return true;
}

// A reload or a closed tab: the browser asks, in its own words (it shows no text of ours).
window.addEventListener('beforeunload', (unloading) => {
  if (unsaved().length > 0) unloading.preventDefault();
});
