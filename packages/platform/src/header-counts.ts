/**
 * Headers counted as they came on the wire: Node keeps only the first of some (Host,
 * Authorization, Content-Type) and joins the others, so two that disagree look like one.
 */

/**
 * How many headers named `name` (lower case) a request came with: Node keeps only the first Host
 * in `headers`, and joins most others with ", ". Counted from `rawHeaders`: Node's
 * `headersDistinct` would do, but light-my-request's injected requests lack it.
 */
export function headerCount(rawHeaders: string[], name: string): number {
  return headerCounts(rawHeaders, [name])[name] ?? 0;
}

/** Headers a request may carry once only (Node keeps the first of two, and drops the other). */
export const ONCE_ONLY_HEADERS = ['host', 'authorization', 'content-type'] as const;

/** How many headers of each of `names` (lower case) a request came with, in one pass over `rawHeaders`. */
export function headerCounts<N extends string>(rawHeaders: string[], names: readonly N[]): Record<N, number> {
  const counts = Object.fromEntries(names.map((name) => [name, 0])) as Record<N, number>;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]?.toLowerCase() as N;
    if (Object.hasOwn(counts, name)) counts[name]++;
  }
  return counts;
}
