/**
 * A large seat map in real headless Chromium against the whole platform: past 3,000 seats the web
 * app paints the seats on a canvas under the SVG, and makes circles (buttons) only of the seats in
 * view once zoomed in, the keyboard's seat and the seats selected or held. The canvas's pixels are
 * read back and compared with the legend's colours (a seat's tier, or taken); clicks land on
 * painted seats; the keyboard walks seats that had no circle. Needs Debian's chromium, as
 * tests/e2e/web-app.e2e.test.ts does.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gate } from '../support/gate.js';
import { browserTestsEnabled } from '../support/headless-chromium.js';
import { type Box, viewBox } from '../support/seat-map-page.js';
import type { TestPlatform } from '../support/test-platform.js';
import { startWebTestPlatform, type WebTestPlatform } from '../support/web-test-platform.js';

const STEP_TIMEOUT_MS = 20_000;

/** Four blocks of 40 rows of 25 seats side by side: 4,000 seats, over the web app's 3,000. */
const rows = Array.from({ length: 40 }, (_, i) => ({ label: `R${i + 1}`, seats: 25 }));
const hallLayout = {
  name: 'Canvas Hall',
  sections: ['W', 'X', 'Y', 'Z'].map((id, i) => ({ id, name: `Block ${id}`, tier: i < 2 ? 'A' : 'B', rows })),
};

interface MapSeat {
  id: string;
  x: number;
  y: number;
  tier: string;
}

