/**
 * The web app's buying flow in real headless Chromium, served by the gateway of the whole
 * platform: the payment form fits its panel on a phone and a desktop, the best-available form keeps
 * what the buyer entered, a slow restore of an older hold does not replace the one just made, a
 * new payment clears the last one's alert, the buyer's holds made elsewhere are listed (at the
 * page's start, from another tab at once, another device's when the page comes back into view),
 * bought seats look sold and a "Buy more seats" leads back
 * to choosing, and an organiser is told that buying needs a buyer's sign-in before trying. Needs
 * Debian's chromium (REQUIRE_BROWSER makes its absence a failure); CHROMIUM_PATH points elsewhere.
 */
import type { Browser, BrowserContext, Page, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gate } from '../support/gate.js';
import { browserTestsEnabled } from '../support/headless-chromium.js';
import type { TestPlatform } from '../support/test-platform.js';
import { startWebTestPlatform, type WebTestPlatform } from '../support/web-test-platform.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are read field by field below
type Json = Record<string, any>;

/** A browser step that does not come within this fails, naming what it waited for. */
const STEP_TIMEOUT_MS = 20_000;

const hallLayout = {
  name: 'Checkout Hall',
  city: 'Rennes',
  sections: [
    { id: 'ORCH', name: 'Orchestra', tier: 'A', rows: [{ label: 'A', seats: 8 }, { label: 'B', seats: 8 }] },
    { id: 'BALC', name: 'Balcony', tier: 'B', rows: [{ label: 'A', seats: 6 }] },
  ],
};

