/**
 * One upstream live stream shared by every client of the gateway that watches the same event.
 *
 * Relaying each client's stream on its own upstream connection costs, per change, one read and
 * one write per client in the gateway and one more write per client in the booking service; on
 * a small machine that, not the database, bounds how many watchers get a change within 100 ms.
 * A channel reads the upstream once and writes each frame's bytes to every client.
 *
 * What a client sees is what the service would have sent it: first `retry:` and a `snapshot`,
 * then `change` frames in strictly increasing `seq` — the channel keeps the latest snapshot and a
 * ring of the changes after it, so a client joining later gets the snapshot and then the changes
 * it has not seen. A client resuming with `Last-Event-ID` gets exactly the missed changes from
 * the ring. Anything the channel cannot serve exactly (no snapshot yet, a ring that no longer
 * reaches back far enough) is left to the caller, which relays that client directly.
 *
 * A channel may also start from a resuming client's `Last-Event-ID` (after a gateway restart,
 * its audience comes back that way): the service replays after it, and clients resuming from the
 * same point share the channel; a snapshot from the service then goes to them as it would have.
 *
 * When the upstream connection breaks — or stays silent past `upstreamIdleMs`, the service's
 * heartbeats having stopped (a half-open connection, a frozen instance) — the channel reconnects
 * with the last seq it has, to another instance first; the service replays what the channel missed and the clients notice
 * nothing but a delay. If the service answers with a snapshot instead — continuity is lost — or
 * cannot be reached for a while, the channel ends every client's stream; their EventSource
 * reconnects with its own Last-Event-ID.
 */
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import pTimeout from 'p-timeout';
import { type EventStreamCoding, HEARTBEAT_FRAME, SseFrame } from '@stream-seat/platform';
import { ChannelAudience } from './channel-audience.js';
import { createSseFrameReader, type ReadFrame } from './sse-frame-reader.js';

export interface UpstreamStream {
  body: Readable;
  close(): void;
  /** Which instance serves it, when known: a reconnect tries the others first. */
  instance?: string;
}

export interface ChannelOptions {
  /**
   * Opens the service's stream (any instance), resuming after `lastEventId` when given; `avoid`:
   * an instance to try last (the one whose stream just broke or went silent).
   */
  openUpstream(lastEventId: number | undefined, avoid?: string): Promise<UpstreamStream>;
  /** Change frames kept for late joiners and resuming clients. */
  ringSize: number;
  /** A client with more unsent bytes than this is disconnected: it never grows the gateway's memory. */
  maxBufferedBytes: number;
  heartbeatMs: number;
  /** Upstream silence after which the connection is taken for dead (the service sends heartbeats). */
  upstreamIdleMs: number;
  /** Time for a new upstream stream to deliver its snapshot; clients are relayed on their own after. */
  firstSnapshotTimeoutMs: number;
  /** Pauses between reconnection attempts; after the last one the clients' streams end. */
  reconnectDelaysMs: number[];
  onDrop(reason: 'slow' | 'upstream-lost'): void;
  onReconnect(): void;
  onClosed(): void;
  log: { warn(object: object, message: string): void };
}

interface Numbered {
  seq: number;
  frame: SseFrame;
}

export class EventStreamChannel {
  private readonly audience: ChannelAudience;
  private snapshot: Numbered | undefined;
  private ring: Numbered[] = [];
  private lastSeq: number | undefined;
  private retryFrame = SseFrame.text('retry: 1000');
  private upstream: UpstreamStream | undefined;
  private lastUpstreamData = Date.now();
  private closed = false;
  /** The short-lived second upstream reading a fresh snapshot, while it runs. */
  private refresh: UpstreamStream | 'opening' | undefined;
  private readonly heartbeat: NodeJS.Timeout;
  private readonly watchdog: NodeJS.Timeout;
  /** Resolves once the channel can serve clients; rejects if its upstream could not be opened. */
  readonly ready: Promise<void>;

