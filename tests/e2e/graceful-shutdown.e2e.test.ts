/**
 * A booking instance told to stop (SIGTERM, as ECS does in a rolling deploy): it turns unready and
 * leaves the registry at once, goes on serving through SHUTDOWN_GRACE_MS (gateways still route to
 * it until their next registry fetch), then closes its listener and lets the request in flight —
 * a payment slower than the grace — finish with its real answer before the process exits 0.
 */
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, isListening } from '../support/free-port.js';
import { startTestPlatform, type TestPlatform } from '../support/test-platform.js';

/** Long enough for the checks made during it, even on a loaded machine. */
const GRACE_MS = 6_000;
/** `tok_slow` never answers: the payment times out after this, well after the grace ends. */
const PAYMENT_TIMEOUT_MS = 10_000;

let test: TestPlatform;
beforeAll(async () => {
  test = await startTestPlatform({
    name: 'shutdown',
    serviceEnv: { booking: { SHUTDOWN_GRACE_MS: String(GRACE_MS), PAYMENT_TIMEOUT_MS: String(PAYMENT_TIMEOUT_MS), LOG_LEVEL: 'info' } },
  });
}, 120_000);
afterAll(() => test?.stop());

/** The booking instances the registry lists. */
async function registeredBookings(): Promise<number> {
  const res = await fetch(`${test.platform.urls.discovery}/eureka/apps/BOOKING-SERVICE`, { headers: { accept: 'application/json' } });
  if (res.status === 404) return 0;
  const body = (await res.json()) as { application?: { instance?: unknown[] | object } };
  const instances = body.application?.instance;
  return Array.isArray(instances) ? instances.length : instances ? 1 : 0;
}

describe('a booking instance stopping', () => {
  it('deregisters, serves through the grace, then drains the request in flight and exits 0', async () => {
    const organizer = await test.tokenFor('olga', 'organizer');
    const buyer = await test.tokenFor('alice');
    const layout = { name: 'Shutdown Hall', city: 'Lyon', sections: [{ id: 'ORCH', name: 'Orchestra', tier: 'A', rows: [{ label: 'A', seats: 4 }] }] };
    const startsAt = new Date(Date.now() + 20 * 86_400_000).toISOString();
    const { eventId } = await test.putOnSale(organizer, layout, { name: 'Last Night', startsAt, prices: { A: 5000 } });
    const hold = await eventually(async () => {
      const res = await test.send('POST', '/api/holds', buyer, { eventId, seatIds: ['ORCH-A-1'] });
      return res.status === 201 ? res.body : undefined;
    }, 10_000, 'a hold');
    expect(await registeredBookings()).toBe(1);

    const booking = test.platform.urls.booking;
    const child = test.platform.processes.get('booking');
    const exited = once(child!, 'exit');
    // In flight when the signal lands, straight to the instance: a payment that times out.
    const payment = fetch(`${booking}/api/orders`, {
      method: 'POST',
      headers: { ...buyer, 'content-type': 'application/json' },
      body: JSON.stringify({ holdId: hold['holdId'], payment: { token: 'tok_slow' } }),
    });
    await eventually(async () => (test.logs.some((l) => l.startsWith('booking') && l.includes('/api/orders')) ? true : undefined), 5_000, 'the payment to arrive');
    child!.kill('SIGTERM');

    // Out of the registry and unready at once, yet still serving.
    await eventually(async () => ((await registeredBookings()) === 0 ? true : undefined), 5_000, 'booking to deregister');
    const ready = await fetch(`${booking}/ready`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { draining: boolean }).draining).toBe(true);
    const during = await fetch(`${booking}/api/holds/${String(hold['holdId'])}`, { headers: buyer });
    expect(during.status).toBe(200);

    // After the grace the listener closes; the slow payment still gets its own answer.
    const answer = await payment;
    expect(answer.status).toBe(504);
    expect(answer.headers.get('content-type')).toContain('application/problem+json');
    expect(await isListening(Number(new URL(booking).port))).toBe(false);
    const [code] = await exited;
    expect(code).toBe(0);
    const log = test.logs.filter((l) => l.startsWith('booking'));
    const index = (text: string) => log.findIndex((l) => l.includes(text));
    expect(index('"deregistered"')).toBeGreaterThan(-1);
    expect(index('serving until gateways drop this instance')).toBeGreaterThan(index('"deregistered"'));
  }, 60_000);
});
