import { searchKey } from '@stream-seat/contracts/search-words';

export { searchKey, searchWords } from '@stream-seat/contracts/search-words';

/** The folded text stored with an event: its name, then its venue's city, on separate lines. */
export function eventSearchText(name: string, city: string | null): string {
  return `${searchKey(name)}\n${searchKey(city ?? '')}`;
}
