/**
 * `GET /api/availability/{eventId}/stream`: a `snapshot`, then `change` events in strictly
 * increasing seq, each with `id: <seq>`. A client that reconnects with `Last-Event-ID` gets
 * exactly the changes it missed — from the ring in memory, else from the change log — or a fresh
 * snapshot when it fell too far behind.
 */
import { entityId, problemResponses, type SeatChangeBatch } from '@stream-seat/contracts';
import { type App, type CallContext, callContextOf, eventStreamCoding, SseFrame } from '@stream-seat/platform';
import { z } from 'zod';
import type { AvailabilityHub } from '../live/availability-hub.js';
import type { ChangeLoader, ChangeSequencer } from '../live/change-sequencer.js';
import type { LiveMetrics } from '../live/live-metrics.js';
import type { SnapshotCache } from '../live/snapshot-cache.js';
import { openSseStream, type SseStream } from '../live/sse-stream.js';

export interface AvailabilityStreamDeps {
  hub: AvailabilityHub;
  /** Creates the inventory on first access; throws the usual 404/409 problems. */
  ensureInventory: (eventId: string, caller: CallContext) => Promise<unknown>;
  snapshots: SnapshotCache;
  loadSince: ChangeLoader;
  /** The event's last seq in the database. */
  currentSeq: (eventId: string) => Promise<number>;
  metrics: LiveMetrics;
  heartbeatMs: number;
  maxBufferedBytes: number;
  /** Beyond this many missed changes a reconnecting client gets a snapshot instead. */
  maxReplay: number;
  clock: () => number;
}

/**
 * Where a reconnecting client resumes: a whole number. Anything else — absent, blank (an empty
 * `Last-Event-ID` is not 0), garbage — means none: the client gets a fresh snapshot.
 */
function resumePoint(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const digits = value.trim();
  return /^\d{1,15}$/.test(digits) ? Number(digits) : undefined;
}

/** One batch goes to thousands of clients: encode its frame once. */
const changeFrames = new WeakMap<SeatChangeBatch, SseFrame>();
function changeFrame(batch: SeatChangeBatch): SseFrame {
  let frame = changeFrames.get(batch);
  if (frame === undefined) {
    const json = JSON.stringify({
      seq: batch.seq,
      changes: batch.changes,
      ...(batch.committedAt ? { committedAt: batch.committedAt } : {}),
      ...(batch.cancelled ? { cancelled: true } : {}),
    });
    frame = SseFrame.event('change', batch.seq, json);
    changeFrames.set(batch, frame);
  }
  return frame;
}

/** Registers the route; `closeAll` ends every open stream (at shutdown). */
export function registerAvailabilityStreamRoute(app: App, deps: AvailabilityStreamDeps): { closeAll(): void } {
  const open = new Set<SseStream>();
  app.get(
    '/api/availability/:eventId/stream',
    {
      // HEAD would get the GET handler, which writes the stream's bytes to a response that has
      // none: without the route, HEAD is a 405 naming GET, like any other method here.
      exposeHeadRoute: false,
      schema: {
        summary: 'Live seat changes (Server-Sent Events)',
        description: 'A `snapshot` event, then `change` events {seq, changes}; resumes from Last-Event-ID.',
        tags: ['availability'],
        params: z.object({ eventId: entityId }),
        querystring: z.strictObject({ lastEventId: z.string().max(20).optional() }),
        response: {
          200: { description: 'The stream: `snapshot`, then `change` events', content: { 'text/event-stream': { schema: z.string() } } },
          ...problemResponses(400, 404, 409),
        },
      },
    },
    async (request, reply) => {
      const { eventId } = request.params;
      await deps.ensureInventory(eventId, callContextOf(request));
      const resumeFrom = resumePoint(request.headers['last-event-id'] ?? request.query.lastEventId);

      // Join before reading the snapshot, so that no change falls between the two.
      const early: SeatChangeBatch[] = [];
      let live = false;
      const membership = await deps.hub.join(eventId, (batch) => (live ? sendChange(batch) : early.push(batch)));

      reply.hijack();
      const { metrics } = deps;
      metrics.clients.inc();
      const stream = openSseStream(reply.raw, {
        heartbeatMs: deps.heartbeatMs,
        maxBufferedBytes: deps.maxBufferedBytes,
        retryMs: 1000,
        coding: eventStreamCoding(request.headers['accept-encoding']),
        headers: { 'x-request-id': request.id },
        onDrop: (reason) => metrics.drops.inc({ reason }),
        onClose: () => {
          open.delete(stream);
          metrics.clients.dec();
          membership.leave();
        },
      });
      open.add(stream);

      let sentSeq: number;
      const sendChange = (batch: SeatChangeBatch) => {
        if (batch.seq <= sentSeq) return;
        sentSeq = batch.seq;
        if (stream.sendFrame(changeFrame(batch))) {
          metrics.eventsSent.inc({ kind: 'change' });
          if (batch.committedAt) metrics.lag.observe(Math.max(0, deps.clock() - batch.committedAt) / 1000);
        }
      };

      try {
        const missed = resumeFrom === undefined ? undefined : await missedSince(eventId, resumeFrom, membership.sequencer);
        if (missed) {
          sentSeq = resumeFrom as number;
          for (const batch of missed) sendChange(batch);
        } else {
          // A shared snapshot may predate changes this instance already delivered before we
          // joined: send those from the ring, or read a fresh snapshot when the ring lacks them.
          let snapshot = await deps.snapshots.get(eventId);
          let catchUp: SeatChangeBatch[] = [];
          if (snapshot.seq < membership.sequencer.lastSeq()) {
            const fromRing = membership.sequencer.since(snapshot.seq);
            if (fromRing) catchUp = fromRing;
            else snapshot = await deps.snapshots.fresh(eventId);
          }
          sentSeq = snapshot.seq;
          if (stream.sendFrame(snapshot.frame)) metrics.eventsSent.inc({ kind: 'snapshot' });
          for (const batch of catchUp) sendChange(batch);
        }
      } catch (error) {
        request.log.error({ err: error }, 'availability stream failed to start');
        stream.close();
        return;
      }
      for (const batch of early) sendChange(batch);
      live = true;
    },
  );

  return {
    closeAll() {
      for (const stream of [...open]) stream.close();
    },
  };

  /**
   * The batches after `afterSeq` up to what the sequencer has delivered — from its ring, else from
   * the change log — or undefined when a snapshot is the better answer.
   */
  async function missedSince(eventId: string, afterSeq: number, sequencer: ChangeSequencer): Promise<SeatChangeBatch[] | undefined> {
    // This instance may trail the database by a message still on its way (a change made on
    // another instance — and a gateway's shared stream resuming here after losing its instance
    // asks for exactly that): ask the database before taking the id for one from the future.
    if (afterSeq > sequencer.lastSeq()) {
      sequencer.catchUp(await deps.currentSeq(eventId));
      await sequencer.idle();
    }
    const upTo = sequencer.lastSeq();
    if (afterSeq > upTo) return undefined; // an id from the future: start afresh
    if (upTo - afterSeq > deps.maxReplay) return undefined;
    const fromRing = sequencer.since(afterSeq);
    if (fromRing) return fromRing;
    const batches = await deps.loadSince(eventId, afterSeq, deps.maxReplay);
    const first = batches[0];
    return first && first.seq === afterSeq + 1 ? batches.filter((b) => b.seq <= upTo) : undefined;
  }
}
