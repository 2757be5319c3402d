/**
 * One Server-Sent Events frame, encoded once into bytes and shared by every client it goes to: a
 * change reaches thousands of sockets, and each of them then costs one socket write of the same
 * Buffer — no string, no encoding, no framing work per client. Booking's streams and the
 * gateway's fan-out both send these.
 */

import { constants, crc32, deflateRawSync } from 'node:zlib';
import { crc32Shift } from './crc32-combine.js';

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
  private deflatedBytes: Buffer | undefined;
  private deflatedChunkedBytes: Buffer | undefined;
  private crc: { crc: number; shift: number } | undefined;

  constructor(readonly bytes: Buffer) {}

  /** `event:`, `id:` and `data:` lines; `json` must be one line (JSON.stringify output is). */
  static event(event: string, id: number | undefined, json: string): SseFrame {
    const idLine = id === undefined ? '' : `id: ${id}\n`;
    return new SseFrame(Buffer.from(`event: ${event}\n${idLine}data: ${json}\n\n`));
  }

  /** The same, with the JSON given as UTF-8 bytes (one line). */
  static eventOf(event: string, id: number | undefined, json: Buffer): SseFrame {
    const idLine = id === undefined ? '' : `id: ${id}\n`;
    return new SseFrame(Buffer.concat([Buffer.from(`event: ${event}\n${idLine}data: `), json, Buffer.from('\n\n')]));
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

  /**
   * The bytes compressed on their own (raw deflate, no history before them) and ended by a sync
   * flush: segments of this kind, one after another behind a gzip header, are one valid gzip
   * stream that a client decodes frame by frame as they arrive (gzip-event-stream.ts). Built on
   * first use, at the fastest level (a 100,000-seat snapshot, 2.5 MB, compresses to about a tenth:
   * `npm run bench -- large-venue`).
   */
  get deflated(): Buffer {
    this.deflatedBytes ??= deflateRawSync(this.bytes, { level: constants.Z_BEST_SPEED, finishFlush: constants.Z_SYNC_FLUSH });
    return this.deflatedBytes;
  }

  /** `deflated` as one HTTP/1.1 chunk. */
  get deflatedChunked(): Buffer {
    this.deflatedChunkedBytes ??= httpChunk(this.deflated);
    return this.deflatedChunkedBytes;
  }

  /** CRC-32 of the bytes and its shift (crc32-combine.ts), for the gzip trailer of the streams that carried them. */
  get checksum(): { crc: number; shift: number } {
    this.crc ??= { crc: crc32(this.bytes), shift: crc32Shift(this.bytes.length) };
    return this.crc;
  }
}

/** The comment that keeps idle streams open through proxies. */
export const HEARTBEAT_FRAME = SseFrame.text(': heartbeat');
