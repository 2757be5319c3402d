/**
 * Keeps a SeatBoard in step with `GET /api/availability/{eventId}/stream`. The browser's
 * EventSource reconnects by itself and sends `Last-Event-ID`, so the server replays exactly the
 * missed changes (or a fresh snapshot); only a gap seen here makes us start over ourselves.
 */
import type { Availability, SeatChangeBatch } from '@stream-seat/contracts';
import { createSeatBoard, type SeatBoard } from './seat-board.js';

export type LiveStatus = 'connecting' | 'live' | 'reconnecting';

export interface LiveAvailabilityOptions {
  eventId: string;
  /** Seats whose state changed (every seat after a snapshot). */
  onSeats(seatIds: string[], board: SeatBoard): void;
  onStatus(status: LiveStatus, board: SeatBoard): void;
  /** The event was cancelled (said by the snapshot or, live, by a change): following stops. */
  onCancelled(): void;
}

export interface LiveAvailability {
  board: SeatBoard;
  close(): void;
}

export function followAvailability(options: LiveAvailabilityOptions): LiveAvailability {
  const board = createSeatBoard();
  const url = `/api/availability/${encodeURIComponent(options.eventId)}/stream`;
  let source: EventSource;
  let closed = false;
  /** Consecutive times the browser gave up: the pause before starting over grows (with jitter). */
  let failures = 0;

  const open = () => {
    if (closed) return;
    source = new EventSource(url);
    options.onStatus('connecting', board);
    // A resumed stream (Last-Event-ID) sends no snapshot: it is live once it opened on a board
    // that has one.
    source.addEventListener('open', () => {
      if (board.seq !== undefined) options.onStatus('live', board);
    });
    source.addEventListener('snapshot', (message) => {
      failures = 0;
      const snapshot = JSON.parse((message as MessageEvent<string>).data) as Availability;
      if (snapshot.cancelled) return cancelled();
      options.onSeats(board.applySnapshot(snapshot), board);
      options.onStatus('live', board);
    });
    source.addEventListener('change', (message) => {
      const batch = JSON.parse((message as MessageEvent<string>).data) as SeatChangeBatch;
      const result = board.applyChange(batch);
      if (result.kind === 'applied') {
        if (batch.cancelled) return cancelled();
        options.onSeats(result.seatIds, board);
      } else if (result.kind === 'gap') restart();
    });
    source.addEventListener('error', () => {
      // CONNECTING: the browser retries on its own, with Last-Event-ID. CLOSED: it gave up.
      options.onStatus('reconnecting', board);
      if (source.readyState === EventSource.CLOSED) {
        failures++;
        setTimeout(restart, Math.min(30_000, 1_000 * 2 ** failures) * (0.5 + Math.random()));
      }
    });
  };
  /** Nothing more is sold: the stream is of no more use (its next changes free every seat). */
  const cancelled = () => {
    closed = true;
    source.close();
    options.onCancelled();
  };
  /** A fresh connection without Last-Event-ID: the server starts with a snapshot. */
  const restart = () => {
    source.close();
    open();
  };

  open();
  return {
    board,
    close: () => {
      closed = true;
      source.close();
    },
  };
}
