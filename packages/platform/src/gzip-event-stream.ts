/**
 * Live event streams in gzip, without compressing per client.
 *
 * A snapshot of a 100,000-seat event is 2.5 MB of JSON; compressing each watcher's stream on its
 * own would cost each of them the whole deflate work. Instead every frame is deflated once, on its
 * own (SseFrame.deflated: no history before it, ended by a sync flush), and a client's gzip
 * stream is a gzip header and then the deflated frames it is sent, in order — a valid deflate
 * stream, which the client decodes frame by frame as they arrive. What is kept per client is the
 * CRC-32 and length of what it was sent, combined from each frame's own CRC, for the trailer that
 * ends the stream cleanly.
 */
import type { Socket } from 'node:net';
import { acceptedCoding } from './content-coding.js';
import { crc32Extend } from './crc32-combine.js';
import { EVENT_STREAM_HEADERS, httpChunk, type SseFrame } from './sse-frame.js';

export type EventStreamCoding = 'gzip' | 'identity';

/** gzip for a client that accepts it (every browser's EventSource does), else identity. */
export function eventStreamCoding(acceptEncoding: string | undefined): EventStreamCoding {
  return acceptedCoding(acceptEncoding, ['gzip'] as const);
}

/** The head of a live stream in this coding: the event-stream headers, its Content-Encoding, and `Vary`. */
export function eventStreamHeaders(coding: EventStreamCoding): Record<string, string> {
  return { ...EVENT_STREAM_HEADERS, ...(coding === 'gzip' ? { 'content-encoding': 'gzip' } : {}), vary: 'accept-encoding' };
}

/** A gzip member's header (RFC 1952): deflate, no flags, no time, fastest compression, unknown OS. */
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 4, 255]);
/** An empty final deflate block (fixed Huffman codes): the deflate stream ends here. */
const FINAL_BLOCK = Buffer.from([0x03, 0x00]);

/**
 * Writes frames to one client's socket after its response head, in the response's coding, as
 * HTTP/1.1 chunks when the response is chunked. `res` keeps the head and the end of the response.
 */
export class EventStreamWriter {
  private crc = 0;
  private size = 0;

  constructor(
    private readonly socket: Socket,
    private readonly chunked: boolean,
    readonly coding: EventStreamCoding,
  ) {}

  /** Call once, right after the head: a gzip stream's header. */
  start(): void {
    if (this.coding === 'gzip') this.raw(GZIP_HEADER);
  }

  /** Queues one frame on the socket; the bytes queued. */
  write(frame: SseFrame): number {
    if (this.coding === 'identity') {
      const bytes = this.chunked ? frame.chunked : frame.bytes;
      this.socket.write(bytes);
      return bytes.length;
    }
    this.crc = crc32Extend(this.crc, frame.checksum);
    this.size = (this.size + frame.bytes.length) % 2 ** 32;
    const bytes = this.chunked ? frame.deflatedChunked : frame.deflated;
    this.socket.write(bytes);
    return bytes.length;
  }

  /** Call before the response ends cleanly: a gzip stream's last block and trailer. */
  finish(): void {
    if (this.coding !== 'gzip' || this.socket.destroyed) return;
    const trailer = Buffer.alloc(8);
    trailer.writeUInt32LE(this.crc, 0);
    trailer.writeUInt32LE(this.size, 4);
    this.raw(Buffer.concat([FINAL_BLOCK, trailer]));
  }

  private raw(bytes: Buffer): void {
    if (!this.socket.destroyed) this.socket.write(this.chunked ? httpChunk(bytes) : bytes);
  }
}
