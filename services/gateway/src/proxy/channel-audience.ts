/**
 * The clients of one shared live stream (event-stream-channel.ts): each one's response, the last
 * change it has, and how many unsent bytes it may hold. Frames are written to each client in its
 * own coding (gzip frames deflated once for all of them); a client that does not keep up is
 * disconnected, so that no watcher ever grows the gateway's memory.
 */
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { type EventStreamCoding, eventStreamHeaders, EventStreamWriter, type SseFrame } from '@stream-seat/platform';
import { mergedVary } from './forwarded-headers.js';

interface Client {
  res: ServerResponse;
  socket: Socket;
  writer: EventStreamWriter;
  /** The last change seq this client has (or its snapshot's): it gets later frames only. */
  sentSeq: number;
  /** Unsent bytes allowed: the bound, plus its join burst until that has drained once. */
  allowance: number;
}

export interface AudienceOptions {
  /** A client with more unsent bytes than this is disconnected. */
  maxBufferedBytes: number;
  onSlowClient(): void;
  /** The last client left. */
  onEmpty(): void;
}

export class ChannelAudience {
  private readonly clients = new Set<Client>();

  constructor(private readonly options: AudienceOptions) {}

  get size(): number {
    return this.clients.size;
  }

  /**
   * Starts a client's stream: the head (the event stream's in `coding`, with the caller's
   * `headers`), then `frames` at once; it has changes up to `sentSeq` after them. False, with
   * nothing written, when the client already left.
   */
  add(res: ServerResponse, headers: OutgoingHttpHeaders, coding: EventStreamCoding, sentSeq: number, frames: SseFrame[]): boolean {
    const socket = res.socket;
    if (!socket || socket.destroyed) return false;
    const own = eventStreamHeaders(coding);
    res.writeHead(200, { ...headers, ...own, vary: mergedVary(headers['vary'], own['vary']) });
    res.flushHeaders();
    const client: Client = { res, socket, writer: new EventStreamWriter(socket, res.chunkedEncoding, coding), sentSeq, allowance: this.options.maxBufferedBytes };
    client.writer.start();
    this.clients.add(client);
    res.on('close', () => this.leave(client));
    this.sendBurst(client, frames);
    return true;
  }

  /** Writes one frame to every client that does not have it yet (`seq` undefined: to all). */
  broadcast(frame: SseFrame, seq: number | undefined): void {
    for (const client of this.clients) {
      if (seq !== undefined) {
        if (seq <= client.sentSeq) continue;
        client.sentSeq = seq;
      }
      this.send(client, frame);
    }
  }

  /** A snapshot for every client (a resumed start the service answered with one): they start over from it. */
  restartFrom(seq: number, snapshot: SseFrame): void {
    for (const client of this.clients) {
      client.sentSeq = seq;
      this.sendBurst(client, [snapshot]);
    }
  }

  /** Ends every client's stream (cleanly: a gzip stream gets its trailer). */
  endAll(): void {
    for (const client of this.clients) {
      client.writer.finish();
      client.res.end();
    }
    this.clients.clear();
  }

  private leave(client: Client): void {
    if (!this.clients.delete(client)) return;
    if (this.clients.size === 0) this.options.onEmpty();
  }

  /**
   * Writes one frame. A client still holding more unsent bytes than its allowance from earlier
   * writes is not keeping up: it is disconnected instead (checked before the write, so that one
   * large frame on its way is never mistaken for a slow reader).
   */
  private send(client: Client, frame: SseFrame): void {
    if (client.socket.destroyed) return;
    if (client.socket.writableLength > client.allowance) {
      this.options.onSlowClient();
      client.socket.destroy();
      return;
    }
    client.writer.write(frame);
  }

  /**
   * Frames a client must have at once — its snapshot (megabytes for a large venue) and the
   * changes after it: never held against the bound, which applies again once they have drained.
   */
  private sendBurst(client: Client, frames: SseFrame[]): void {
    if (client.socket.destroyed) return;
    let bytes = 0;
    for (const frame of frames) bytes += client.writer.write(frame);
    client.allowance = this.options.maxBufferedBytes + bytes;
    client.socket.once('drain', () => (client.allowance = this.options.maxBufferedBytes));
  }
}
