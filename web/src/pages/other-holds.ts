/**
 * The buyer's other holds of an event still running, beside the one the event page shows — made
 * in another tab or on another device (their seats had read as taken by someone else, with
 * nothing to pay for or release). Learnt when the page starts; from this browser's other tabs as
 * they make and end holds (a `BroadcastChannel`, no request); and read again when the page comes
 * back into view (a hold made on another device meanwhile). One that ends elsewhere leaves the
 * list as the live stream tells of its seats, or when its tab says so.
 */
import type { HoldView } from '@stream-seat/contracts';
import { api } from '../api.js';
import { buys, currentSession } from '../session.js';

const CHANNEL = 'stream-seat.holds';

/** What a tab tells the others of the buyer's holds of an event. */
type HoldNews = { kind: 'held'; eventId: string; sub: string; hold: HoldView } | { kind: 'ended'; eventId: string; sub: string; holdId: string };

const isText = (value: unknown): value is string => typeof value === 'string';

/** News as this build tells it: a tab of an older or newer build, still open, may post another shape. */
function isHoldNews(data: unknown): data is HoldNews {
  if (typeof data !== 'object' || data === null) return false;
  const news = data as Record<string, unknown>;
  if (!isText(news['eventId']) || !isText(news['sub'])) return false;
  if (news['kind'] === 'ended') return isText(news['holdId']);
  if (news['kind'] !== 'held' || typeof news['hold'] !== 'object' || news['hold'] === null) return false;
  const hold = news['hold'] as Record<string, unknown>;
  return isText(hold['holdId']) && isText(hold['status']) && isText(hold['expiresAt']) && Array.isArray(hold['seatIds']) && hold['seatIds'].every(isText);
}

export interface OtherHoldsDeps {
  eventId: string;
  /** The holds the page shows as its own (its hold, its order's): never listed as others. */
  ownHoldIds(): Array<string | undefined>;
  /** The server's clock now. */
  now(): number;
  /** The list changed: the map's ring and the panel drawn again. */
  changed(): void;
  /** Another tab says it ended a hold the page shows as its own (paid for it, released it). */
  ownEnded(holdId: string): void;
}

export function createOtherHolds(deps: OtherHoldsDeps) {
  let list: HoldView[] = [];
  /**
   * Holds learnt after the page's start whose seats the live stream has not shown held yet (the
   * news of a tab, or a read, can come before the stream's change): not taken for ended until it has.
   */
  const unconfirmed = new Set<string>();
  /** The page was left: nothing more is listed or drawn (a read on its way may still answer). */
  let disposed = false;
  const channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(CHANNEL) : undefined;

  const ownSub = () => currentSession()?.sub;
  const isOwn = (holdId: string) => deps.ownHoldIds().includes(holdId);
  const running = (hold: HoldView) => hold.status === 'ACTIVE' && Date.parse(hold.expiresAt) > deps.now() && !isOwn(hold.holdId);

  function add(hold: HoldView): void {
    if (disposed || !running(hold) || list.some((other) => other.holdId === hold.holdId)) return;
    unconfirmed.add(hold.holdId);
    // Newest first, as the service lists them.
    list = [hold, ...list];
    deps.changed();
  }

  function remove(holdId: string): void {
    unconfirmed.delete(holdId);
    const kept = list.filter((other) => other.holdId !== holdId);
    if (kept.length === list.length) return;
    list = kept;
    deps.changed();
  }

  channel?.addEventListener('message', ({ data }: MessageEvent<unknown>) => {
    // Another user's news (a sign-in changed in that tab) or another event's is not this page's.
    if (!isHoldNews(data) || data.eventId !== deps.eventId || data.sub !== ownSub()) return;
    if (data.kind === 'held') add(data.hold);
    else if (isOwn(data.holdId)) deps.ownEnded(data.holdId);
    else remove(data.holdId);
  });

  let reading = false;
  /** The buyer's holds of the event, read again: those made on another device meanwhile are added. */
  async function readAgain(): Promise<void> {
    if (reading || !buys(currentSession())) return;
    reading = true;
    try {
      const found = await api<{ items: HoldView[] }>('GET', `/holds?eventId=${encodeURIComponent(deps.eventId)}`).catch(() => undefined);
      // Oldest first, so that the newest ends first in the list.
      for (const hold of [...(found?.items ?? [])].reverse()) add(hold);
    } finally {
      reading = false;
    }
  }
  const cameBack = () => {
    if (document.visibilityState === 'visible') void readAgain();
  };
  document.addEventListener('visibilitychange', cameBack);

  function tell(news: { kind: 'held'; hold: HoldView } | { kind: 'ended'; holdId: string }): void {
    const sub = ownSub();
    if (sub) channel?.postMessage({ ...news, eventId: deps.eventId, sub } satisfies HoldNews);
  }

  return {
    get list(): readonly HoldView[] {
      return list;
    },
    /**
     * The holds found at the page's start (their seats as the snapshot shows them), after those
     * another tab told of while they were being read.
     */
    found(holds: HoldView[]): void {
      if (disposed) return;
      const read = holds.filter(running);
      list = [...list.filter((heard) => !read.some((hold) => hold.holdId === heard.holdId)), ...read];
      deps.changed();
    },
    /** Taken off the list: become the page's own, or released from it. */
    remove,
    /** Tells the other tabs of a hold made on this page. */
    toldHeld: (hold: HoldView) => tell({ kind: 'held', hold }),
    /** Tells the other tabs that a hold ended on this page (released, paid for, run out). */
    toldEnded: (holdId: string) => tell({ kind: 'ended', holdId }),
    /**
     * Drops the holds that ended — run out by the server's clock, or a seat of theirs no longer
     * held (released, swept, or bought, in the tab that had it); true if any was.
     */
    dropEnded(statusOf: (seatId: string) => string | undefined): boolean {
      const now = deps.now();
      const kept = list.filter((other) => {
        if (Date.parse(other.expiresAt) <= now) return false;
        // A seat not known yet (the stream's snapshot still on its way) is taken as still held.
        const held = other.seatIds.every((id) => (statusOf(id) ?? 'HELD') === 'HELD');
        if (held) unconfirmed.delete(other.holdId);
        return held || unconfirmed.has(other.holdId);
      });
      if (kept.length === list.length) return false;
      for (const dropped of list) if (!kept.includes(dropped)) unconfirmed.delete(dropped.holdId);
      list = kept;
      return true;
    },
    dispose(): void {
      disposed = true;
      channel?.close();
      document.removeEventListener('visibilitychange', cameBack);
    },
  };
}
