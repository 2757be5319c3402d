/** The web app: a top bar with sign-in, and the pages behind hash routes. */
import './styles.css';
import { h, mount } from './dom.js';
import { eventPage } from './pages/event-page.js';
import { eventsPage } from './pages/events-page.js';
import { ordersPage } from './pages/orders-page.js';
import { organizerPage } from './pages/organizer-page.js';
import { route, startRouter } from './router.js';
import { currentSession, onSessionChange, type Role, signInLocally, signInWithToken, signOut } from './session.js';

const account = document.querySelector<HTMLElement>('#account') as HTMLElement;
const main = document.querySelector<HTMLElement>('#main') as HTMLElement;

function renderAccount(): void {
  const session = currentSession();
  if (session) {
    mount(
      account,
      session.role === 'organizer' ? h('a', { href: '#/organizer' }, 'Organiser') : null,
      h('a', { href: '#/orders' }, 'My orders'),
      h('span', { class: 'who', 'data-signed-in': session.sub }, `${session.sub} (${session.role})`),
      h('button', { type: 'button', class: 'secondary', onclick: signOut }, 'Sign out'),
    );
    return;
  }
  const name = h('input', { name: 'name', placeholder: 'your name', 'aria-label': 'Your name', required: true, maxlength: 200 });
  const role = h('select', { name: 'role', 'aria-label': 'Role' }, h('option', { value: 'buyer' }, 'buyer'), h('option', { value: 'organizer' }, 'organiser'));
  const problem = h('span', { class: 'error', role: 'alert' });
  mount(
    account,
    h('form', {
      class: 'sign-in',
      onsubmit: (async (e: Event) => {
        e.preventDefault();
        try {
          if (await signInLocally(name.value.trim(), role.value as Role)) return;
          // No local tokens (production): a token from the identity provider.
          const token = prompt('This gateway does not issue local tokens. Paste a bearer token from your identity provider:');
          if (token) signInWithToken(token.trim());
        } catch (error) {
          problem.textContent = (error as Error).message;
        }
      }) as EventListener,
    }, name, role, h('button', { type: 'submit' }, 'Sign in'), problem),
  );
}

onSessionChange(() => {
  renderAccount();
  rerender();
});
renderAccount();
const rerender = startRouter(
  main,
  [route('/', eventsPage), route('/events/:id', eventPage), route('/orders', ordersPage), route('/organizer', organizerPage)],
  (root) => mount(root, h('h1', {}, 'Not found'), h('a', { href: '#/' }, '← All events')),
);
