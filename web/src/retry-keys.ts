/**
 * The Idempotency-Key of a form's submissions: the last one's again while the body is the same (a
 * retry after a lost answer makes no second venue or draft), a new one for a body changed in any
 * way — typed, or a section added or removed by a click, which fires no `input` — that under the
 * last key would be refused (422).
 */
export function retryKeys(newKey: () => string = () => crypto.randomUUID()): (body: unknown) => string {
  let last: { json: string; key: string } | undefined;
  return (body) => {
    const json = JSON.stringify(body);
    if (last?.json !== json) last = { json, key: newKey() };
    return last.key;
  };
}