describe.runIf(browserTestsEnabled)('a seat map of thousands of seats, painted on a canvas, in headless Chromium', () => {
  let test: TestPlatform;
  let browser: Browser;
  let web: WebTestPlatform | undefined;
  let eventId: string;
  let seats: Map<string, MapSeat>;
  let otto: Record<string, string>;

  beforeAll(async () => {
    web = await startWebTestPlatform({ name: 'canvas' });
    ({ test, browser } = web);
    const organizer = await test.tokenFor('cora', 'organizer');
    otto = await test.tokenFor('otto', 'buyer');
    ({ eventId } = await test.putOnSale(organizer, hallLayout, { name: 'Canvas Night', prices: { A: 5000, B: 3000 }, maxSeatsPerOrder: 10 }));
    const seatMap = await test.send('GET', `/api/events/${eventId}/seatmap`);
    expect(seatMap.status).toBe(200);
    seats = new Map((seatMap.body['seats'] as MapSeat[]).map((s) => [s.id, s]));
    expect(seats.size).toBe(4_000);
  }, 120_000);

  afterAll(async () => {
    await web?.stop();
  });

  /** Each page's uncaught errors, checked when the test closes it (a paint runs in a later frame). */
  const pageErrors = new WeakMap<Page, string[]>();
  async function close(page: Page): Promise<void> {
    expect(pageErrors.get(page)).toEqual([]);
    await page.close();
  }

  async function openSeatMap(signInAs?: string, viewport = { width: 1280, height: 900 }): Promise<Page> {
    const page = await browser.newPage({ viewport });
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    const errors: string[] = [];
    pageErrors.set(page, errors);
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(test.gateway);
    if (signInAs) {
      await page.fill('input[name=name]', signInAs);
      await page.selectOption('select[name=role]', 'buyer');
      await page.click('form.sign-in button');
      await page.waitForSelector(`[data-signed-in="${signInAs}"]`);
    }
    await page.evaluate(`location.hash = '#/events/${eventId}'`);
    await page.waitForSelector('[data-live-status=live]');
    expect(errors).toEqual([]);
    return page;
  }

  /** Where a map point shows on the page, in CSS pixels: the viewBox fitted and centred in the SVG's box. */
  async function onScreen(page: Page, point: { x: number; y: number }): Promise<{ x: number; y: number }> {
    const view = await viewBox(page);
    const frame = (await page.locator('svg.seat-map').boundingBox()) as Box;
    const scale = Math.min(frame.width / view.width, frame.height / view.height);
    return {
      x: frame.x + (frame.width - view.width * scale) / 2 + (point.x - view.x) * scale,
      y: frame.y + (frame.height - view.height * scale) / 2 + (point.y - view.y) * scale,
    };
  }
  const seat = (id: string) => seats.get(id) as MapSeat;
  /** The canvas's own pixel (not the SVG's over it) at a page position, as `rgb(r, g, b)` or `transparent`. */
  async function canvasColourAt(page: Page, at: { x: number; y: number }): Promise<string> {
    return page.evaluate(`(() => {
      const canvas = document.querySelector('canvas.seat-canvas');
      const box = canvas.getBoundingClientRect();
      const px = Math.floor((${at.x} - box.left) * canvas.width / box.width);
      const py = Math.floor((${at.y} - box.top) * canvas.height / box.height);
      const [r, g, b, a] = canvas.getContext('2d').getImageData(px, py, 1, 1).data;
      return a === 0 ? 'transparent' : 'rgb(' + r + ', ' + g + ', ' + b + ')';
    })()`);
  }
  const seatColour = async (page: Page, id: string) => canvasColourAt(page, await onScreen(page, seat(id)));
  /** A colour the page's style sheet gives an element of the legend. */
  async function legendColour(page: Page, selector: string): Promise<string> {
    await page.waitForSelector(selector);
    return page.evaluate(`getComputedStyle(document.querySelector(${JSON.stringify(selector)})).backgroundColor`);
  }
  /** A custom property of the style sheet (`--ink`, `--mine`: #rrggbb) as the canvas reads back. */
  async function cssColour(page: Page, name: string): Promise<string> {
    const hex = (await page.evaluate(`getComputedStyle(document.documentElement).getPropertyValue(${JSON.stringify(name)}).trim()`)) as string;
    expect(hex).toMatch(/^#[0-9a-f]{6}$/);
    return `rgb(${[1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)).join(', ')})`;
  }
  const circleIds = (page: Page) => page.locator('circle[data-seat-id]').evaluateAll((circles) => circles.map((c) => c.getAttribute('data-seat-id') as string));
  const selectedSeats = (page: Page) => page.locator('circle[aria-pressed="true"]').evaluateAll((c) => c.map((s) => s.getAttribute('data-seat-id')));
  const poll = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: STEP_TIMEOUT_MS });

  it('paints every seat in its tier colour on a canvas the size of the map, and makes a circle of only the Tab stop', async () => {
    const page = await openSeatMap();
    const tierA = await legendColour(page, 'li[data-tier="A"] .swatch');
    const tierB = await legendColour(page, 'li[data-tier="B"] .swatch');
    expect(tierA).not.toBe(tierB);
    // One circle: the map's Tab stop, its first seat.
    expect(await circleIds(page)).toEqual(['W-R1-1']);
    // The canvas covers the SVG, at the screen's pixel density.
    const frame = (await page.locator('svg.seat-map').boundingBox()) as Box;
    const canvas = (await page.locator('canvas.seat-canvas').boundingBox()) as Box;
    for (const side of ['x', 'y', 'width', 'height'] as const) expect(canvas[side]).toBeCloseTo(frame[side], 1);
    // Every 97th seat, across all four blocks, in its tier's colour; between two seats of a row, nothing.
    const sample = [...seats.values()].filter((_, i) => i % 97 === 0);
    expect(new Set(sample.map((s) => s.id.split('-')[0]))).toEqual(new Set(['W', 'X', 'Y', 'Z']));
    for (const s of sample) expect(await seatColour(page, s.id), s.id).toBe(s.tier === 'A' ? tierA : tierB);
    const [a, b] = [seat('X-R20-10'), seat('X-R20-11')];
    expect(await canvasColourAt(page, await onScreen(page, { x: (a.x + b.x) / 2, y: a.y }))).toBe('transparent');
    await close(page);
  });

  it("paints another buyer's hold as taken, live, and the seat's tier colour again once released", async () => {
    const page = await openSeatMap();
    const tierB = await legendColour(page, 'li[data-tier="B"] .swatch');
    const taken = await legendColour(page, '.swatch.status-held');
    const hold = await test.send('POST', '/api/holds', otto, { eventId, seatIds: ['Y-R5-5'] });
    expect(hold.status, JSON.stringify(hold.body)).toBe(201);
    await poll(() => seatColour(page, 'Y-R5-5')).toBe(taken);
    expect(await seatColour(page, 'Y-R5-6')).toBe(tierB);
    expect((await test.send('DELETE', `/api/holds/${hold.body['holdId']}`, otto)).status).toBe(204);
    await poll(() => seatColour(page, 'Y-R5-5')).toBe(tierB);
    await close(page);
  });

  it('selects the painted seat under a click, and nothing for a click between seats', async () => {
    const page = await openSeatMap();
    const target = await onScreen(page, seat('W-R30-12'));
    const next = await onScreen(page, seat('W-R30-13'));
    const spacing = next.x - target.x;
    // Off the centre, inside the circle (0.42 of the spacing wide): that seat, not a neighbour.
    await page.mouse.click(target.x + spacing * 0.25, target.y - spacing * 0.2);
    await poll(() => selectedSeats(page)).toEqual(['W-R30-12']);
    expect(await page.getAttribute('circle[data-seat-id="W-R30-12"]', 'class')).toContain('selected');
    await poll(() => seatColour(page, 'W-R30-12')).toBe(await cssColour(page, '--ink'));
    // Half-way to the next seat: in no seat.
    await page.mouse.click(target.x + spacing * 0.5, target.y);
    await page.mouse.click(target.x, target.y);
    await poll(() => selectedSeats(page)).toEqual([]);
    await close(page);
  });

  it('names the painted seat under the mouse in its tooltip, and only while the mouse is over it', async () => {
    const page = await openSeatMap();
    const at = await onScreen(page, seat('X-R12-7'));
    await page.mouse.move(at.x, at.y);
    await poll(() => circleIds(page)).toEqual(['W-R1-1', 'X-R12-7']);
    expect(await page.textContent('circle[data-seat-id="X-R12-7"] title')).toBe('Block X, row R12, seat 7, €50.00, available');
    // The circle is where the painted seat is: the pointer is over it.
    expect(await page.evaluate(`document.elementFromPoint(${at.x}, ${at.y})?.getAttribute('data-seat-id')`)).toBe('X-R12-7');
    const next = await onScreen(page, seat('Z-R3-20'));
    await page.mouse.move(next.x, next.y);
    await poll(() => circleIds(page)).toEqual(['W-R1-1', 'Z-R3-20']);
    expect(await page.textContent('circle[data-seat-id="Z-R3-20"] title')).toBe('Block Z, row R3, seat 20, €30.00, available');
    // Off the map: no seat under the mouse, none kept for it.
    await page.mouse.move(5, 5);
    await poll(() => circleIds(page)).toEqual(['W-R1-1']);
    await close(page);
  });

  it('makes circles of the seats in view once zoomed in to fewer than 3,000, follows them live, and drops them at the whole view', async () => {
    const page = await openSeatMap();
    await page.getByRole('button', { name: 'Zoom in' }).click();
    await page.getByRole('button', { name: 'Zoom in' }).click();
    const view = await viewBox(page);
    // Every seat whose centre is in view has its circle (a few at the edge may too); no seat out of sight does.
    const inView = [...seats.values()].filter((s) => s.x >= view.x && s.x <= view.x + view.width && s.y >= view.y && s.y <= view.y + view.height);
    expect(inView.length).toBeGreaterThan(100);
    await poll(async () => (await circleIds(page)).length).toBeGreaterThanOrEqual(inView.length);
    const ids = new Set(await circleIds(page));
    for (const s of inView) expect(ids.has(s.id), s.id).toBe(true);
    const margin = 10;
    for (const id of ids) {
      if (id === 'W-R1-1') continue;
      const s = seat(id);
      expect(s.x > view.x - margin && s.x < view.x + view.width + margin && s.y > view.y - margin && s.y < view.y + view.height + margin, id).toBe(true);
    }
    // A circle made after the snapshot shows the live state too.
    const shown = (inView[Math.floor(inView.length / 2)] as MapSeat).id;
    expect(await page.getAttribute(`circle[data-seat-id="${shown}"]`, 'data-status')).toBe('AVAILABLE');
    const hold = await test.send('POST', '/api/holds', otto, { eventId, seatIds: [shown] });
    expect(hold.status).toBe(201);
    await page.waitForSelector(`circle[data-seat-id="${shown}"][data-status="HELD"]`);
    expect((await test.send('DELETE', `/api/holds/${hold.body['holdId']}`, otto)).status).toBe(204);

    await page.getByRole('button', { name: 'Fit whole venue' }).click();
    await poll(() => circleIds(page)).toEqual(['W-R1-1']);
    await close(page);
  });

  it('walks seats that had no circle with the keyboard, lets the circles it left go, and keeps the selected ones as buttons', async () => {
    const page = await openSeatMap();
    const focused = () => page.evaluate('document.activeElement?.getAttribute("data-seat-id")') as Promise<string | null>;
    await page.focus('main a[href="#/"]');
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('W-R1-1');
    for (let i = 2; i <= 6; i++) {
      await page.keyboard.press('ArrowRight');
      expect(await focused()).toBe(`W-R1-${i}`);
    }
    await page.keyboard.press('ArrowDown');
    expect(await focused()).toBe('W-R2-6');
    // Only the seat the focus is on is a circle: those it passed went.
    await poll(() => circleIds(page)).toEqual(['W-R2-6']);
    await page.keyboard.press('Enter');
    await page.keyboard.press('Control+End');
    expect(await focused()).toBe('Z-R40-25');
    await poll(() => selectedSeats(page)).toEqual(['W-R2-6']);
    await poll(async () => new Set(await circleIds(page))).toEqual(new Set(['W-R2-6', 'Z-R40-25']));
    await close(page);
  });

  it('lines the canvas up with the SVG when the map is letterboxed (a short window) and at another pixel density', async () => {
    // 420 px high: the map's max-height (75vh) leaves bars at its sides.
    const page = await openSeatMap(undefined, { width: 1280, height: 420 });
    const frame = (await page.locator('svg.seat-map').boundingBox()) as Box;
    const view = await viewBox(page);
    expect(frame.width / frame.height).toBeGreaterThan((view.width / view.height) * 1.2);
    const tierA = await legendColour(page, 'li[data-tier="A"] .swatch');
    const tierB = await legendColour(page, 'li[data-tier="B"] .swatch');
    for (const id of ['W-R1-1', 'X-R20-13', 'Z-R5-25']) expect(await seatColour(page, id), id).toBe(seat(id).tier === 'A' ? tierA : tierB);
    // Left of the first block, in the bar: nothing.
    const first = await onScreen(page, seat('W-R20-1'));
    expect(first.x - frame.x).toBeGreaterThan(20);
    expect(await canvasColourAt(page, { x: frame.x + 5, y: first.y })).toBe('transparent');
    const at = await onScreen(page, seat('Z-R5-25'));
    await page.mouse.click(at.x, at.y);
    await poll(() => selectedSeats(page)).toEqual(['Z-R5-25']);

    // Twice the pixels (the browser's zoom, another screen), the same CSS size: painted again, sharp.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Emulation.setDeviceMetricsOverride', { width: 1280, height: 420, deviceScaleFactor: 2, mobile: false });
    // What a browser's zoom sends (Chromium's emulation sends no event of its own).
    await page.evaluate(`window.dispatchEvent(new Event('resize'))`);
    await poll(() => page.evaluate(`document.querySelector('canvas.seat-canvas').width`)).toBe(Math.round(frame.width * 2));
    await poll(() => seatColour(page, 'X-R20-13')).toBe(tierA);
    await cdp.detach();
    await close(page);
  });

  it('paints nothing before the snapshot, even for a hold restored on reload', async () => {
    const page = await openSeatMap('ivy');
    const at = await onScreen(page, seat('Y-R10-10'));
    await page.mouse.click(at.x, at.y);
    await page.click('button.hold-selected');
    await page.waitForSelector('form.pay');
    // The availability stream held back: the page restores the hold with no seat's state known.
    const streamHeld = gate();
    await page.route('**/api/availability/**', async (route) => {
      await streamHeld.passed;
      await route.continue();
    });
    await page.reload();
    await page.waitForSelector('form.pay');
    expect(await page.getAttribute('.live-badge', 'data-live-status')).toBe('connecting');
    for (const id of ['Y-R10-10', 'X-R20-10', 'Z-R1-1']) expect(await seatColour(page, id), id).toBe('transparent');
    streamHeld.open();
    await page.waitForSelector('[data-live-status=live]');
    await poll(() => seatColour(page, 'Y-R10-10')).toBe(await cssColour(page, '--mine'));
    expect(await seatColour(page, 'X-R20-10')).toBe(await legendColour(page, 'li[data-tier="A"] .swatch'));
    await close(page);
  });

  it('repaints live changes seat by seat into the pixels a whole repaint gives (to antialiasing)', async () => {
    const page = await openSeatMap();
    const taken = await legendColour(page, '.swatch.status-held');
    const seatIds = ['W-R7-7', 'W-R7-8', 'X-R33-1', 'Z-R40-25'];
    const hold = await test.send('POST', '/api/holds', otto, { eventId, seatIds });
    expect(hold.status).toBe(201);
    for (const id of seatIds) await poll(() => seatColour(page, id)).toBe(taken);
    await page.evaluate(`(() => { const c = document.querySelector('canvas.seat-canvas'); window.__seatBySeat = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; })()`);
    // A zoom in and back paints the whole view again.
    await page.getByRole('button', { name: 'Zoom in' }).click();
    await page.getByRole('button', { name: 'Fit whole venue' }).click();
    await page.evaluate('new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))');
    // Per pixel, the largest difference of coverage and of colour (premultiplied), out of 255, and how many pixels differ.
    const difference = (await page.evaluate(`(() => {
      const c = document.querySelector('canvas.seat-canvas');
      const whole = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      const parts = window.__seatBySeat;
      let alpha = 0, colour = 0, pixels = 0, painted = 0;
      for (let i = 0; i < whole.length; i += 4) {
        const a = whole[i + 3], b = parts[i + 3];
        if (a > 0) painted++;
        let differs = a !== b;
        alpha = Math.max(alpha, Math.abs(a - b));
        for (let k = 0; k < 3; k++) {
          colour = Math.max(colour, Math.abs(whole[i + k] * a - parts[i + k] * b) / 255);
          differs ||= whole[i + k] !== parts[i + k];
        }
        if (differs) pixels++;
      }
      return { alpha, colour, pixels, painted };
    })()`)) as { alpha: number; colour: number; pixels: number; painted: number };
    expect(difference.painted).toBeGreaterThan(100_000);
    // Clipped to a seat's pixels, Chromium antialiases the edge of a circle a shade differently:
    // a few dozen pixels, by at most a tenth. A seat repainted wrong or left uncleared differs by far more.
    expect(difference.alpha).toBeLessThanOrEqual(26);
    expect(difference.colour).toBeLessThanOrEqual(26);
    expect(difference.pixels).toBeLessThan(200);
    expect((await test.send('DELETE', `/api/holds/${hold.body['holdId']}`, otto)).status).toBe(204);
    await close(page);
  });

  it('holds seats picked on the canvas and shows them as the buyer\'s own', async () => {
    const page = await openSeatMap('hana');
    for (const id of ['Z-R40-24', 'Z-R40-25']) {
      const at = await onScreen(page, seat(id));
      await page.mouse.click(at.x, at.y);
    }
    await poll(() => selectedSeats(page)).toEqual(['Z-R40-24', 'Z-R40-25']);
    await page.click('button.hold-selected');
    await page.waitForSelector('form.pay');
    const rgb = await cssColour(page, '--mine');
    for (const id of ['Z-R40-24', 'Z-R40-25']) {
      await poll(() => seatColour(page, id)).toBe(rgb);
      expect(await page.getAttribute(`circle[data-seat-id="${id}"]`, 'class')).toContain('mine');
      // Told by a ring as well as a colour, over the canvas too: a held seat keeps its SVG circle.
      expect(await page.evaluate(`getComputedStyle(document.querySelector('circle[data-seat-id="${id}"]')).stroke`)).not.toBe('none');
    }
    await close(page);
  });
});
