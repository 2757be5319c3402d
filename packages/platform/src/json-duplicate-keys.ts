/**
 * Keys given twice in one JSON object. `JSON.parse` keeps the last silently: `{"quantity":1,
 * "quantity":2}` held two seats, while a proxy or firewall in front that reads the first had
 * judged a request for one (RFC 8259 §4: names SHOULD be unique; I-JSON, RFC 7493: MUST).
 */

/** An object's keys seen so far and the one whose value is being read, or an array's index. */
type Frame = { keys: Set<string>; key: string | undefined; expectingKey: boolean } | { index: number };

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** The field's place as the API names body fields (`sections.0.name`): its enclosing keys and indexes, then `key`. */
function fieldOf(frames: Frame[], key: string): string {
  const parts = frames.slice(0, -1).map((frame) => ('index' in frame ? String(frame.index) : (frame.key ?? '')));
  return [...parts, key].join('.');
}

/**
 * The first key `text` gives twice in one object, named by its place (`sections.0.name`);
 * undefined when every object's keys are distinct. `text` must be valid JSON (parsed already):
 * keys are compared as decoded (`"\u0061"` is `"a"`).
 */
export function duplicateKey(text: string): string | undefined {
  const frames: Frame[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let end = i + 1;
      let escaped = false;
      for (let code = text.charCodeAt(end); code !== QUOTE; code = text.charCodeAt(end)) {
        if (code === BACKSLASH) {
          escaped = true;
          end++;
        }
        end++;
      }
      const top = frames.at(-1);
      if (top && 'keys' in top && top.expectingKey) {
        const key = escaped ? (JSON.parse(text.slice(i, end + 1)) as string) : text.slice(i + 1, end);
        if (top.keys.has(key)) return fieldOf(frames, key);
        top.keys.add(key);
        top.key = key;
        top.expectingKey = false;
      }
      i = end;
    } else if (c === '{') {
      frames.push({ keys: new Set(), key: undefined, expectingKey: true });
    } else if (c === '[') {
      frames.push({ index: 0 });
    } else if (c === '}' || c === ']') {
      frames.pop();
    } else if (c === ',') {
      const top = frames.at(-1);
      if (top && 'index' in top) top.index++;
      else if (top) top.expectingKey = true;
    }
  }
  return undefined;
}
