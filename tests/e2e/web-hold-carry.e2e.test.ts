/**
 * A payment begun in the hold's last seconds, in real headless Chromium against the whole platform
 * with holds of a few seconds: the payment carries the hold, and the page's countdown follows it
 * instead of running out and telling the buyer their seats are gone. Needs Debian's chromium
 * (REQUIRE_BROWSER makes its absence a failure); CHROMIUM_PATH points elsewhere.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/free-port.js';
import { browserTestsEnabled } from '../support/headless-chromium.js';
import type { TestPlatform } from '../support/test-platform.js';
import { startWebTestPlatform, type WebTestPlatform } from '../support/web-test-platform.js';

const HOLD_TTL_SECONDS = 6;
/** The payment's timeout: with the order's writing (5 s), how far a payment carries its hold. */
const PAYMENT_TIMEOUT_MS = 10_000;

const hall = { name: 'Carry Hall', city: 'Nantes', sections: [{ id: 'ORCH', name: 'Orchestra', tier: 'A', rows: [{ label: 'A', seats: 6 }] }] };

/** The countdown's "m:ss" in seconds. */
const seconds = (text: string | null) => {
  const [m, s] = (text ?? '').split(':').map(Number);
  return (m as number) * 60 + (s as number);
};

describe.runIf(browserTestsEnabled)('a hold carried by its payment, in headless Chromium', () => {
  let test: TestPlatform;
  let browser: Browser;
  let web: WebTestPlatform | undefined;

  beforeAll(async () => {
    web = await startWebTestPlatform({
      name: 'web-hold-carry',
      serviceEnv: { booking: { HOLD_TTL_SECONDS: String(HOLD_TTL_SECONDS), PAYMENT_TIMEOUT_MS: String(PAYMENT_TIMEOUT_MS) } },
    });
    ({ test, browser } = web);
  }, 120_000);

  afterAll(async () => {
    await web?.stop();
  });

  /**
   * A new event's page, signed in as the buyer `name`, with `seatId` held (the pay form shown);
   * `errors` collects the page's uncaught errors.
   */
  async function holding(name: string, seatId: string) {
    const { eventId } = await test.putOnSale(await test.tokenFor('olga', 'organizer'), hall, { name: `Carry Night ${seatId}`, prices: { A: 4000 } });
    const page = await browser.newPage();
    page.setDefaultTimeout(20_000);
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const buyer = await test.tokenFor(name, 'buyer');
    const token = buyer['authorization']?.slice('Bearer '.length) as string;
    await page.addInitScript(`localStorage.setItem('stream-seat.session', ${JSON.stringify(JSON.stringify({ sub: name, role: 'buyer', token }))})`);
    await page.goto(`${test.gateway}/#/events/${eventId}`);
    await page.waitForSelector('[data-live-status=live]');
    await page.click(`circle[data-seat-id="${seatId}"]`);
    await page.click('button.hold-selected');
    await page.waitForSelector('form.pay');
    return { page, errors, eventId, buyer };
  }

  it('shows the hold running on after a card declined in its last seconds, and keeps the seats past its first end', async () => {
    const { page, errors } = await holding('nina', 'ORCH-A-3');
    await page.selectOption('select[name=card]', 'tok_declined');
    // Paid with a second or two of the hold left.
    await eventually(async () => (seconds(await page.textContent('.countdown')) <= 2 ? true : undefined), 10_000, 'two seconds left');
    await page.click('form.pay button');
    await page.waitForSelector('.panel [role=alert]:has-text("declined")');
    expect(await page.textContent('.panel [role=alert]')).toContain('still held');
    // The countdown shows the hold's new end (it ran down to 0:00 and on to "expired" before).
    expect(seconds(await page.textContent('.countdown'))).toBeGreaterThan(8);
    // Past the hold's first end, the seats are still the buyer's and can be paid for.
    await page.waitForTimeout(3_000);
    expect(await page.locator('form.pay').count()).toBe(1);
    await page.selectOption('select[name=card]', 'tok_ok');
    await page.click('form.pay button');
    await page.waitForSelector('[data-ticket-code]');
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it('follows a hold carried by a payment made elsewhere (another tab) when its countdown reaches the first end', async () => {
    const { page, errors, eventId, buyer } = await holding('otto', 'ORCH-A-4');
    const holds = await test.send<{ items: Array<{ holdId: string }> }>('GET', `/api/holds?eventId=${eventId}`, buyer);
    const holdId = holds.body.items[0]?.holdId as string;
    await eventually(async () => (seconds(await page.textContent('.countdown')) <= 2 ? true : undefined), 10_000, 'two seconds left');
    // Another tab pays in the hold's last seconds, and its card is declined.
    expect((await test.send('POST', '/api/orders', buyer, { holdId, payment: { token: 'tok_declined' } })).status).toBe(402);
    // This tab's countdown reaches the first end, asks, and runs on (it had stayed at 0:00).
    await eventually(async () => (seconds(await page.textContent('.countdown')) > 8 ? true : undefined), 10_000, 'the countdown to run on');
    expect(await page.locator('form.pay').count()).toBe(1);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});
