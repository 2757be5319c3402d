/** Hash routes (`#/events/42`, `#/?q=lyon`): the gateway serves one index.html, and links work without it. */
export type Cleanup = () => void;
export type Page = (root: HTMLElement, params: Record<string, string>) => Cleanup | void;

export interface Route {
  pattern: RegExp;
  names: string[];
  page: Page;
}

export function route(path: string, page: Page): Route {
  const names: string[] = [];
  const pattern = new RegExp(`^${path.replace(/:(\w+)/g, (_, name: string) => (names.push(name), '([^/]+)'))}$`);
  return { pattern, names, page };
}

/** The page's name in the document's title: `Hamlet · Stream-Seat`. */
export const SITE_NAME = 'Stream-Seat';

/**
 * Follows the page's heading for as long as the page is shown: the document's title names it
 * (WCAG 2.4.2). Once the user has moved — a link, a sign-in — the focus goes to the first heading
 * the new page draws (pages draw theirs after loading); and whenever the page, drawn again, takes
 * away the element that had the focus (a cancelled order's button), the focus goes to the heading
 * rather than fall back to the document (2.4.3). Left on the link or the document, it had kept a
 * screen reader where the old page was, or sent it back to the top.
 */
function followHeading(root: HTMLElement, moveFocus: boolean): Cleanup {
  // The page left is still drawn until the new one draws over it: its heading is not followed.
  // Taken for the new page's, it had kept the title, and — when it held the focus (Back after a
  // link) — the focus stayed with it, then fell to the document.
  const previous = root.querySelector('h1');
  let shown: HTMLElement | null = null;
  let lastFocused: Element | null = null;
  const focusIn = (event: FocusEvent) => {
    lastFocused = event.target as Element;
  };
  const check = () => {
    const heading = root.querySelector('h1');
    if (!heading || heading === previous) return;
    const first = shown === null;
    if (heading !== shown) {
      shown = heading;
      document.title = `${heading.textContent ?? ''} · ${SITE_NAME}`;
    }
    const focused = document.activeElement;
    const lost = lastFocused !== null && !lastFocused.isConnected && (!focused || focused === document.body);
    if ((moveFocus && first) || lost) {
      lastFocused = null;
      heading.tabIndex = -1;
      heading.focus({ preventScroll: true });
    }
  };
  const observer = new MutationObserver(check);
  observer.observe(root, { childList: true, subtree: true });
  root.addEventListener('focusin', focusIn);
  check();
  return () => {
    observer.disconnect();
    root.removeEventListener('focusin', focusIn);
  };
}

/** Where a history entry of this tab stands, kept in its state: the entries this app has shown are numbered in order. */
const POSITION = 'streamSeatPosition';
const positionOf = (state: unknown): number | undefined => {
  const value = typeof state === 'object' && state !== null ? (state as Record<string, unknown>)[POSITION] : undefined;
  return typeof value === 'number' ? value : undefined;
};

/**
 * Shows the page of the address's hash, and another at each change of it. `mayLeave`: asked before
 * the page shown is left for another address; false keeps it: the browser is taken back to the
 * page's own history entry — as far the other way after Back or Forward (by the entries'
 * positions), one step back after a link (whose entry stays ahead) — and nothing is drawn again.
 * (The address put back in place had overwritten the entry Back went to: the page before was lost.)
 */
export function startRouter(root: HTMLElement, routes: Route[], notFound: Page, mayLeave: () => boolean = () => true): () => void {
  let cleanup: Cleanup | void;
  let stopFollowing: Cleanup | undefined;
  /** The address of the page shown, and its history entry's position. */
  let shownAt = location.href;
  let shownPosition = positionOf(history.state) ?? 0;
  /** Numbers the entry now shown, if it is not yet, `next`; the position it has. */
  const numberEntry = (next: number) => {
    const known = positionOf(history.state);
    if (known === undefined) history.replaceState({ ...(history.state as object | null), [POSITION]: next }, '');
    return known ?? next;
  };
  numberEntry(shownPosition);
  /** `moved`: the user went somewhere (not the first load), and the focus follows. */
  const show = (moved = true) => {
    shownAt = location.href;
    cleanup?.();
    stopFollowing?.();
    document.title = SITE_NAME;
    stopFollowing = followHeading(root, moved);
    // A query after the path (`#/?q=lyon`) gives the page more parameters; the path's own win.
    const [path = '/', query = ''] = (location.hash.replace(/^#/, '') || '/').split(/\?(.*)/s, 2);
    for (const r of routes) {
      const match = r.pattern.exec(path);
      if (!match) continue;
      let params: Record<string, string>;
      try {
        params = { ...Object.fromEntries(new URLSearchParams(query)), ...Object.fromEntries(r.names.map((name, i) => [name, decodeURIComponent(match[i + 1] ?? '')])) };
      } catch {
        break; // a malformed %-escape (#/events/%): no page of ours, not an error left on screen
      }
      cleanup = r.page(root, params);
      return;
    }
    cleanup = notFound(root, {});
  };
  window.addEventListener('hashchange', () => {
    // Back at the page's own entry after a leave refused (below): it is still drawn.
    if (location.href === shownAt) return;
    if (mayLeave()) {
      // A new entry (a link followed) comes after the one it left.
      shownPosition = numberEntry(shownPosition + 1);
      show();
      return;
    }
    const position = positionOf(history.state);
    const steps = position === undefined ? -1 : shownPosition - position;
    if (steps !== 0) history.go(steps);
    else history.replaceState(history.state, '', shownAt);
  });
  show(false);
  return () => show();
}