  /** `resumeAfter`: start from a resuming client's Last-Event-ID instead of a snapshot. */
  constructor(
    private readonly options: ChannelOptions,
    resumeAfter?: number,
  ) {
    // The last watcher leaving lets go of the upstream stream too.
    this.audience = new ChannelAudience({ maxBufferedBytes: options.maxBufferedBytes, onSlowClient: () => options.onDrop('slow'), onEmpty: () => this.close() });
    this.ready = this.connect(resumeAfter, resumeAfter === undefined ? 'fresh' : 'resume');
    this.ready.catch(() => this.close());
    this.heartbeat = setInterval(() => this.audience.broadcast(HEARTBEAT_FRAME, undefined), options.heartbeatMs);
    this.heartbeat.unref();
    // Its own clock: checked at the clients' heartbeats (15 s), a silent upstream was noticed up
    // to one heartbeat late.
    this.watchdog = setInterval(() => this.checkUpstream(), Math.max(50, options.upstreamIdleMs / 5));
    this.watchdog.unref();
  }

  get size(): number {
    return this.audience.size;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Starts a client's stream: the snapshot and the changes after it, or — resuming after
   * `lastEventId` — exactly the changes it missed. False, with nothing done, when this channel
   * cannot serve it exactly; the caller then relays that client on its own connection.
   * `takeOver` is called just before the response is written (the caller stops handling it).
   * The head is the event stream's in `coding`, with the caller's `headers` (CORS, the request id).
   */
  join(res: ServerResponse, headers: OutgoingHttpHeaders, coding: EventStreamCoding, lastEventId: number | undefined, takeOver: () => void): boolean {
    if (this.closed || this.lastSeq === undefined) return false;
    const oldest = this.ring[0]?.seq ?? this.lastSeq + 1;
    let frames: SseFrame[];
    let sentSeq: number;
    if (lastEventId === undefined) {
      const snapshot = this.snapshot;
      // The ring must reach back to the change right after the snapshot.
      if (!snapshot || (snapshot.seq < this.lastSeq && oldest > snapshot.seq + 1)) {
        this.refreshSnapshot();
        return false;
      }
      frames = [snapshot.frame, ...this.ring.filter((c) => c.seq > snapshot.seq).map((c) => c.frame)];
      sentSeq = Math.max(snapshot.seq, this.lastSeq);
      // Keep the snapshot young, so that joiners get few changes after it and it never goes stale.
      if (this.lastSeq - snapshot.seq > this.options.ringSize / 2) this.refreshSnapshot();
    } else {
      // Within the ring (or exactly up to date): the missed changes. Otherwise the service decides.
      if (lastEventId > this.lastSeq || lastEventId < oldest - 1) return false;
      frames = this.ring.filter((c) => c.seq > lastEventId).map((c) => c.frame);
      sentSeq = this.lastSeq;
    }
    takeOver();
    // Left while the channel was opening: a channel nobody watches must not stay open.
    if (!this.audience.add(res, headers, coding, sentSeq, [this.retryFrame, ...frames]) && this.audience.size === 0) this.close();
    return true;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    clearInterval(this.watchdog);
    this.upstream?.close();
    if (this.refresh !== 'opening') this.refresh?.close();
    this.audience.endAll();
    this.options.onClosed();
  }

  /** An upstream silent for too long is taken for dead. */
  private checkUpstream(): void {
    if (this.upstream && Date.now() - this.lastUpstreamData > this.options.upstreamIdleMs) {
      this.options.log.warn({ lastSeq: this.lastSeq }, 'shared event stream: upstream silent; reconnecting');
      this.upstream.body.destroy();
    }
  }

  /**
   * One upstream frame. `mode`: how this upstream started — `fresh` (snapshot first), `resume`
   * (the channel's first upstream, after a client's Last-Event-ID), `reconnect` (after the last
   * seq the clients have). Whether a change already came on this upstream is `changed`.
   */
  private onFrame(frame: ReadFrame, mode: 'fresh' | 'resume' | 'reconnect', changed: boolean): 'ok' | 'discontinuity' {
    if (frame.retry) {
      this.retryFrame = new SseFrame(frame.bytes);
      return 'ok';
    }
    if (frame.comment || frame.id === undefined) return 'ok';
    const seq = Number(frame.id);
    if (!Number.isFinite(seq)) return 'ok';
    if (frame.event === 'snapshot') {
      // Clients that already have changes from this channel cannot take a snapshot in the middle.
      if (mode === 'reconnect' || changed) return 'discontinuity';
      const snapshot = { seq, frame: new SseFrame(frame.bytes) };
      this.snapshot = snapshot;
      this.ring = [];
      this.lastSeq = seq;
      // A resumed start answered with a snapshot: its clients get it, as the service would send it.
      this.audience.restartFrom(seq, snapshot.frame);
      return 'ok';
    }
    if (frame.event !== 'change') return 'ok';
    if (this.lastSeq !== undefined && seq <= this.lastSeq) return 'ok';
    if (this.lastSeq !== undefined && seq !== this.lastSeq + 1) return 'discontinuity';
    const change = { seq, frame: new SseFrame(frame.bytes) };
    this.ring.push(change);
    if (this.ring.length > this.options.ringSize) this.ring.shift();
    this.lastSeq = seq;
    this.audience.broadcast(change.frame, seq);
    return 'ok';
  }

  /** Opens the upstream; resolves when the channel can serve from it. */
  private async connect(resumeAfter: number | undefined, mode: 'fresh' | 'resume' | 'reconnect', avoid?: string): Promise<void> {
    const upstream = await this.options.openUpstream(resumeAfter, avoid);
    if (this.closed) {
      upstream.close();
      return;
    }
    this.upstream = upstream;
    this.lastUpstreamData = Date.now();
    if (mode === 'resume') this.lastSeq = resumeAfter;
    let changed = false;
    let settle: (() => void) | undefined;
    const started = new Promise<void>((resolve) => (settle = resolve));
    const read = createSseFrameReader((frame) => {
      if (this.closed || this.upstream !== upstream) return;
      const outcome = this.onFrame(frame, mode, changed);
      if (outcome === 'discontinuity') {
        this.options.log.warn({ lastSeq: this.lastSeq }, 'shared event stream lost continuity; its clients resume on their own');
        this.options.onDrop('upstream-lost');
        this.close();
        return;
      }
      if (frame.event === 'change') changed = true;
      if (this.snapshot) settle?.();
    });
    upstream.body.on('data', (chunk: Buffer) => {
      this.lastUpstreamData = Date.now();
      read(chunk);
    });
    upstream.body.once('close', () => {
      if (this.upstream === upstream && !this.closed) void this.reconnect();
    });
    upstream.body.once('error', () => undefined);
    // A resumed upstream may have nothing to replay: it serves as soon as it answered.
    if (mode !== 'fresh') return;
    try {
      await pTimeout(started, { milliseconds: this.options.firstSnapshotTimeoutMs, message: 'no snapshot from the upstream stream in time' });
    } catch (error) {
      upstream.close();
      throw error;
    }
  }

  private async reconnect(): Promise<void> {
    // A frozen instance still accepts connections (its kernel does) and never answers: the
    // channel went back to it first, and waited there again (a probe's SIGSTOP).
    const broken = this.upstream?.instance;
    this.upstream = undefined;
    for (const delay of this.options.reconnectDelaysMs) {
      await sleep(delay);
      if (this.closed) return;
      try {
        this.options.onReconnect();
        await this.connect(this.lastSeq, 'reconnect', broken);
        return;
      } catch (error) {
        this.options.log.warn({ err: error }, 'shared event stream: upstream not reachable yet');
      }
    }
    this.options.onDrop('upstream-lost');
    this.close();
  }

  /** Reads a fresh snapshot on a second, short-lived upstream stream, for later joiners. */
  private refreshSnapshot(): void {
    if (this.refresh || this.closed) return;
    this.refresh = 'opening';
    void (async () => {
      let upstream: UpstreamStream | undefined;
      let timer: NodeJS.Timeout | undefined;
      try {
        upstream = await this.options.openUpstream(undefined);
        const source = upstream;
        if (this.closed) return;
        this.refresh = source;
        const frame = await new Promise<ReadFrame | undefined>((resolve) => {
          timer = setTimeout(() => resolve(undefined), this.options.firstSnapshotTimeoutMs);
          const read = createSseFrameReader((f) => {
            if (f.event === 'snapshot') resolve(f);
          });
          source.body.on('data', read);
          source.body.once('close', () => resolve(undefined));
        });
        const seq = Number(frame?.id);
        const oldest = this.ring[0]?.seq ?? Number.POSITIVE_INFINITY;
        // Usable when the ring reaches from right after it to now, or it is newer than anything here.
        if (frame && Number.isFinite(seq) && (seq >= (this.lastSeq ?? 0) || seq >= oldest - 1)) {
          this.snapshot = { seq, frame: new SseFrame(frame.bytes) };
        }
      } catch (error) {
        this.options.log.warn({ err: error }, 'shared event stream: snapshot refresh failed');
      } finally {
        clearTimeout(timer);
        upstream?.close();
        this.refresh = undefined;
      }
    })();
  }
}
