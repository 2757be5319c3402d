/**
 * `Idempotency-Key` for POSTs that create something: the same key and body (from the same
 * principal) answer with the first response again — also while the first is still running (the
 * repeat waits; it never executes twice while the first is heard from — one whose instance died
 * goes silent and is taken over: SILENT_AFTER_MS — and if it was only frozen, its work does not
 * commit once taken over: it answers as a repeat, with the key's answer); the same key with another body is a 422. Keys are kept
 * 24 h. Responses of 5xx are not kept, so that the client can try again — also when the database
 * was what failed (the reservation is let go of once it is back) — except an answer whose work may
 * have happened all the same (a payment that timed out may still charge: OutcomeUnknown). That one
 * is kept like a 4xx: a repeat under the key replays it, and does not charge again (unless even
 * that answer could not be recorded: then the key is taken over once silent); paying again is a
 * new request, under a new key.
 */
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { isContention } from '@stream-seat/db';
import { AppError, Conflict, type ErrorMapper, mapError, toProblem } from '@stream-seat/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type IdempotencyRepository, type KeyAnswer, type KeyReservation, ReservationTakenOver } from '../db/idempotency.repository.js';
import type { IdempotencyKeyTable } from '../db/schema.js';

export const IDEMPOTENCY_TTL_MS = 24 * 3600 * 1000;
/** How often the request holding a reservation says it is still running. */
export const HEARTBEAT_MS = 2_000;
/**
 * A reservation whose request has not said so for this long lost it (its instance died, or froze):
 * the next caller takes over. Five heartbeats: a slow database or a clock a few seconds off
 * another instance's does not hand a running request's key to a repeat.
 */
export const SILENT_AFTER_MS = 5 * HEARTBEAT_MS;
/** A reservation of the release before (no heartbeat), still pending after this long, lost its request. */
const ABANDONED_AFTER_MS = 120_000;
const POLL_MS = 25;
/** What a repeat that waited in vain is told to wait before it asks again. */
const IN_PROGRESS_RETRY_AFTER_SECONDS = 1;

export class IdempotencyKeyReused extends AppError {
  constructor() {
    super(422, 'idempotency-key-reused', 'Idempotency key reused', 'This Idempotency-Key was used with another request (another body, or another endpoint)');
  }
}

/**
 * An error after which the work may still have been done (a charge that went through late): kept
 * for its Idempotency-Key whatever its status, so that a repeat does not do the work again.
 */
export interface OutcomeUnknown {
  readonly outcomeUnknown: true;
}

const isOutcomeUnknown = (error: unknown): error is OutcomeUnknown => (error as Partial<OutcomeUnknown> | null)?.outcomeUnknown === true;

export interface IdempotencyOptions {
  keys: IdempotencyRepository;
  clock: () => number;
  /** How long a repeat waits for the first request to finish. */
  waitMs: number;
  /**
   * The service's own (createService's `errorMappers`): a failure is judged as the service will
   * answer it — a lock wait that timed out is its 503 "too busy", not an unknown error (which was
   * logged as "unhandled error" on every such hold, before the service's warning).
   */
  errorMappers?: ErrorMapper[];
}

/** A request's answer: what the key keeps for its repeats. */
export type Outcome = KeyAnswer;

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * A request's work. `reservation`: the Idempotency-Key reservation it runs under (none without a
 * key) — the transaction that commits the work checks it is still the request's (fenceReservation).
 * `stored` in its answer: that transaction stored the answer as the key's too (storeAnswer), and
 * it is not written again.
 */
export type Run = (reservation?: KeyReservation) => Promise<Outcome & { stored?: boolean }>;

/** Where a created resource lives (the `Location` of a 201), from the answer's body. */
export type Locate = (body: Record<string, unknown>) => string;

function send(reply: FastifyReply, outcome: Outcome, replayed: boolean, locate: Locate | undefined) {
  if (replayed) reply.header('idempotent-replayed', 'true');
  if (outcome.status >= 400) reply.type('application/problem+json');
  // A replay answers from the stored body, so the location is worked out from the body too.
  if (outcome.status === 201 && locate) reply.header('location', locate(outcome.body as Record<string, unknown>));
  return reply.code(outcome.status).send(outcome.body);
}