describe.runIf(browserTestsEnabled)('the web app\'s checkout in headless Chromium', () => {
  let test: TestPlatform;
  let browser: Browser;
  let web: WebTestPlatform | undefined;
  let organizer: Record<string, string>;
  let events = 0;

  const send = (method: string, path: string, headers: Record<string, string> = {}, body?: unknown) => test.send<Json>(method, path, headers, body);

  beforeAll(async () => {
    web = await startWebTestPlatform({ name: 'web-checkout' });
    ({ test, browser } = web);
    organizer = await test.tokenFor('olga', 'organizer');
  }, 120_000);

  afterAll(async () => {
    await web?.stop();
  });

  /** An event of its own for each test (no test takes another's seats); its id and seat ids. */
  async function freshEvent(): Promise<{ eventId: string; seats: string[] }> {
    const { eventId } = await test.putOnSale(organizer, hallLayout, { name: `Checkout Night ${++events}`, prices: { A: 5000, B: 3000 }, maxSeatsPerOrder: 6 });
    const seats = ((await send('GET', `/api/events/${eventId}/seatmap`)).body['seats'] as Json[]).map((s) => s['id'] as string);
    return { eventId, seats };
  }

  /**
   * The event's page, live, signed in as `name` (a session put in the browser's storage before the
   * app starts, as the sign-in form would leave it); `beforeLoad` prepares the page first. In a
   * browser of its own, or as another tab of `context`'s.
   */
  async function openEvent(
    eventId: string,
    name: string,
    role: 'buyer' | 'organizer' = 'buyer',
    beforeLoad?: (page: Page) => Promise<unknown>,
    context?: BrowserContext,
  ): Promise<Page> {
    const page = await (context ?? browser).newPage();
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const token = (await test.tokenFor(name, role))['authorization']?.slice('Bearer '.length) as string;
    await page.addInitScript(`localStorage.setItem('stream-seat.session', ${JSON.stringify(JSON.stringify({ sub: name, role, token }))})`);
    await beforeLoad?.(page);
    await page.goto(`${test.gateway}/#/events/${eventId}`);
    await page.waitForSelector('[data-live-status=live]');
    expect(errors).toEqual([]);
    return page;
  }

  /**
   * The event's page signed in as `name`, its live stream answered by `stream` (a routed snapshot,
   * say): it hears only what the test lets it. Waits until the first stream has ended.
   */
  async function openEventUnheard(eventId: string, name: string, stream: (route: Route) => Promise<void>): Promise<Page> {
    const page = await browser.newPage();
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    const token = (await test.tokenFor(name))['authorization']?.slice('Bearer '.length) as string;
    await page.addInitScript(`localStorage.setItem('stream-seat.session', ${JSON.stringify(JSON.stringify({ sub: name, role: 'buyer', token }))})`);
    await page.route(`**/api/availability/${eventId}/stream`, stream);
    await page.goto(`${test.gateway}/#/events/${eventId}`);
    await page.waitForSelector('[data-live-status=reconnecting]');
    return page;
  }

  const seatClass = (page: Page, seatId: string) => page.getAttribute(`circle[data-seat-id="${seatId}"]`, 'class');

  /** Holds `seats` by clicks on the map and "Hold". */
  async function hold(page: Page, seats: string[]): Promise<void> {
    for (const seat of seats) await page.click(`circle[data-seat-id="${seat}"]`);
    await page.click('button.hold-selected');
    await page.waitForSelector('form.pay');
  }

  /** Pays for the hold shown with the approved test card; the tickets are shown. */
  async function pay(page: Page): Promise<void> {
    await page.selectOption('select[name=card]', 'tok_ok');
    await page.click('form.pay button');
    await page.waitForSelector('[data-ticket-code]');
  }

  it('fits the payment form in its panel, without a sideways scroll, on a phone and on a desktop', async () => {
    const { eventId, seats } = await freshEvent();
    for (const viewport of [{ width: 390, height: 844 }, { width: 1366, height: 768 }]) {
      const page = await openEvent(eventId, `pia-${viewport.width}`, 'buyer', (p) => p.setViewportSize(viewport));
      await hold(page, [viewport.width === 390 ? (seats[0] as string) : (seats[1] as string)]);
      const measured = (await page.evaluate(`(() => {
        const panel = document.querySelector('.panel').getBoundingClientRect();
        const card = document.querySelector('select[name=card]').getBoundingClientRect();
        const label = document.querySelector('form.pay .field > span');
        return {
          scrollWidth: document.documentElement.scrollWidth,
          innerWidth: window.innerWidth,
          panelRight: panel.right,
          cardRight: card.right,
          labelHeight: label.getBoundingClientRect().height,
          lineHeight: parseFloat(getComputedStyle(label).lineHeight) || parseFloat(getComputedStyle(label).fontSize) * 1.3,
        };
      })()`)) as Record<string, number>;
      // The page had been 466 px wide on the phone, and 1393 px on the desktop.
      expect(measured['scrollWidth'], `at ${viewport.width} px`).toBeLessThanOrEqual(measured['innerWidth'] as number);
      // The card's select had stuck out of the panel by its longest option.
      expect(measured['cardRight'], `at ${viewport.width} px`).toBeLessThanOrEqual(measured['panelRight'] as number);
      // "Payment card" had been one letter a line.
      expect(measured['labelHeight'], `at ${viewport.width} px`).toBeLessThanOrEqual(2.2 * (measured['lineHeight'] as number));
      await page.close();
    }
  });

  it('keeps what the buyer entered in the best-available form when the panel is drawn again', async () => {
    const { eventId, seats } = await freshEvent();
    const page = await openEvent(eventId, 'quinn');
    const form = 'form.best-available';
    const entered = async () => ({
      quantity: await page.inputValue(`${form} input[name=quantity]`),
      tier: await page.inputValue(`${form} select[name=tier]`),
      together: await page.isChecked(`${form} input[name=together]`),
    });
    await page.fill(`${form} input[name=quantity]`, '5');
    await page.selectOption(`${form} select[name=tier]`, 'B');
    await page.uncheck(`${form} input[name=together]`);
    const asEntered = { quantity: '5', tier: 'B', together: false };
    // A seat clicked on the map draws the panel again: it had gone back to 2 seats, any tier, side by side.
    await page.click(`circle[data-seat-id="${seats[0]}"]`);
    await page.waitForSelector('.selected-seats li');
    expect(await entered()).toEqual(asEntered);
    // So does a selected seat taken by someone else.
    expect((await send('POST', '/api/holds', await test.tokenFor('rival'), { eventId, seatIds: [seats[0]] })).status).toBe(201);
    await page.waitForSelector('.panel .notice:has-text("Just taken by someone else")');
    expect(await entered()).toEqual(asEntered);
    await page.close();
  });

  it('keeps the hold just made when the restore of an older hold answers late', async () => {
    const { eventId, seats } = await freshEvent();
    const [older, newer] = [seats[0] as string, seats[1] as string];
    // The buyer's hold made on another device: a new tab finds it and asks for it — slowly.
    const made = await send('POST', '/api/holds', await test.tokenFor('rosa'), { eventId, seatIds: [older] });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const olderHold = made.body['holdId'] as string;
    const answered = gate();
    const askedFor = gate();
    const page = await openEvent(eventId, 'rosa', 'buyer', (p) =>
      p.route(`**/api/holds/${olderHold}`, async (route) => {
        askedFor.open();
        await answered.passed;
        await route.continue();
      }),
    );
    await askedFor.passed;
    // Meanwhile the buyer holds another seat.
    await hold(page, [newer]);
    const restored = page.waitForResponse((r) => r.url().endsWith(`/api/holds/${olderHold}`));
    answered.open();
    await restored;
    // The app's own handling of the answer comes after the response: a moment for it.
    await page.waitForTimeout(500);
    // It had switched the panel and the map to the older hold, forgetting the one just made.
    expect(await page.locator('.held-seats li').allTextContents()).toEqual(['Orchestra, row A, seat 2']);
    expect(await seatClass(page, newer)).toContain('mine');
    // The older hold is still the buyer's: listed apart, to release (this page pays for one at a time).
    expect(await page.locator('.other-holds li').allTextContents()).toEqual([expect.stringMatching(/^Orchestra, row A, seat 1 · .+ · until .+Release$/)]);
    await page.close();
  });

  it('lists the buyer\'s other holds of the event, made elsewhere, to release or pay for here, and drops one that ends elsewhere', async () => {
    const { eventId, seats } = await freshEvent();
    const sam = await test.tokenFor('sam');
    const holdOf = async (seatIds: string[]) => {
      const made = await send('POST', '/api/holds', sam, { eventId, seatIds });
      expect(made.status, JSON.stringify(made.body)).toBe(201);
      return made.body['holdId'] as string;
    };
    // Three holds made in other tabs or on other devices, the newest last.
    const first = await holdOf([seats[0] as string]);
    const second = await holdOf([seats[1] as string, seats[2] as string]);
    await holdOf([seats[3] as string]);
    const page = await openEvent(eventId, 'sam');
    // The newest is this page's to pay for; the two others are listed, their seats ringed as the buyer's
    // (they had read as taken by someone else, with nothing to pay for or release).
    await page.waitForSelector('form.pay');
    expect(await page.locator('.held-seats li').allTextContents()).toEqual(['Orchestra, row A, seat 4']);
    await page.waitForSelector('.other-holds li');
    expect(await page.locator('.other-holds li').allTextContents()).toEqual([
      expect.stringMatching(/^Orchestra, row A, seat 2; Orchestra, row A, seat 3 · .+100\.00 · until /),
      expect.stringMatching(/^Orchestra, row A, seat 1 · .+50\.00 · until /),
    ]);
    for (const seat of seats.slice(0, 4)) expect(await seatClass(page, seat)).toContain('mine');
    // One hold at a time on the page: while it has its own, the others are only to release — each
    // button named by its seats.
    expect(await page.locator('.other-holds button.adopt-other').count()).toBe(0);
    expect(await page.getAttribute(`.other-holds li[data-hold-id="${first}"] button.release-other`, 'aria-label')).toBe('Release Orchestra, row A, seat 1');

    // The page's own released: now any other may be paid for here.
    await page.click('.panel button:has-text("Release seats")');
    await page.waitForSelector('.other-holds button.adopt-other');
    expect(await page.locator('.other-holds button.adopt-other').count()).toBe(2);
    // One released from the list: its seat back on sale.
    await page.click(`.other-holds li[data-hold-id="${first}"] button.release-other`);
    await expect.poll(() => page.locator('.other-holds li').count(), { timeout: STEP_TIMEOUT_MS }).toBe(1);
    expect((await send('GET', `/api/holds/${first}`, sam)).body['status']).toBe('RELEASED');
    await expect.poll(() => seatClass(page, seats[0] as string), { timeout: STEP_TIMEOUT_MS }).not.toContain('mine');
    // The other paid for here: its seats, its tickets — a seat selected on the map meanwhile let go.
    await page.click(`circle[data-seat-id="${seats[7]}"]`);
    expect(await seatClass(page, seats[7] as string)).toContain('selected');
    await page.click(`.other-holds li[data-hold-id="${second}"] button.adopt-other`);
    await page.waitForSelector('form.pay');
    expect(await page.locator('.held-seats li').allTextContents()).toEqual(['Orchestra, row A, seat 2', 'Orchestra, row A, seat 3']);
    expect(await seatClass(page, seats[7] as string)).not.toContain('selected');
    expect(await page.locator('.other-holds').count()).toBe(0);
    await pay(page);
    expect(await page.locator('[data-ticket-code]').count()).toBe(2);

    // Two more made elsewhere, seen on the next visit; the older one released on another device
    // meanwhile leaves the list as the live stream tells of its seat.
    const elsewhere = await holdOf([seats[4] as string]);
    await holdOf([seats[5] as string]);
    await page.reload();
    await page.waitForSelector(`.other-holds li[data-hold-id="${elsewhere}"]`);
    expect(await seatClass(page, seats[4] as string)).toContain('mine');
    expect((await send('DELETE', `/api/holds/${elsewhere}`, sam)).status).toBe(204);
    await page.waitForSelector('.other-holds', { state: 'detached' });
    await expect.poll(() => seatClass(page, seats[4] as string), { timeout: STEP_TIMEOUT_MS }).not.toContain('mine');
    expect(await page.locator('.held-seats li').allTextContents()).toEqual(['Orchestra, row A, seat 6']);
    await page.close();
  });

  it('lists a hold made in another tab at once, drops it when that tab ends it, and finds another device\'s when the page comes back into view', async () => {
    const { eventId, seats } = await freshEvent();
    const tabs = await browser.newContext();
    const otherTab = await openEvent(eventId, 'vera', 'buyer', undefined, tabs);
    // This tab hears of the other tab's holds from that tab itself: its live stream ends after the
    // snapshot and is not tried again for an hour, so no seat is seen held here.
    const page = await tabs.newPage();
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    const snapshot = (await send('GET', `/api/availability/${eventId}`)).body;
    await page.route(`**/api/availability/${eventId}/stream`, (route) =>
      route.fulfill({
        status: 200,
        headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' },
        body: `retry: 3600000\n\nevent: snapshot\nid: ${snapshot['seq'] ?? 0}\ndata: ${JSON.stringify(snapshot)}\n\n`,
      }),
    );
    await page.goto(`${test.gateway}/#/events/${eventId}`);
    await page.waitForSelector('[data-live-status=reconnecting]');
    await hold(otherTab, [seats[0] as string, seats[1] as string]);
    await page.waitForSelector('.other-holds li');
    expect(await page.locator('.other-holds li').allTextContents()).toEqual([expect.stringMatching(/^Orchestra, row A, seat 1; Orchestra, row A, seat 2 · /)]);
    expect(await seatClass(page, seats[1] as string)).toContain('mine');
    expect(await seatClass(page, seats[1] as string)).toContain('status-available');
    // Kept past a tick of the page's one-second timer, which drops the other holds seen ended (a
    // seat not held): a hold heard of before the stream shows its seats is not taken for ended.
    await page.waitForTimeout(1_500);
    expect(await page.locator('.other-holds li').count()).toBe(1);
    // Released there: gone from here too.
    await otherTab.click('.panel button:has-text("Release seats")');
    await page.waitForSelector('.other-holds', { state: 'detached' });
    expect(await seatClass(page, seats[1] as string)).not.toContain('mine');

    // A hold made on another device: seen taken on the live map, and read as the buyer's when the
    // buyer comes back to the page.
    const made = await send('POST', '/api/holds', await test.tokenFor('vera'), { eventId, seatIds: [seats[4] as string] });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    await otherTab.waitForSelector(`circle[data-seat-id="${seats[4]}"].status-held`);
    expect(await otherTab.locator('.other-holds').count()).toBe(0);
    await otherTab.evaluate("document.dispatchEvent(new Event('visibilitychange'))");
    await otherTab.waitForSelector(`.other-holds li[data-hold-id="${made.body['holdId']}"]`);
    expect(await seatClass(otherTab, seats[4] as string)).toContain('mine');
    await tabs.close();
  });

  it('keeps a hold another tab told of while the page was reading the buyer\'s holds, and ignores news of another shape', async () => {
    const { eventId, seats } = await freshEvent();
    const tabs = await browser.newContext();
    const otherTab = await openEvent(eventId, 'wren', 'buyer', undefined, tabs);
    // This tab's read of the buyer's holds is answered as it was before the other tab held, and
    // only once that tab has told of its hold.
    const told = gate();
    const page = await openEvent(
      eventId,
      'wren',
      'buyer',
      (p) =>
        p.route(`**/api/holds?eventId=${eventId}`, async (route) => {
          const before = await route.fetch();
          await told.passed;
          await route.fulfill({ response: before });
        }),
      tabs,
    );
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    // News of another shape (a tab of another build): nothing listed, nothing thrown.
    const later = JSON.stringify(new Date(Date.now() + 600_000).toISOString());
    await otherTab.evaluate(`new BroadcastChannel('stream-seat.holds').postMessage({ kind: 'held', eventId: ${JSON.stringify(eventId)}, sub: 'wren', hold: { holdId: 'h7', status: 'ACTIVE', expiresAt: ${later} } })`);
    await hold(otherTab, [seats[2] as string]);
    await page.waitForSelector('.other-holds li');
    const read = page.waitForResponse((response) => response.url().includes(`/api/holds?eventId=${eventId}`));
    told.open();
    // The read answered without it: the hold told of is listed still (the read had replaced the list).
    await read;
    await page.waitForTimeout(500);
    expect(await page.locator('.other-holds li').count()).toBe(1);
    expect(errors).toEqual([]);
    await tabs.close();
  });

  it('ends the page\'s own hold when another tab pays for it or releases it, or another device does: its order, or "released" — not a hold to pay for', async () => {
    const { eventId, seats } = await freshEvent();
    const tabs = await browser.newContext();
    const page = await openEvent(eventId, 'nora', 'buyer', undefined, tabs);
    const otherTab = await openEvent(eventId, 'nora', 'buyer', undefined, tabs);
    // Paid for in the other tab: this one shows the order (it had offered to pay until the hold ran out).
    await hold(page, [seats[0] as string]);
    await otherTab.click('.other-holds button.adopt-other');
    await pay(otherTab);
    await page.waitForSelector('[data-ticket-code]');
    expect(await page.locator('form.pay').count()).toBe(0);
    expect(await seatClass(page, seats[0] as string)).not.toContain('mine');
    await page.click('.panel button:has-text("Buy more seats")');
    await otherTab.click('.panel button:has-text("Buy more seats")');
    // Released from the other tab's list: said so here, the seat no longer ringed as the buyer's.
    await hold(page, [seats[1] as string]);
    await otherTab.click('.other-holds button.release-other');
    await page.waitForSelector('.panel p.notice:has-text("released")');
    expect(await page.textContent('.panel p.notice')).toBe('Your hold was released (in another tab or on another device): the seats went back on sale.');
    expect(await page.locator('form.pay').count()).toBe(0);
    await expect.poll(() => seatClass(page, seats[1] as string), { timeout: STEP_TIMEOUT_MS }).not.toContain('mine');
    await tabs.close();
    // Released on another device, which no tab tells of: the live stream shows its seat back on sale.
    const alone = await openEvent(eventId, 'nora');
    await hold(alone, [seats[2] as string]);
    await alone.waitForSelector(`circle[data-seat-id="${seats[2]}"].status-held`);
    const holdId = ((await send('GET', `/api/holds?eventId=${eventId}`, await test.tokenFor('nora'))).body['items'] as Json[])[0]?.['holdId'] as string;
    expect((await send('DELETE', `/api/holds/${holdId}`, await test.tokenFor('nora'))).status).toBe(204);
    await alone.waitForSelector('.panel p.notice:has-text("released")');
    expect(await alone.locator('form.pay').count()).toBe(0);
    await alone.close();

    // Paid for on another device while the page's stream was down: the snapshot it comes back with
    // shows the seat booked (never held) — its order.
    const snapshotNow = async () => (await send('GET', `/api/availability/${eventId}`)).body;
    const back = gate();
    let streams = 0;
    const away = await openEventUnheard(eventId, 'nora', async (route) => {
      if (++streams > 1) await back.passed;
      const snapshot = await snapshotNow();
      await route.fulfill({
        status: 200,
        headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' },
        body: `retry: ${streams > 1 ? 3_600_000 : 200}\n\nevent: snapshot\nid: ${snapshot['seq'] ?? 0}\ndata: ${JSON.stringify(snapshot)}\n\n`,
      });
    });
    await hold(away, [seats[3] as string]);
    const paidId = ((await send('GET', `/api/holds?eventId=${eventId}`, await test.tokenFor('nora'))).body['items'] as Json[])[0]?.['holdId'] as string;
    expect((await send('POST', '/api/orders', await test.tokenFor('nora'), { holdId: paidId, payment: { token: 'tok_ok' } })).status).toBe(201);
    back.open();
    await away.waitForSelector('[data-ticket-code]');
    expect(await away.locator('form.pay').count()).toBe(0);
    await away.close();
  }, 90_000);

  it('on a page that has not heard: says a hold released elsewhere was released when paying for it fails, and shows the order of one paid elsewhere when releasing it', async () => {
    const { eventId, seats } = await freshEvent();
    // A page that hears nothing of it: its live stream ends after the snapshot, not tried again for an hour.
    const snapshot = (await send('GET', `/api/availability/${eventId}`)).body;
    const page = await openEventUnheard(eventId, 'ravi', (route) =>
      route.fulfill({
        status: 200,
        headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' },
        body: `retry: 3600000\n\nevent: snapshot\nid: ${snapshot['seq'] ?? 0}\ndata: ${JSON.stringify(snapshot)}\n\n`,
      }),
    );
    await hold(page, [seats[0] as string]);
    // Released from another tab or device ("Also held for you" there) while this one pays.
    const running = await send('GET', `/api/holds?eventId=${eventId}`, await test.tokenFor('ravi'));
    const holdId = (running.body['items'] as Json[])[0]?.['holdId'] as string;
    expect((await send('DELETE', `/api/holds/${holdId}`, await test.tokenFor('ravi'))).status).toBe(204);
    await page.selectOption('select[name=card]', 'tok_ok');
    await page.click('form.pay button');
    // It had said "Your hold expired", with most of its time left.
    await page.waitForSelector('.panel p.notice:has-text("released")');
    expect(await page.textContent('.panel p.notice')).toBe('Your hold was released (in another tab or on another device): the seats went back on sale.');
    // Paid for elsewhere, then "Release seats" here: its order — it had said "Released: the seats are
    // back on sale" of seats the buyer had paid for.
    await hold(page, [seats[1] as string]);
    const held = ((await send('GET', `/api/holds?eventId=${eventId}`, await test.tokenFor('ravi'))).body['items'] as Json[])[0]?.['holdId'] as string;
    expect((await send('POST', '/api/orders', await test.tokenFor('ravi'), { holdId: held, payment: { token: 'tok_ok' } })).status).toBe(201);
    await page.click('.panel button:has-text("Release seats")');
    await page.waitForSelector('[data-ticket-code]');
    expect(await page.textContent('.panel')).not.toContain('Released');
    await page.close();
  });

  it('says an event is sold out, and offers nothing to find, until a place comes back on sale; names each tier with its price', async () => {
    const layout = { name: 'Tiny Hall', sections: [{ id: 'ORCH', name: 'Orchestra', tier: 'A', rows: [{ label: 'A', seats: 2 }] }] };
    const { eventId } = await test.putOnSale(organizer, layout, { name: `Sold Out Night ${++events}`, prices: { A: 1000 } });
    const ida = await test.tokenFor('ida');
    const hold = await send('POST', '/api/holds', ida, { eventId, quantity: 2 });
    const order = await send('POST', '/api/orders', ida, { holdId: hold.body['holdId'], payment: { token: 'tok_ok' } });
    expect(order.status, JSON.stringify(order.body)).toBe(201);
    const page = await openEvent(eventId, 'jay');
    // Best available had answered "There are not 2 adjacent seats available" with none left at all.
    await page.waitForSelector('.panel [data-sold-out]');
    expect(await page.textContent('[data-announcer]')).toBe('Sold out for now: every place is held or sold.');
    expect(await page.isDisabled('form.best-available button[type=submit]')).toBe(true);
    expect(await page.locator('select[name=tier] option').allTextContents()).toEqual(['any tier', 'A · €10.00']);
    // A place back on sale: offered again.
    expect((await send('POST', `/api/orders/${order.body['orderId']}/cancel`, ida)).status).toBe(200);
    await page.waitForSelector('.panel [data-sold-out]', { state: 'detached' });
    expect(await page.isDisabled('form.best-available button[type=submit]')).toBe(false);
    await page.close();
  });

  it('clears a declined payment\'s alert when the next payment starts', async () => {
    const { eventId, seats } = await freshEvent();
    const page = await openEvent(eventId, 'sam');
    await hold(page, [seats[0] as string]);
    await page.selectOption('select[name=card]', 'tok_declined');
    await page.click('form.pay button');
    await page.waitForSelector('.panel [role=alert]:has-text("declined")');
    // The next payment is held on its way until the panel has been looked at.
    const answered = gate();
    await page.route('**/api/orders', async (route) => {
      await answered.passed;
      await route.continue();
    });
    await page.selectOption('select[name=card]', 'tok_ok');
    await page.click('form.pay button');
    await page.waitForSelector('form.pay button:has-text("Paying…")');
    // "The payment was declined" had stayed up while the approved card was being charged.
    expect(await page.locator('.panel [role=alert]').count()).toBe(0);
    answered.open();
    await page.waitForSelector('[data-ticket-code]');
    await page.close();
  });

  it('shows bought seats as sold, not held for the buyer', async () => {
    const { eventId, seats } = await freshEvent();
    const page = await openEvent(eventId, 'tess');
    const bought = [seats[0] as string, seats[1] as string];
    await hold(page, bought);
    await pay(page);
    for (const seat of bought) {
      await page.waitForSelector(`circle[data-seat-id="${seat}"][data-status="BOOKED"]`);
      // They had kept the "held for you" ring until a reload showed them sold.
      expect(await seatClass(page, seat)).not.toContain('mine');
      expect(await page.textContent(`circle[data-seat-id="${seat}"] title`)).toMatch(/, sold$/);
    }
    await page.close();
  });

  it('after paying, refuses seat clicks with the reason and leads back to choosing with "Buy more seats"', async () => {
    const { eventId, seats } = await freshEvent();
    const page = await openEvent(eventId, 'uma');
    await hold(page, [seats[0] as string]);
    await pay(page);
    // A click on a free seat had turned it "selected", with no button to hold it.
    await page.click(`circle[data-seat-id="${seats[3]}"]`);
    await page.waitForSelector('.panel .notice:has-text("Buy more seats")');
    expect(await seatClass(page, seats[3] as string)).not.toContain('selected');
    expect(await page.locator('[data-ticket-code]').count()).toBe(1);
    expect(await page.getAttribute('.panel a[href="#/orders"]', 'href')).toBe('#/orders');
    // Back to choosing: the seat is selected now, and can be held.
    await page.click('button.buy-more');
    await page.click(`circle[data-seat-id="${seats[3]}"]`);
    expect(await seatClass(page, seats[3] as string)).toContain('selected');
    expect(await page.textContent('button.hold-selected')).toBe('Hold 1 seat');
    await page.click('button.hold-selected');
    await page.waitForSelector('form.pay');
    await page.close();
  });

  it('tells an organiser that buying needs a buyer\'s sign-in, and offers no Hold button', async () => {
    const { eventId, seats } = await freshEvent();
    const page = await openEvent(eventId, 'olga', 'organizer');
    await page.waitForSelector('.panel [data-not-buyer]');
    expect(await page.textContent('.panel [data-not-buyer]')).toContain('buyer');
    // It had offered "Hold" and "Find seats", and said "Sign in as a buyer" only after the click.
    expect(await page.locator('button.hold-selected').count()).toBe(0);
    expect(await page.locator('form.best-available').count()).toBe(0);
    await page.click(`circle[data-seat-id="${seats[0]}"]`);
    expect(await seatClass(page, seats[0] as string)).not.toContain('selected');
    await page.close();
  });
});
