/** Hash routes (`#/events/42`): the gateway serves one index.html, and links work without it. */
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

export function startRouter(root: HTMLElement, routes: Route[], notFound: Page): () => void {
  let cleanup: Cleanup | void;
  const show = () => {
    cleanup?.();
    const path = location.hash.replace(/^#/, '') || '/';
    for (const r of routes) {
      const match = r.pattern.exec(path);
      if (!match) continue;
      let params: Record<string, string>;
      try {
        params = Object.fromEntries(r.names.map((name, i) => [name, decodeURIComponent(match[i + 1] ?? '')]));
      } catch {
        break; // a malformed %-escape (#/events/%): no page of ours, not an error left on screen
      }
      cleanup = r.page(root, params);
      return;
    }
    cleanup = notFound(root, {});
  };
  window.addEventListener('hashchange', show);
  show();
  return show;
}