export function createIdempotency(options: IdempotencyOptions) {
  const { keys, clock } = options;

  /**
   * Records the answer; the work is done, so a failure to record is retried, never undone.
   * 'taken over' when the key is a repeat's now (this request had gone silent).
   */
  async function record(request: FastifyRequest, reservation: KeyReservation, outcome: Outcome): Promise<'recorded' | 'taken over' | 'failed'> {
    for (let attempt = 1; ; attempt++) {
      try {
        return (await keys.complete(reservation, outcome)) ? 'recorded' : 'taken over';
      } catch (error) {
        if (attempt >= 3) {
          request.log.error({ err: error, idempotencyKey: reservation.key }, 'could not record the answer of an Idempotency-Key');
          return 'failed';
        }
        await sleep(50 * attempt);
      }
    }
  }

  /** Whether a repeat has taken over the key of this request's reservation (false when that cannot be read). */
  async function takenOver(reservation: KeyReservation): Promise<boolean> {
    const found = await keys.find(reservation.owner, reservation.key).catch(() => undefined);
    return found !== undefined && found.created_at !== reservation.reservedAt;
  }

  /**
   * Lets go of the reservation of a request that failed (5xx), so that the client may try again.
   * The database may be what failed: then it is tried again in the background, with growing
   * pauses, until the silent reservation may be taken over anyway (SILENT_AFTER_MS) — else a
   * retry after the database came back would wait, then hear "in progress".
   */
  function release(request: FastifyRequest, reservation: KeyReservation): void {
    const started = clock();
    const attempt = (tries: number): void => {
      // Only this request's reservation: a later one may have taken the key over meanwhile.
      keys.forget(reservation).catch((error: unknown) => {
        if (clock() - started >= SILENT_AFTER_MS) {
          request.log.warn({ err: error, idempotencyKey: reservation.key }, 'could not release an Idempotency-Key after a failure; a repeat takes it over');
          return;
        }
        setTimeout(() => attempt(tries + 1), Math.min(5_000, 100 * 2 ** tries)).unref();
      });
    };
    attempt(0);
  }

  /**
   * Runs the request that holds the key's reservation, saying every
   * HEARTBEAT_MS that it is still running until its answer is recorded or let go of. Undefined
   * when a repeat took the key over meanwhile and this request did not do the work: its commit
   * found the reservation gone (ReservationTakenOver), or it failed before.
   */
  async function execute(request: FastifyRequest, reservation: KeyReservation, run: Run): Promise<Outcome | undefined> {
    // A heartbeat that fails (the database, for a moment) is the next one's to make.
    const heartbeat = setInterval(() => void keys.alive(reservation, clock()).catch(() => undefined), HEARTBEAT_MS);
    heartbeat.unref();
    try {
      return await runAndRecord(request, reservation, run);
    } finally {
      clearInterval(heartbeat);
    }
  }

  async function runAndRecord(request: FastifyRequest, reservation: KeyReservation, run: Run): Promise<Outcome | undefined> {
    let outcome: Awaited<ReturnType<Run>>;
    try {
      outcome = await run(reservation);
    } catch (error) {
      // The key is the repeat's: nothing of this request's to record, or to let go of.
      if (error instanceof ReservationTakenOver) {
        request.log.warn({ idempotencyKey: reservation.key }, 'a repeat took this request\'s Idempotency-Key over while it ran (it had gone silent); answering with the key\'s answer');
        return undefined;
      }
      // Mapped without the warning toProblem would log: the service's handler logs it, once.
      const problem = toProblem(mapError(error, options.errorMappers ?? []) ?? (error as Error), request);
      // Failed after a repeat took the key over (it had gone silent before it got as far as its
      // work's commit: the hold already ordered by the repeat, a charge that timed out): the key's
      // answer is the repeat's, and so is this request's.
      let stillMine: boolean;
      // Work that may have happened is never let go of: recorded (retried), or else left reserved
      // until taken over as silent — a repeat must not do it again at once.
      const answer = { status: problem.status, body: problem };
      if (isOutcomeUnknown(error)) stillMine = (await record(request, reservation, answer)) !== 'taken over';
      else if (problem.status >= 500) {
        stillMine = !(await takenOver(reservation));
        if (stillMine) release(request, reservation);
      } else {
        stillMine = await keys.complete(reservation, answer).catch(() => {
          release(request, reservation);
          return true;
        });
      }
      if (!stillMine) return undefined;
      // Let the service's own handler answer (and log) a failure of the first execution.
      throw error;
    }
    // Done, under this request's reservation (its commit checked it): its answer, even should the
    // key have been taken over since.
    if (!outcome.stored) await record(request, reservation, outcome);
    return outcome;
  }

  return async function idempotent(
    request: FastifyRequest,
    reply: FastifyReply,
    scope: { owner: string; route: string; body: unknown; locate?: Locate },
    run: Run,
  ) {
    const answer = (outcome: Outcome, replayed: boolean) => send(reply, outcome, replayed, scope.locate);
    // Two keys in one request are refused by the platform (service.ts), before any route runs.
    const key = request.headers['idempotency-key'];
    if (typeof key !== 'string' || key.length === 0) return answer(await run(), false);
    // Longer keys never get here: the route's header schema answers them with a 400.
    const hash = createHash('sha256').update(`${scope.route}\n${canonical(scope.body)}`).digest('hex');
    let deadline = clock() + options.waitMs;
    /**
     * Runs the request under its reservation made at `now`. Undefined when a repeat took the key
     * over meanwhile (it had gone silent): it then waits for the repeat's answer, as a repeat would.
     */
    const ran = async (now: number) => {
      const outcome = await execute(request, { owner: scope.owner, key, reservedAt: now }, run);
      if (!outcome) deadline = clock() + options.waitMs;
      return outcome;
    };
    /**
     * A lock wait on the key's record timed out: the transaction committing its request's work
     * holds it (a request frozen mid-commit, say) — that request is still running, not silent; or
     * it committed just as the wait ended, and the record has its answer (replayed, as any repeat
     * gets it). No record under the key: the contention is elsewhere, and the error stands.
     */
    const lockedByItsRequest = async (error: unknown): Promise<'locked' | IdempotencyKeyTable> => {
      if (!isContention(error)) throw error;
      const record = await keys.find(scope.owner, key);
      if (record === undefined) throw error;
      return record.status_code !== null ? record : 'locked';
    };
    /**
     * Waits a moment more for the key's request; past the deadline, tells the client to retry
     * later. `seenAt`: when the key was read as still running — a later clock would give up on a
     * request judged by an older reading (a test moving time on between the two heard 409 once).
     */
    const stillRunning = async (seenAt: number) => {
      if (seenAt > deadline) {
        reply.header('retry-after', String(IN_PROGRESS_RETRY_AFTER_SECONDS));
        throw new Conflict('idempotency-in-progress', 'Request in progress', 'A request with this Idempotency-Key is still running; retry later');
      }
      await sleep(POLL_MS);
    };
    /**
     * A lock wait lasts up to the statement bound (seconds): when the next one, begun now, would
     * end — past the deadline, the repeat gives up at once, so that its 409 comes before the
     * gateway's timeout. `began`: when the one that timed out began.
     */
    const nextLockWaitEnd = (began: number) => {
      const waited = clock();
      return waited + (waited - began);
    };
    for (;;) {
      const now = clock();
      const record = await keys.reserve(scope.owner, key, hash, now).catch(lockedByItsRequest);
      if (record === 'locked') {
        await stillRunning(nextLockWaitEnd(now));
        continue;
      }
      if (record === 'reserved') {
        const outcome = await ran(now);
        if (outcome) return answer(outcome, false);
        continue;
      }
      const expired = record.created_at < now - IDEMPOTENCY_TTL_MS;
      // Another request under a key still kept is refused, even when the key's request went
      // silent: taken over, it had done its own work under the key, and the silent request, back,
      // heard 422 for its own body.
      if (!expired && record.request_hash !== hash) throw new IdempotencyKeyReused();
      // Its request went silent (it died): taken over, not waited for. A reservation made (or taken
      // over) by the release before has no heartbeat of its own — alive_at null, or older than the
      // reservation — and is judged by its age, as then: it was not silent, only mute.
      const beating = record.alive_at !== null && record.alive_at >= record.created_at;
      const abandoned = record.status_code === null && (beating ? (record.alive_at as number) < now - SILENT_AFTER_MS : record.created_at < now - ABANDONED_AFTER_MS);
      if (expired || abandoned) {
        // Answered meanwhile (a record back from the lock wait): the next look replays it.
        const takenOver = await keys.takeOver(scope.owner, key, record, hash, now).catch(lockedByItsRequest);
        if (takenOver === true) {
          const outcome = await ran(now);
          if (outcome) return answer(outcome, false);
        }
        if (takenOver === 'locked') await stillRunning(nextLockWaitEnd(now));
        continue;
      }
      if (record.status_code !== null && record.response_json !== null) {
        return answer({ status: record.status_code, body: JSON.parse(record.response_json) }, true);
      }
      await stillRunning(now);
    }
  };
}
export type Idempotent = ReturnType<typeof createIdempotency>;
