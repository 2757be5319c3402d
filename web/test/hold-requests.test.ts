import type { HoldView } from '@stream-seat/contracts';
import { describe, expect, it } from 'vitest';
import { ApiProblem } from '../src/api-problem.js';
import { createHoldRequests, type HoldRequest } from '../src/hold-requests.js';

const holdOf = (seatIds: string[]): HoldView => ({
  holdId: `hold-of-${seatIds.join('+')}`,
  eventId: 'e1',
  seatIds,
  status: 'ACTIVE',
  totalCents: 0,
  currency: 'EUR',
  expiresAt: '2030-01-01T00:00:00.000Z',
} as HoldView);

const lost = () => new ApiProblem(0, 'No answer', undefined, {});
const taken = (seatIds: string[]) => new ApiProblem(409, 'Seats unavailable', undefined, { unavailable: seatIds });

/**
 * A service whose answers the test scripts, one per request (`replayed`: a hold an earlier request
 * under the key made, as `idempotent-replayed` says); every request sent is kept.
 */
function scriptedService(...answers: Array<'hold' | 'replayed' | ApiProblem>) {
  const sent: Array<{ body: HoldRequest; key: string }> = [];
  let keys = 0;
  const requests = createHoldRequests(
    async (body, key) => {
      sent.push({ body, key });
      const answer = answers.shift();
      if (answer === undefined) throw new Error('no answer scripted');
      if (answer instanceof ApiProblem) throw answer;
      return { hold: holdOf((body['seatIds'] as string[] | undefined) ?? ['best']), replayed: answer === 'replayed' };
    },
    () => `key-${++keys}`,
  );
  return { requests, sent };
}

describe('hold requests', () => {
  it('sends a request under a key of its own, and a new one under a new key', async () => {
    const { requests, sent } = scriptedService('hold', 'hold');
    expect(await requests.send({ seatIds: ['A-1'] })).toEqual({ hold: holdOf(['A-1']), earlier: false });
    expect(await requests.send({ seatIds: ['A-1'] })).toEqual({ hold: holdOf(['A-1']), earlier: false });
    expect(sent.map((r) => r.key)).toEqual(['key-1', 'key-2']);
  });

  it('sends a request whose answer was lost again under its key, and claims its seats meanwhile', async () => {
    const { requests, sent } = scriptedService(lost(), 'replayed');
    await expect(requests.send({ seatIds: ['A-1', 'A-2'] })).rejects.toMatchObject({ status: 0 });
    expect(requests.claims('A-2')).toBe(true);
    expect(requests.claims('A-3')).toBe(false);
    expect(await requests.send({ seatIds: ['A-1', 'A-2'] })).toEqual({ hold: holdOf(['A-1', 'A-2']), earlier: true });
    expect(sent.map((r) => r.key)).toEqual(['key-1', 'key-1']);
    expect(requests.claims('A-2')).toBe(false);
  });

  it('says a hold the same ask made only when sent again (the first never reached the service) is the one just asked for', async () => {
    const { requests } = scriptedService(lost(), 'hold');
    await expect(requests.send({ seatIds: ['A-1'] })).rejects.toMatchObject({ status: 0 });
    // Before: "your earlier request went through", for a request that had never left the browser.
    expect(await requests.send({ seatIds: ['A-1'] })).toEqual({ hold: holdOf(['A-1']), earlier: false });
  });

  it('sends the lost request before a changed one, and keeps the hold it made without sending the new one', async () => {
    const { requests, sent } = scriptedService(lost(), 'hold');
    await expect(requests.send({ seatIds: ['A-1'] })).rejects.toBeInstanceOf(ApiProblem);
    expect(await requests.send({ seatIds: ['B-7'] })).toEqual({ hold: holdOf(['A-1']), earlier: true });
    expect(sent).toEqual([
      { body: { seatIds: ['A-1'] }, key: 'key-1' },
      { body: { seatIds: ['A-1'] }, key: 'key-1' },
    ]);
  });

  it('sends the changed request once the lost one is known to have made no hold, and answers with its problem', async () => {
    const { requests, sent } = scriptedService(lost(), taken(['A-1']), taken(['B-7']), 'hold');
    await expect(requests.send({ seatIds: ['A-1'] })).rejects.toBeInstanceOf(ApiProblem);
    await expect(requests.send({ seatIds: ['B-7'] })).rejects.toMatchObject({ status: 409, unavailable: ['B-7'] });
    expect(sent.map((r) => [r.body['seatIds'], r.key])).toEqual([[['A-1'], 'key-1'], [['A-1'], 'key-1'], [['B-7'], 'key-2']]);
    // Both were answered: nothing is claimed, and the next request goes alone.
    expect(requests.claims('A-1')).toBe(false);
    expect(await requests.send({ seatIds: ['C-1'] })).toEqual({ hold: holdOf(['C-1']), earlier: false });
  });

  it('counts a server error and an in-progress answer as no answer, but not a refusal', async () => {
    const inProgress = new ApiProblem(409, 'In progress', undefined, { type: 'https://stream-seat.dev/problems/idempotency-in-progress' });
    const { requests, sent } = scriptedService(inProgress, new ApiProblem(503, 'Unavailable', undefined, {}), taken(['A-1']), 'hold');
    for (let i = 0; i < 3; i++) await expect(requests.send({ seatIds: ['A-1'] })).rejects.toBeInstanceOf(ApiProblem);
    expect(sent.map((r) => r.key)).toEqual(['key-1', 'key-1', 'key-1']);
    expect(await requests.send({ seatIds: ['A-1'] })).toMatchObject({ earlier: false });
    // A new key: the refusal ended the first request.
    expect(sent.at(-1)?.key).toBe('key-4');
  });

  it('tells that a request is on its way, and claims its seats until its answer', async () => {
    let answer: (hold: HoldView) => void = () => {};
    const requests = createHoldRequests(() => new Promise<HoldView>((resolve) => (answer = resolve)).then((hold) => ({ hold, replayed: false })));
    expect(requests.sending).toBe(false);
    const sending = requests.send({ seatIds: ['A-1'] });
    expect(requests.sending).toBe(true);
    expect(requests.claims('A-1')).toBe(true);
    answer(holdOf(['A-1']));
    await sending;
    expect(requests.sending).toBe(false);
    expect(requests.claims('A-1')).toBe(false);
  });
});
