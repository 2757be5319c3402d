/**
 * A list the API answers a page at a time (`items`, `nextCursor`): the first page, then one more
 * per click on the "More …" button, which hides once the list has no next page. A later page that
 * fails says so under the list; the first page's failure is the caller's to show.
 */
import { h } from './dom.js';

export interface CursorPage<T> {
  items: T[];
  nextCursor: string | null;
}

export interface PagedListOptions<T> {
  listClass: string;
  moreClass: string;
  moreLabel: string;
  /** The page after `cursor` (null: the first). */
  pageAfter(cursor: string | null): Promise<CursorPage<T>>;
  render(item: T): HTMLElement;
}

export function pagedList<T>(options: PagedListOptions<T>) {
  const list = h('ul', { class: options.listClass });
  const more = h('button', { type: 'button', class: `secondary ${options.moreClass}` }, options.moreLabel);
  const problem = h('p', { class: 'error', role: 'alert' });
  more.hidden = true;
  let cursor: string | null = null;
  /** Adds the next page; resolves with its items. */
  const next = async (): Promise<T[]> => {
    more.disabled = true;
    try {
      const page = await options.pageAfter(cursor);
      list.append(...page.items.map(options.render));
      cursor = page.nextCursor;
      more.hidden = cursor === null;
      problem.textContent = '';
      return page.items;
    } finally {
      more.disabled = false;
    }
  };
  more.addEventListener('click', () => void next().catch((error: Error) => (problem.textContent = error.message)));
  return { list, more, problem, first: next };
}
