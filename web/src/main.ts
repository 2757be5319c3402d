/** The web app: a top bar with sign-in, and the pages behind hash routes. */
import './styles.css';
import { field, h, mount } from './dom.js';
import { eventPage } from './pages/event-page.js';
import { eventsPage } from './pages/events-page.js';
import { keepOrdersForToken } from './kept-orders.js';
import { ordersPage } from './pages/orders-page.js';
import { organizerPage } from './pages/organizer-page.js';
import { route, startRouter } from './router.js';
import { currentSession, lapsedSession, onSessionChange, organizes, type Role, type Session, signInLocally, signInWithToken, signOut } from './session.js';
import { loadSignInMethod, type SignInMethod } from './app-config.js';
import { completeSignIn, isSignInAnswer, signOutAtProvider, startSignIn } from './oidc-sign-in.js';
import { registerServiceWorker } from './offline-copy.js';
import { mayLeaveUnsaved } from './unsaved-forms.js';

const account = document.querySelector<HTMLElement>('#account') as HTMLElement;
const main = document.querySelector<HTMLElement>('#main') as HTMLElement;
/** Why the last sign-in failed, shown next to the sign-in control until the next attempt. */
const problem = h('span', { class: 'error', role: 'alert' });

async function attempt(signIn: () => Promise<void> | void): Promise<void> {
  problem.textContent = '';
  try {
    await signIn();
  } catch (error) {
    problem.textContent = (error as Error).message;
  }
}

/** The organiser `npm start` creates its demo events as (scripts/demo-data.ts). */
const DEMO_ORGANIZER = 'demo-organizer';

/** Dev: any name and role, tokens from the gateway; without its dev-token route, a pasted token. */
function devSignIn(): HTMLElement {
  const name = h('input', { name: 'name', required: true, maxlength: 200 });
  const role = h('select', { name: 'role', onchange: () => suggestDemoOrganizer() }, h('option', { value: 'buyer' }, 'buyer'), h('option', { value: 'organizer' }, 'organiser'));
  // An organiser sees only their own events: a newcomer under another name finds none to manage
  // and no demo ticket to check in. Choosing "organiser" says whose the demo events are, and
  // fills that name in when none is typed yet (taken out again for "buyer" if left untouched).
  const hint = h('small', { class: 'hint', role: 'status' });
  let prefilled = false;
  name.addEventListener('input', () => (prefilled = false));
  function suggestDemoOrganizer(): void {
    const organizer = role.value === 'organizer';
    if (organizer) mount(hint, 'The demo events of ', h('code', {}, 'npm start'), ' belong to ', h('code', {}, DEMO_ORGANIZER), '.');
    else mount(hint);
    if (organizer && name.value.trim() === '') {
      name.value = DEMO_ORGANIZER;
      prefilled = true;
    } else if (!organizer && prefilled) {
      name.value = '';
      prefilled = false;
    }
  }
  const submit = (e: Event) => {
    e.preventDefault();
    void attempt(async () => {
      if (await signInLocally(name.value.trim(), role.value as Role)) return;
      const token = prompt('This gateway does not issue local tokens. Paste a bearer token from your identity provider:');
      if (token) signInWithToken(token.trim());
    });
  };
  return h('form', { class: 'sign-in', onsubmit: submit as EventListener }, field('Your name', name), field('Role', role), h('button', { type: 'submit' }, 'Sign in'), problem, hint);
}

function tokenSignIn(): HTMLElement {
  const token = h('input', { name: 'token', type: 'password', required: true, autocomplete: 'off' });
  const submit = (e: Event) => {
    e.preventDefault();
    void attempt(() => signInWithToken(token.value.trim()));
  };
  return h('form', { class: 'sign-in', onsubmit: submit as EventListener }, field('Bearer token from your identity provider', token), h('button', { type: 'submit' }, 'Sign in'), problem);
}

/** Forgets the token here and, when the user signed in at the provider, ends that session too. */
async function signOutEverywhere(method: SignInMethod, session: Session): Promise<void> {
  // Forgotten before the page is left for the provider's sign-out.
  await signOut();
  if (method.kind === 'oidc') await signOutAtProvider(method, session.idToken);
}

function renderAccount(method: SignInMethod): void {
  const session = currentSession();
  if (session) {
    mount(
      account,
      organizes(session) ? h('a', { href: '#/organizer' }, 'Organiser') : null,
      h('a', { href: '#/orders' }, 'My orders'),
      h('span', { class: 'who', 'data-signed-in': session.sub }, `${session.sub} (${session.role})`),
      h('button', { type: 'button', class: 'secondary', onclick: () => void attempt(() => signOutEverywhere(method, session)) }, 'Sign out'),
    );
    return;
  }
  // A session that ended without a sign-out: its kept tickets are still a click away — and a
  // sign-out forgets them (on a shared device, the next person would find them).
  const lapsed = lapsedSession();
  const keptOrders = lapsed
    ? [
        h('a', { href: '#/orders' }, 'My orders'),
        h('span', { class: 'who', 'data-lapsed': lapsed.sub }, `${lapsed.sub} (sign-in ran out)`),
        h('button', { type: 'button', class: 'secondary sign-out-lapsed', 'aria-label': `Sign out ${lapsed.sub}: forget the tickets kept on this device`, onclick: () => void attempt(() => signOutEverywhere(method, lapsed)) }, 'Sign out'),
      ]
    : [];
  if (method.kind === 'oidc') {
    const button = h('button', { type: 'button', class: 'sign-in', onclick: () => void attempt(() => startSignIn(method)) }, 'Sign in');
    mount(account, ...keptOrders, button, problem);
  } else {
    mount(account, ...keptOrders, method.kind === 'token' ? tokenSignIn() : devSignIn());
  }
}

const method = await loadSignInMethod();
// Back from the identity provider's page: finish the sign-in before the first screen.
if (isSignInAnswer()) {
  if (method.kind === 'oidc') {
    await attempt(async () => {
      const { accessToken, idToken } = await completeSignIn(method);
      signInWithToken(accessToken, idToken);
    });
  }
  else {
    // The gateway's settings could not be read (or changed): never leave the code in the address bar.
    history.replaceState(history.state, '', `/${location.hash}`);
    problem.textContent = 'Signing in could not be finished here; please sign in again';
  }
}
onSessionChange((session) => {
  renderAccount(method);
  rerender();
  // A buyer signed in (here, or in another tab): their tickets kept for the door with this token, once.
  if (session) keepOrdersForToken();
});
// A session begun before this page (the identity provider's return above, an earlier visit): the same.
keepOrdersForToken();
renderAccount(method);
const rerender = startRouter(
  main,
  [route('/', eventsPage), route('/events/:id', eventPage), route('/orders', ordersPage), route('/organizer', organizerPage)],
  (root) => mount(root, h('h1', {}, 'Not found'), h('a', { href: '#/' }, '← All events')),
  () => mayLeaveUnsaved(),
);
// Tickets that open without a network (offline-copy.ts).
registerServiceWorker();
