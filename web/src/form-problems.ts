/**
 * A refused form's problem shown where the organiser looks: each field a 400 names (`errors`,
 * `sections.0.tier`) gets the message beside its control, which is marked invalid (a screen reader
 * says so on the field); what names no control of the form goes to the form's alert, in words.
 */
import { ApiProblem } from './api-problem.js';
import { h } from './dom.js';

/** The API's name of the field a control edits: `name`, `prices.A`, `sections.0.tier`. */
export const FIELD_ATTRIBUTE = 'data-field';

/** Takes away what an earlier refusal marked. */
function clearProblems(form: HTMLFormElement): void {
  for (const message of form.querySelectorAll('.field-problem')) message.remove();
  for (const control of form.querySelectorAll('[aria-invalid]')) {
    control.removeAttribute('aria-invalid');
    control.removeAttribute('aria-describedby');
  }
}

let messageCount = 0;

/** A fault of one field, as a 400's `errors` lists it. */
export interface FieldProblem {
  field: string;
  message: string;
}

/**
 * Marks the controls that `problems` name and says the rest in `alert` (or, when no control is
 * marked, `otherwise`); the first control marked takes the focus, else the alert. Returns how many
 * were marked.
 */
function showFieldProblems(form: HTMLFormElement, alert: HTMLElement, problems: readonly FieldProblem[], otherwise: string): number {
  clearProblems(form);
  const unplaced: string[] = [];
  let first: HTMLElement | undefined;
  let marked = 0;
  for (const { field, message } of problems) {
    const control = [...form.querySelectorAll<HTMLElement>(`[${FIELD_ATTRIBUTE}]`)].find((c) => c.getAttribute(FIELD_ATTRIBUTE) === field);
    if (!control) {
      unplaced.push(`${field}: ${message}`);
      continue;
    }
    const id = `field-problem-${++messageCount}`;
    control.setAttribute('aria-invalid', 'true');
    control.setAttribute('aria-describedby', id);
    (control.closest('label') ?? control).after(h('span', { class: 'field-problem error', id }, message));
    first ??= control;
    marked++;
  }
  alert.textContent =
    marked === 0 ? otherwise
    : unplaced.length > 0 ? `Please correct the marked fields. Also: ${unplaced.join('; ')}`
    : 'Please correct the marked fields.';
  // Nothing marked: the alert takes the focus, which the disabled submit button had lost to the page.
  if (first) first.focus();
  else if (alert.textContent) {
    alert.tabIndex = -1;
    alert.focus();
  }
  return marked;
}

/**
 * A refusal from the API shown on the form: its 400's fields marked, else its message in `alert`.
 * `reword` says a message in the form's words (the API's "must be after salesStartAt" as "must be
 * after Sales open").
 */
function showProblem(form: HTMLFormElement, alert: HTMLElement, error: unknown, reword: (message: string) => string = (m) => m): number {
  const listed = error instanceof ApiProblem && Array.isArray(error.body['errors']) ? (error.body['errors'] as Array<{ field?: unknown; message?: unknown }>) : [];
  return showFieldProblems(form, alert, listed.map((e) => ({ field: String(e.field), message: reword(String(e.message)) })), reword((error as Error).message));
}

/** A console form's submission, as `editorForm` runs it. */
export interface EditorSubmission {
  problem: HTMLElement;
  submit: HTMLButtonElement;
  close(): void;
  /** Sends the form (a promise), or refuses it before sending: the fields at fault, else what to say. */
  send(): Promise<void> | { faults: FieldProblem[]; otherwise: string };
  /** True for a failure the form answers itself (not shown as a problem). */
  handled?(error: unknown): boolean;
  /** Says an API message in the form's words. */
  reword?(message: string): string;
}

/**
 * What the console's forms share: Escape closes; the browser's own refusal clears an earlier
 * answer's alert and marks (they are not about it); a submission is sent once at a time, its button showing it
 * under way, and its refusal is shown on the form.
 */
export function editorForm(form: HTMLFormElement, submission: EditorSubmission): void {
  const { problem, submit } = submission;
  // Nor are the fields an earlier answer marked: one mended since had kept its message.
  form.addEventListener(
    'invalid',
    () => {
      problem.textContent = '';
      clearProblems(form);
    },
    true,
  );
  form.addEventListener('keydown', (pressed) => {
    if (pressed.key === 'Escape') submission.close();
  });
  form.addEventListener('submit', (submitted) => {
    submitted.preventDefault();
    clearProblems(form);
    const sending = submission.send();
    if (!(sending instanceof Promise)) {
      showFieldProblems(form, problem, sending.faults, sending.otherwise);
      return;
    }
    problem.textContent = '';
    submit.disabled = true;
    void sending
      .catch((error: unknown) => {
        if (!submission.handled?.(error)) showProblem(form, problem, error, submission.reword);
      })
      .finally(() => (submit.disabled = false));
  });
}
