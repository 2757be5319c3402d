/**
 * Zoom and pan on the web app's seat map, in real headless Chromium against the whole platform: a
 * venue of a few thousand seats, zoomed with the buttons, the wheel and the keys (only the SVG's
 * viewBox changes), dragged with a mouse and a finger, clicked, and followed by the keyboard focus.
 * Needs Debian's chromium, as tests/e2e/web-app.e2e.test.ts does.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserTestsEnabled } from '../support/headless-chromium.js';
import { type Box, viewBox } from '../support/seat-map-page.js';
import type { TestPlatform } from '../support/test-platform.js';
import { startWebTestPlatform, type WebTestPlatform } from '../support/web-test-platform.js';

const STEP_TIMEOUT_MS = 20_000;

/** Three blocks of 30 rows of 30 seats side by side: each seat a few pixels wide when shown whole. */
const rows = Array.from({ length: 30 }, (_, i) => ({ label: `R${i + 1}`, seats: 30 }));
const arenaLayout = {
  name: 'Zoom Arena',
  sections: [
    { id: 'LEFT', name: 'Left', tier: 'A', rows },
    { id: 'MID', name: 'Middle', tier: 'A', rows },
    { id: 'RIGHT', name: 'Right', tier: 'B', rows },
  ],
};

describe.runIf(browserTestsEnabled)('zooming and panning the seat map in headless Chromium', () => {
  let test: TestPlatform;
  let browser: Browser;
  let web: WebTestPlatform | undefined;
  let eventId: string;

  beforeAll(async () => {
    web = await startWebTestPlatform({ name: 'zoom' });
    ({ test, browser } = web);
    const organizer = await test.tokenFor('zelda', 'organizer');
    ({ eventId } = await test.putOnSale(organizer, arenaLayout, { name: 'Zoom Night', prices: { A: 5000, B: 3000 } }));
  }, 120_000);

  afterAll(async () => {
    await web?.stop();
  });

  async function openSeatMap(viewport = { width: 1280, height: 900 }): Promise<Page> {
    const page = await browser.newPage({ viewport });
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${test.gateway}/#/events/${eventId}`);
    await page.waitForSelector('[data-live-status=live]');
    expect(errors).toEqual([]);
    return page;
  }

  /** Where a seat is drawn on the page, in CSS pixels. */
  const seatBox = async (page: Page, seatId: string): Promise<Box> => {
    const box = await page.locator(`circle[data-seat-id="${seatId}"]`).boundingBox();
    if (!box) throw new Error(`${seatId} is not drawn`);
    return box;
  };
  const centre = (box: Box) => ({ x: box.x + box.width / 2, y: box.y + box.height / 2 });
  /** Whether the seat is drawn inside the map's frame, where the buyer sees it. */
  const inSight = async (page: Page, seatId: string) => {
    const frame = await page.locator('svg.seat-map').boundingBox();
    const seat = await seatBox(page, seatId);
    return !!frame && seat.x >= frame.x && seat.y >= frame.y && seat.x + seat.width <= frame.x + frame.width && seat.y + seat.height <= frame.y + frame.height;
  };
  const selectedSeats = (page: Page) => page.locator('circle[aria-pressed="true"]').evaluateAll((seats) => seats.map((s) => s.getAttribute('data-seat-id')));
  const poll = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: STEP_TIMEOUT_MS });

  it('zooms in and out with the buttons by changing the viewBox, and "Fit whole venue" shows it all again', async () => {
    const page = await openSeatMap();
    const whole = await viewBox(page);
    const seatBefore = await seatBox(page, 'MID-R15-15');

    await page.getByRole('button', { name: 'Zoom in' }).click();
    await poll(async () => (await viewBox(page)).width).toBeCloseTo(whole.width / 2, 0);
    // The seats are drawn bigger: twice as wide (not blurred by a CSS scale, as the viewBox redraws them).
    expect((await seatBox(page, 'MID-R15-15')).width).toBeCloseTo(seatBefore.width * 2, 0);
    // (A string: it runs in the page, whose DOM types this Node project lacks.)
    expect(await page.evaluate(`getComputedStyle(document.querySelector('svg.seat-map')).transform`)).toBe('none');

    await page.getByRole('button', { name: 'Zoom in' }).click();
    await poll(async () => (await viewBox(page)).width).toBeCloseTo(whole.width / 4, 0);
    await page.getByRole('button', { name: 'Zoom out' }).click();
    await poll(async () => (await viewBox(page)).width).toBeCloseTo(whole.width / 2, 0);
    await page.getByRole('button', { name: 'Zoom in' }).click();
    await poll(async () => (await viewBox(page)).width).toBeCloseTo(whole.width / 4, 0);

    // Back to the whole venue in one step, from wherever the view was.
    await page.getByRole('button', { name: 'Fit whole venue' }).click();
    await poll(() => viewBox(page)).toEqual(whole);
    // Never further out than the whole venue.
    await page.getByRole('button', { name: 'Zoom out' }).click();
    expect(await viewBox(page)).toEqual(whole);
    await page.close();
  });

  it('zooms around the pointer with the wheel: the seat under it stays under it', async () => {
    const page = await openSeatMap();
    const whole = await viewBox(page);
    const pointer = centre(await seatBox(page, 'LEFT-R20-10'));
    const widthBefore = (await seatBox(page, 'LEFT-R20-10')).width;
    await page.mouse.move(pointer.x, pointer.y);
    await page.mouse.wheel(0, -500);
    await poll(async () => (await viewBox(page)).width).toBeLessThan(whole.width * 0.6);

    const after = await seatBox(page, 'LEFT-R20-10');
    expect(after.width).toBeGreaterThan(widthBefore * 1.6);
    expect(Math.abs(centre(after).x - pointer.x)).toBeLessThanOrEqual(1.5);
    expect(Math.abs(centre(after).y - pointer.y)).toBeLessThanOrEqual(1.5);
    // The page itself did not scroll.
    expect(await page.evaluate('window.scrollY')).toBe(0);
    await page.close();
  });

  it('pans when dragged, and a drag that ends on a seat selects nothing', async () => {
    const page = await openSeatMap();
    await page.getByRole('button', { name: 'Zoom in' }).click();
    await page.getByRole('button', { name: 'Zoom in' }).click();
    await poll(async () => (await viewBox(page)).width).toBeLessThan(1_000);
    const before = await viewBox(page);
    const from = centre(await seatBox(page, 'MID-R15-15'));

    // Leftwards and up by about six seats, then back onto the seat the drag started on.
    await page.mouse.move(from.x, from.y);
    await page.mouse.down();
    await page.mouse.move(from.x - 150, from.y - 80, { steps: 8 });
    const dragged = await viewBox(page);
    expect(dragged.x).toBeGreaterThan(before.x);
    expect(dragged.y).toBeGreaterThan(before.y);
    const end = centre(await seatBox(page, 'MID-R15-15'));
    await page.mouse.move(end.x, end.y, { steps: 4 });
    await page.mouse.up();
    expect(await selectedSeats(page)).toEqual([]);
    // The map moved with the pointer: the seat followed it.
    expect(Math.abs(end.x - (from.x - 150))).toBeLessThanOrEqual(2);
    expect(Math.abs(end.y - (from.y - 80))).toBeLessThanOrEqual(2);
    await page.close();
  });

  it('pans with a finger on a touch screen, as far as the finger goes, and a tap selects a seat', async () => {
    const context = await browser.newContext({ viewport: { width: 400, height: 800 }, hasTouch: true, isMobile: true });
    const page = await context.newPage();
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    await page.goto(`${test.gateway}/#/events/${eventId}`);
    await page.waitForSelector('[data-live-status=live]');
    await page.getByRole('button', { name: 'Zoom in' }).tap();
    await page.getByRole('button', { name: 'Zoom in' }).tap();
    await poll(async () => (await viewBox(page)).width).toBeLessThan(300);
    // Zoomed in on a touch screen, the map takes a finger's drag instead of the page (the rule is
    // for touch screens alone: with a mouse, changing it would restyle every seat on each zoom).
    expect(await page.evaluate(`getComputedStyle(document.querySelector('svg.seat-map')).touchAction`)).toBe('pinch-zoom');
    const before = await viewBox(page);
    const frame = await page.locator('svg.seat-map').boundingBox();
    if (!frame) throw new Error('no seat map');
    const unitsPerPixel = before.width / frame.width;

    // A finger drawn 80 px left and 60 px up, in small steps as a real one moves. Were the page to
    // take the gesture for a scroll, the map would stop following after the first steps.
    const cdp = await context.newCDPSession(page);
    const start = { x: frame.x + frame.width / 2, y: frame.y + frame.height / 2 };
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [start] });
    for (let i = 1; i <= 10; i++) {
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [{ x: start.x - 8 * i, y: start.y - 6 * i }] });
    }
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
    await poll(async () => (await viewBox(page)).x - before.x).toBeCloseTo(80 * unitsPerPixel, 0);
    expect((await viewBox(page)).y - before.y).toBeCloseTo(60 * unitsPerPixel, 0);
    expect(await selectedSeats(page)).toEqual([]);

    // A finger lifted and put down again, as a hand does: Chromium swallows a tap that comes within
    // a few milliseconds of a drag's end.
    await page.waitForTimeout(300);
    const seat = await seatBox(page, 'MID-R12-14');
    await page.touchscreen.tap(seat.x + seat.width / 2, seat.y + seat.height / 2);
    await poll(() => selectedSeats(page)).toEqual(['MID-R12-14']);
    await context.close();
  });

  it('selects the seat under the pointer with a plain click when zoomed in', async () => {
    const page = await openSeatMap();
    for (let i = 0; i < 3; i++) await page.getByRole('button', { name: 'Zoom in' }).click();
    await poll(async () => (await viewBox(page)).width).toBeLessThan(500);
    expect(await inSight(page, 'MID-R12-14')).toBe(true);
    const seat = await seatBox(page, 'MID-R12-14');
    expect(seat.width).toBeGreaterThan(20);
    // Off its centre, but inside the circle: the seat the buyer points at, not a neighbour.
    await page.mouse.click(seat.x + seat.width * 0.7, seat.y + seat.height * 0.3);
    await poll(() => selectedSeats(page)).toEqual(['MID-R12-14']);

    // A seat near the edge of the view: selected, and the view stays where the buyer put it.
    const view = await viewBox(page);
    expect(await inSight(page, 'MID-R11-14')).toBe(true);
    await page.locator('circle[data-seat-id="MID-R11-14"]').click();
    await poll(() => selectedSeats(page)).toEqual(['MID-R11-14', 'MID-R12-14']);
    expect(await viewBox(page)).toEqual(view);
    await page.close();
  });

  it('zooms with + - and 0 on the map, and follows the keyboard focus to a seat out of view', async () => {
    // A window a little shorter than the page, the whole map in it: the page could scroll.
    const page = await openSeatMap({ width: 1280, height: 600 });
    const whole = await viewBox(page);
    const focused = () => page.evaluate('document.activeElement?.getAttribute("data-seat-id")') as Promise<string | null>;
    for (let i = 0; i < 3; i++) await page.getByRole('button', { name: 'Zoom in' }).click();
    await poll(async () => (await viewBox(page)).width).toBeLessThan(whole.width / 4);

    // Tab into the map from the page's first control: the focus goes to the map's Tab stop, its
    // first seat, out of this view at the left end of the venue; the view follows it there.
    expect(await inSight(page, 'LEFT-R1-1')).toBe(false);
    const zoomed = await viewBox(page);
    await page.focus('main a[href="#/"]');
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('LEFT-R1-1');
    await poll(() => inSight(page, 'LEFT-R1-1')).toBe(true);
    expect((await viewBox(page)).x).toBeLessThan(zoomed.x);

    // End: the row's other end, 290 units away, wider than the view.
    expect(await inSight(page, 'LEFT-R1-30')).toBe(false);
    const beforeEnd = await viewBox(page);
    await page.keyboard.press('End');
    expect(await focused()).toBe('LEFT-R1-30');
    await poll(() => inSight(page, 'LEFT-R1-30')).toBe(true);
    expect((await viewBox(page)).x).toBeGreaterThan(beforeEnd.x);
    expect((await viewBox(page)).width).toBeCloseTo(beforeEnd.width, 1);

    // Ctrl+End to the map's last seat, far below this view: the view follows it, and the page does
    // not scroll (the seat comes into the map before it takes the focus).
    expect(await page.evaluate('document.documentElement.scrollHeight > innerHeight')).toBe(true);
    const scrolled = await page.evaluate('window.scrollY');
    await page.keyboard.press('Control+End');
    expect(await focused()).toBe('RIGHT-R30-30');
    await poll(() => inSight(page, 'RIGHT-R30-30')).toBe(true);
    expect(await page.evaluate('window.scrollY')).toBe(scrolled);

    // Keys on the focused seat: - zooms out around it, + back in, 0 shows the whole venue.
    await page.keyboard.press('-');
    await poll(async () => (await viewBox(page)).width).toBeCloseTo(beforeEnd.width * 2, 0);
    expect(await inSight(page, 'RIGHT-R30-30')).toBe(true);
    await page.keyboard.press('+');
    await poll(async () => (await viewBox(page)).width).toBeCloseTo(beforeEnd.width, 0);
    await page.keyboard.press('0');
    await poll(() => viewBox(page)).toEqual(whole);
    expect(await focused()).toBe('RIGHT-R30-30');
    await page.close();
  });
});
