/**
 * One Server-Sent Events frame, encoded once into bytes and shared by every client it goes to: a
 * change reaches thousands of sockets, and each of them then costs one socket write of the same
 * Buffer — no string, no encoding, no framing work per client. Booking's streams and the
 * gateway's fan-out both send these.
 */

const CRLF = Buffer.from('\r\n', 'latin1');

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
    this.chunkedBytes ??= Buffer.concat([Buffer.from(`${this.bytes.length.toString(16)}\r\n`, 'latin1'), this.bytes, CRLF]);
    return this.chunkedBytes;
  }
}
