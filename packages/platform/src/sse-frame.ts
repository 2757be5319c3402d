/**
 * One Server-Sent Events frame, encoded once into bytes and shared by every client it goes to: a
 * change reaches thousands of sockets, and each of them then costs one socket write of the same
 * Buffer — no string, no encoding, no framing work per client. Booking's streams and the
 * gateway's fan-out both send these.
 */

const CRLF = Buffer.from('\r\n', 'latin1');

/** Bytes as one HTTP/1.1 chunk (`<size in hex>\r\n<bytes>\r\n`), in one buffer: one socket write. */
export function httpChunk(bytes: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${bytes.length.toString(16)}\r\n`, 'latin1'), bytes, CRLF]);
}

/** The response headers of a live event stream, wherever it is served from. */
export const EVENT_STREAM_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  connection: 'keep-alive',
  // Proxies such as nginx must not buffer the stream.
  'x-accel-buffering': 'no',
} as const;

export class SseFrame {
  private chunkedBytes: Buffer | undefined;

  constructor(readonly bytes: Buffer) {}

  /** `event:`, `id:` and `data:` lines; `json` must be one line (JSON.stringify output is). */
  static event(event: string, id: number | undefined, json: string): SseFrame {
    const idLine = id === undefined ? '' : `id: ${id}\n`;
    return new SseFrame(Buffer.from(`event: ${event}\n${idLine}data: ${json}\n\n`));
  }

  /** A frame of raw text, e.g. a `: comment` or a `retry:` line, with its closing blank line. */
  static text(text: string): SseFrame {
    return new SseFrame(Buffer.from(`${text}\n\n`));
  }

  /**
   * The same bytes as one HTTP/1.1 chunk (`<size in hex>\r\n<bytes>\r\n`), built on first use:
   * written straight to a socket whose response uses chunked transfer encoding.
   */
  get chunked(): Buffer {
    this.chunkedBytes ??= httpChunk(this.bytes);
    return this.chunkedBytes;
  }
}

/** The comment that keeps idle streams open through proxies. */
export const HEARTBEAT_FRAME = SseFrame.text(': heartbeat');
