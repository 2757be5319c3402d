/**
 * Cuts an event-stream body into its frames (the bytes up to and including each blank line) and
 * reads the fields the fan-out needs from each frame's head: the event name, the id, `retry`.
 * The frame's bytes are kept as they came, to be written to clients unchanged.
 */
export interface ReadFrame {
  /** The whole frame, blank line included; a copy that owns its memory. */
  bytes: Buffer;
  event: string | undefined;
  id: string | undefined;
  /** `: comment` lines only (heartbeats). */
  comment: boolean;
  /** A `retry:` field: the reconnection delay the server asks for. */
  retry: boolean;
}

const BLANK_LINE = Buffer.from('\n\n');
/** `event:`, `id:` and `retry:` come before `data:`, within the first bytes of a frame. */
const HEAD_BYTES = 256;

export function parseFrame(bytes: Buffer): ReadFrame {
  const head = bytes.toString('latin1', 0, Math.min(bytes.length, HEAD_BYTES));
  let event: string | undefined;
  let id: string | undefined;
  let retry = false;
  let comment = true;
  for (const line of head.split('\n')) {
    if (line === '') continue;
    if (!line.startsWith(':')) comment = false;
    if (line.startsWith('data:')) break;
    if (line.startsWith('event:')) event = line.slice(6).trim();
    else if (line.startsWith('id:')) id = line.slice(3).trim();
    else if (line.startsWith('retry:')) retry = true;
  }
  return { bytes, event, id, comment, retry };
}

/** Feed it the body's chunks; it calls `onFrame` once per complete frame, in order. */
export function createSseFrameReader(onFrame: (frame: ReadFrame) => void): (chunk: Buffer) => void {
  let pending: Buffer | undefined;
  return (chunk) => {
    const data = pending ? Buffer.concat([pending, chunk]) : chunk;
    let start = 0;
    for (let end = data.indexOf(BLANK_LINE, start); end >= 0; end = data.indexOf(BLANK_LINE, start)) {
      onFrame(parseFrame(Buffer.from(data.subarray(start, end + 2))));
      start = end + 2;
    }
    pending = start < data.length ? Buffer.from(data.subarray(start)) : undefined;
  };
}
