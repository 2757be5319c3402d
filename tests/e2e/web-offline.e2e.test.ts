/**
 * Tickets without a network, in real headless Chromium: the service worker keeps the app and the
 * buyer's orders as they are seen online, and when the gateway cannot be reached — a loopback
 * proxy in front of it, closed — the orders page opens from what was kept, its tickets' QR codes
 * drawn, saying it is offline. Kept per user: another buyer on the same browser is never shown
 * them, and signing out forgets them. Needs Debian's chromium (see web-app.e2e.test.ts).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { signDevToken } from '@stream-seat/platform';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserTestsEnabled } from '../support/headless-chromium.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import type { TestPlatform } from '../support/test-platform.js';
import { signInLocally, startWebTestPlatform, type WebTestPlatform } from '../support/web-test-platform.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are read field by field below
type Json = Record<string, any>;

const STEP_TIMEOUT_MS = 20_000;
/** The gateway's key for its dev tokens, this run's own: a test signs a short-lived token with it. */
const JWT_SECRET = randomBytes(24).toString('hex');
/** How long the short-lived token lasts. */
const SHORT_TOKEN_SECONDS = 10;

/**
 * The API answers the service worker keeps (not its notes on them), by path — a later page of
 * orders as `/api/orders?cursor` — sorted.
 */
const keptAnswers = (page: Page) =>
  page.evaluate(
    `caches.open('stream-seat-tickets-v1').then((cache) => cache.keys()).then((keys) => keys.map((k) => { const u = new URL(k.url); return u.pathname + (u.searchParams.has('cursor') ? '?cursor' : ''); }).filter((p) => p.startsWith('/api/')).sort())`,
  ) as Promise<string[]>;

describe.runIf(browserTestsEnabled)('tickets without a network, in headless Chromium', () => {
  let test: TestPlatform;
  let browser: Browser;
  let web: WebTestPlatform | undefined;
  /** The built app's directory: a test writes the next release's page there. */
  let webRoot: string;
  let proxy: TcpProxy;
  /** The gateway as the browser reaches it: through the proxy, which the tests cut or stall. */
  let gateway: string;
  const send = (method: string, path: string, headers: Record<string, string> = {}, body?: unknown) => test.send<Json>(method, path, headers, body);

  beforeAll(async () => {
    web = await startWebTestPlatform({ name: 'web-offline', env: { JWT_SECRET } });
    ({ test, browser, webRoot } = web);
    const target = new URL(test.gateway);
    proxy = await startTcpProxy(target.hostname, Number(target.port));
    gateway = `http://127.0.0.1:${proxy.port}`;
  }, 120_000);

  afterAll(async () => {
    await web?.stop();
    await proxy?.close();
  });


  /**
   * The app opened in a new browser context (`initScript` run in its pages first); `errors` collects
   * the page's uncaught errors.
   */
  async function openApp(initScript?: string): Promise<{ page: Page; errors: string[] }> {
    const context = await browser.newContext({ locale: 'en-US' });
    if (initScript) await context.addInitScript(initScript);
    const page = await context.newPage();
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(gateway);
    return { page, errors };
  }

  /** Until the service worker has taken `page` over (having kept the app on install). */
  const inControl = (page: Page) => expect.poll(() => page.evaluate('navigator.serviceWorker.controller !== null'), { timeout: STEP_TIMEOUT_MS }).toBe(true);

  /**
   * A new browser context signed in as `name` (nobody: undefined) on its first visit, the service worker in control
   * (having kept the app on install); `errors` collects the page's uncaught errors.
   */
  async function firstVisitAs(name: string | undefined, initScript?: string): Promise<{ page: Page; errors: string[] }> {
    const opened = await openApp(initScript);
    if (name !== undefined) await signInLocally(opened.page, name);
    await inControl(opened.page);
    return opened;
  }

  /** A new one-row hall's event on sale (`Stalls`, seats `S-A-1` …), and `buyer`'s order of `seatIds` there, through the API. */
  async function orderedAt(buyer: string, names: { hall: string; show: string }, seatIds: string[], seats = 4): Promise<{ eventId: string; order: Json }> {
    const organizer = await test.tokenFor('olga', 'organizer');
    const { eventId } = await test.putOnSale(organizer, { name: names.hall, sections: [{ id: 'S', name: 'Stalls', tier: 'A', rows: [{ label: 'A', seats }] }] }, { name: names.show, prices: { A: 1000 } });
    const token = await test.tokenFor(buyer);
    const hold = await send('POST', '/api/holds', token, { eventId, seatIds });
    const order = await send('POST', '/api/orders', token, { holdId: hold.body['holdId'], payment: { token: 'tok_ok' } });
    expect(order.status, JSON.stringify(order.body)).toBe(201);
    return { eventId, order: order.body };
  }

  it('opens the buyer\'s tickets from what was kept when the gateway cannot be reached, for that buyer only', async () => {
    const organizer = await test.tokenFor('olga', 'organizer');
    const { eventId } = await test.putOnSale(organizer, { name: 'Door Hall', sections: [{ id: 'ORCH', name: 'Orchestra', tier: 'A', rows: [{ label: 'A', seats: 6 }] }] }, { name: 'No Signal Night', prices: { A: 2500 } });
    const tia = await test.tokenFor('tia');
    const hold = await send('POST', '/api/holds', tia, { eventId, seatIds: ['ORCH-A-1', 'ORCH-A-2'] });
    const order = await send('POST', '/api/orders', tia, { holdId: hold.body['holdId'], payment: { token: 'tok_ok' } });
    expect(order.status, JSON.stringify(order.body)).toBe(201);
    const codes = (order.body['tickets'] as Json[]).map((t) => t['code'] as string);

    // The worker takes the page over, having kept the app on install: this first visit, never
    // reloaded, is all a buyer may have had (the page had been kept only by a later navigation).
    const { page, errors } = await firstVisitAs('tia');
    await page.evaluate(`location.hash = '#/orders'`);
    await page.waitForSelector('.tickets code');
    expect(await page.locator('.offline-notice').count()).toBe(0);
    // Kept: the orders, and the event and seat map that name the tickets' places — and not the
    // seat map of every event page viewed (one may be megabytes).
    const kept = () => keptAnswers(page);
    await expect.poll(kept).toEqual(['/api/events/' + eventId, `/api/events/${eventId}/seatmap`, '/api/orders']);
    const { eventId: other } = await test.putOnSale(organizer, { name: 'Other Hall', sections: [{ id: 'S', name: 'Stalls', tier: 'A', rows: [{ label: 'A', seats: 4 }] }] }, { name: 'Just Looking', prices: { A: 1000 } });
    await page.evaluate(`location.hash = '#/events/${other}'`);
    await page.waitForSelector('[data-live-status=live]');
    await page.evaluate(`location.hash = '#/orders'`);
    await page.waitForSelector('.tickets code');
    await expect.poll(kept).toEqual(['/api/events/' + eventId, `/api/events/${eventId}/seatmap`, '/api/orders']);

    // Another page of the origin, not the app's (the gateway's API docs), opened last: it must not
    // take the app's place in what was kept.
    await page.goto(`${gateway}/docs`);

    // No network: the app opens all the same, from what was kept — whatever query its address has.
    await proxy.cut();
    await page.goto(`${gateway}/?utm_source=mail#/orders`);
    await page.waitForSelector('.offline-notice');
    expect(await page.textContent('.offline-notice')).toMatch(/^No network: these are your orders as they were at .+, as this browser last saw them \(a change made elsewhere since is not shown\)\.$/);
    // Nothing to do from a copy but show it: no "Cancel order", which would only fail.
    expect(await page.locator('.order button:has-text("Cancel order")').count()).toBe(0);
    expect(await page.locator('.tickets code').allTextContents()).toEqual(expect.arrayContaining(codes));
    expect(await page.locator('svg.ticket-qr').count()).toBe(2);
    // Named as online: the event and its seat map were kept too.
    expect(await page.textContent('.order')).toContain('No Signal Night');
    expect(await page.textContent('.order')).toContain('Orchestra, row A, seat 1');

    // An order cancelled online is cancelled offline too (the kept list had shown it confirmed, its
    // tickets' codes "still admitting").
    await proxy.restore();
    // Back online: the first read may still get the copy (the network was taken as down); the
    // next go to the network.
    await expect.poll(async () => {
      await page.goto(`${gateway}/#/orders`);
      await page.waitForSelector('.order');
      return page.locator('.offline-notice').count();
    }).toBe(0);
    await page.waitForSelector('.order[data-status="CONFIRMED"]');
    page.once('dialog', (dialog) => void dialog.accept());
    await page.click('.order[data-status="CONFIRMED"] button:has-text("Cancel")');
    await page.waitForSelector('.order[data-status="CANCELLED"]');
    await expect.poll(kept).toContain('/api/orders');
    await proxy.cut();
    await page.reload();
    await page.waitForSelector('.offline-notice');
    expect(await page.getAttribute('.order', 'data-status')).toBe('CANCELLED');
    expect(await page.locator('svg.ticket-qr').count()).toBe(0);

    // Another buyer on the same browser (tia's session replaced, nothing forgotten), offline from
    // the start: nothing kept is theirs, and none of tia's tickets is shown.
    const uma = (await test.tokenFor('uma'))['authorization']?.replace(/^Bearer /, '') ?? '';
    await page.evaluate(`localStorage.setItem('stream-seat.session', ${JSON.stringify(JSON.stringify({ sub: 'uma', role: 'buyer', token: uma }))})`);
    await page.reload();
    await page.waitForSelector('[data-signed-in="uma"]');
    await page.waitForSelector('main [role=alert]:not(:empty)');
    expect(await page.textContent('main [role=alert]:not(:empty)')).toContain('did not answer');
    expect(await page.locator('.tickets code').count()).toBe(0);

    // Back online, tia signs in again and out: signing out forgets what was kept.
    await proxy.restore();
    await page.click('#account button:has-text("Sign out")');
    await page.waitForSelector('form.sign-in');
    await signInLocally(page, 'tia');
    await page.evaluate(`location.hash = '#/'`);
    await page.evaluate(`location.hash = '#/orders'`);
    await page.waitForSelector('.tickets code');
    expect(await page.evaluate(`caches.open('stream-seat-tickets-v1').then((cache) => cache.keys()).then((keys) => keys.length)`)).toBeGreaterThan(0);
    await page.click('#account button:has-text("Sign out")');
    await page.waitForSelector('form.sign-in');
    await expect.poll(() => page.evaluate(`caches.open('stream-seat-tickets-v1').then((cache) => cache.keys()).then((keys) => keys.length)`)).toBe(0);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('still opens the tickets kept for a session whose token ran out, for a day, until it signs out or someone signs in — and never for a token the gateway did not accept', async () => {
    const { eventId, order } = await orderedAt('yan', { hall: 'Late Hall', show: 'Last Train Gig' }, ['S-A-2']);
    const codes = (order['tickets'] as Json[]).map((t) => t['code'] as string);
    const { page, errors } = await firstVisitAs(undefined);
    // yan's session: a token of this gateway's, good for a few seconds.
    const token = await signDevToken(JWT_SECRET, { sub: 'yan', role: 'buyer' }, SHORT_TOKEN_SECONDS);
    const yanSession = JSON.stringify({ sub: 'yan', role: 'buyer', token });
    const signInAs = async (session: string) => {
      await page.evaluate(`localStorage.setItem('stream-seat.session', ${JSON.stringify(session)})`);
      await page.reload();
    };
    await page.evaluate(`location.hash = '#/orders'`);
    await signInAs(yanSession);
    await page.waitForSelector('.tickets code');
    await expect.poll(() => keptAnswers(page), { timeout: STEP_TIMEOUT_MS }).toEqual(['/api/events/' + eventId, `/api/events/${eventId}/seatmap`, '/api/orders']);
    const showsKeptTickets = async () => {
      await page.waitForSelector('.offline-notice');
      expect(await page.textContent('.offline-notice')).toMatch(/^Your sign-in has run out: these are your orders as they were at .+, as this browser last saw them\. Sign in \(top right\) to see them as they are now\.$/);
      expect(await page.locator('.tickets code').allTextContents()).toEqual(codes);
      expect(await page.locator('svg.ticket-qr').count()).toBe(1);
      expect(await page.textContent('.order')).toContain('Last Train Gig');
      expect(await page.textContent('.order')).toContain('Stalls, row A, seat 2');
      expect(await page.locator('.order button:has-text("Cancel order")').count()).toBe(0);
      // Signed out as far as the API goes: the sign-in form, and the way back to the kept tickets.
      expect(await page.locator('[data-signed-in]').count()).toBe(0);
      expect(await page.locator('form.sign-in').count()).toBe(1);
      expect(await page.locator('#account a[href="#/orders"]').count()).toBe(1);
    };
    const showsNoTickets = async () => {
      await page.waitForSelector('main p.notice:has-text("Sign in (top right) to see your orders."), main [role=alert]:not(:empty)');
      expect(await page.locator('.tickets code').count()).toBe(0);
    };

    // The token runs out: the session is over, and its tickets are still there — with a network …
    await expect
      .poll(
        async () => {
          await page.reload();
          await page.waitForSelector('#account form.sign-in, #account [data-signed-in]');
          return page.locator('#account [data-lapsed]').count();
        },
        { timeout: (SHORT_TOKEN_SECONDS + 10) * 1000, interval: 1_000 },
      )
      .toBe(1);
    await showsKeptTickets();
    expect(await page.evaluate(`localStorage.getItem('stream-seat.session')`)).toBeNull();
    // … and without one, at the door.
    await proxy.cut();
    try {
      await page.reload();
      await showsKeptTickets();
    } finally {
      await proxy.restore();
    }

    // Tokens naming yan that this gateway never issued — one the API refuses (401: the app ends it as
    // a session that ran out), one run out already, one offline, where nothing can refuse it — open
    // none of yan's tickets: what was kept goes only to a token the network accepted for it.
    const forged = (exp: number) => JSON.stringify({ sub: 'yan', role: 'buyer', token: `e30.${Buffer.from(JSON.stringify({ sub: 'yan', role: 'buyer', exp })).toString('base64url')}.c2ln` });
    const later = Math.floor(Date.now() / 1000) + 3600;
    for (const session of [forged(later), forged(later - 7200)]) {
      await signInAs(session);
      await showsNoTickets();
    }
    // Nor one that a public read answered 200 (the gateway reads a bad token there as anonymous):
    // only a read of the user's own orders proves a token.
    const publicRead = await page.evaluate(`fetch('/api/events/${eventId}', { headers: { authorization: 'Bearer ' + JSON.parse(${JSON.stringify(forged(later))}).token, 'x-stream-seat-keep': 'offline' } }).then((r) => r.status)`);
    expect(publicRead).toBe(200);
    await signInAs(forged(later - 7200));
    await showsNoTickets();
    await proxy.cut();
    try {
      await signInAs(forged(later));
      await showsNoTickets();
    } finally {
      await proxy.restore();
    }
    // Nothing was forgotten by them: yan's own ended session still opens the tickets.
    await signInAs(yanSession);
    await showsKeptTickets();

    // Offered for a day from when the app found the session over, not for good (a shared device).
    const keptCount = async () => (await keptAnswers(page)).length;
    await page.evaluate(`(() => { const lapsed = JSON.parse(localStorage.getItem('stream-seat.lapsed')); localStorage.setItem('stream-seat.lapsed', JSON.stringify({ ...lapsed, endedAt: Date.now() - 25 * 3600 * 1000 })); })()`);
    await page.reload();
    await page.waitForSelector('main p.notice:has-text("Sign in (top right) to see your orders.")');
    expect(await page.locator('#account a[href="#/orders"]').count()).toBe(0);
    expect(await keptCount()).toBeGreaterThan(0);

    // Its sign-out, offered beside the kept tickets, forgets them: the next person on the device finds none.
    await signInAs(yanSession);
    await showsKeptTickets();
    expect(await page.textContent('#account [data-lapsed]')).toBe('yan (sign-in ran out)');
    // Another tab showing them follows the sign-out (it had gone on showing the tickets).
    const other = await page.context().newPage();
    await other.goto(`${gateway}/#/orders`);
    await other.waitForSelector('.tickets code');
    await page.click('#account button.sign-out-lapsed');
    await other.waitForSelector('main p.notice:has-text("Sign in (top right) to see your orders.")');
    expect(await other.locator('.tickets code').count()).toBe(0);
    expect(await other.locator('#account [data-lapsed]').count()).toBe(0);
    await other.close();
    await expect.poll(() => page.locator('#account a[href="#/orders"]').count(), { timeout: STEP_TIMEOUT_MS }).toBe(0);
    await page.waitForSelector('main p.notice:has-text("Sign in (top right) to see your orders.")');
    await expect.poll(keptCount, { timeout: STEP_TIMEOUT_MS }).toBe(0);
    expect(await page.evaluate(`localStorage.getItem('stream-seat.lapsed')`)).toBeNull();

    // Someone else signing in ends the offer too.
    await signInAs(yanSession);
    await page.waitForSelector('#account [data-lapsed]');
    await signInLocally(page, 'zoe');
    expect(await page.evaluate(`localStorage.getItem('stream-seat.lapsed')`)).toBeNull();
    expect(await page.locator('#account [data-lapsed]').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('keeps a buyer\'s tickets for the door at sign-in and after an order, without My orders being opened', async () => {
    const { eventId } = await orderedAt('bo', { hall: 'Early Hall', show: 'Doors Early' }, ['S-A-1']);
    // A first visit, signed in before the service worker has taken the page over: kept once it has.
    const { page, errors } = await openApp();
    await signInLocally(page, 'bo');
    await expect.poll(() => keptAnswers(page), { timeout: STEP_TIMEOUT_MS }).toEqual(['/api/events/' + eventId, `/api/events/${eventId}/seatmap`, '/api/orders']);
    // An order placed on the event page: kept too, before any visit to My orders.
    await page.evaluate(`location.hash = '#/events/${eventId}'`);
    await page.waitForSelector('[data-live-status=live]');
    await page.click('circle[data-seat-id="S-A-3"]');
    await page.click('button.hold-selected');
    await page.waitForSelector('form.pay');
    await page.selectOption('select[name=card]', 'tok_ok');
    await page.click('form.pay button');
    await page.waitForSelector('[data-ticket-code]');
    const keptOrders = () => page.evaluate(`caches.open('stream-seat-tickets-v1').then((cache) => cache.keys().then((keys) => cache.match(keys.find((k) => new URL(k.url).pathname === '/api/orders')))).then((r) => r ? r.json() : { items: [] }).then((body) => body.items.length)`);
    await expect.poll(keptOrders, { timeout: STEP_TIMEOUT_MS }).toBe(2);
    // At the door, no network: both orders' tickets, named.
    await proxy.cut();
    try {
      await page.evaluate(`location.hash = '#/orders'`);
      await page.waitForSelector('.offline-notice');
      expect(await page.locator('svg.ticket-qr').count()).toBe(2);
      expect(await page.textContent('main')).toContain('Stalls, row A, seat 3');
    } finally {
      await proxy.restore();
    }
    expect(errors).toEqual([]);
    await page.context().close();

    // A session begun before the page (an identity provider's return, an earlier visit) — no
    // sign-in on this page at all: kept at start-up.
    const { page: later } = await firstVisitAs(undefined);
    const token = (await test.tokenFor('bo'))['authorization']?.replace(/^Bearer /, '') ?? '';
    await later.evaluate(`localStorage.setItem('stream-seat.session', ${JSON.stringify(JSON.stringify({ sub: 'bo', role: 'buyer', token }))})`);
    await later.reload();
    await expect.poll(() => keptAnswers(later), { timeout: STEP_TIMEOUT_MS }).toEqual(['/api/events/' + eventId, `/api/events/${eventId}/seatmap`, '/api/orders']);
    await later.context().close();
  });

  it('keeps a running session by the server\'s clock learnt earlier when the page opens without a network, on a browser hours fast', async () => {
    await orderedAt('cy', { hall: 'Fast Clock Hall', show: 'Fast Clock Night' }, ['S-A-4']);
    // 13 hours fast: past the end of the 12-hour token the moment it is issued.
    const { page } = await firstVisitAs('cy', '{ const realNow = Date.now.bind(Date); Date.now = () => realNow() + 13 * 3_600_000; }');
    await page.evaluate(`location.hash = '#/orders'`);
    await page.waitForSelector('.tickets code');
    await expect.poll(() => keptAnswers(page), { timeout: STEP_TIMEOUT_MS }).toContain('/api/orders');
    // Opened without a network, nothing to learn the server's time from: the session runs on (it
    // had been taken as over, its tickets offered as a session's that ran out, and the session
    // gone once the network was back).
    await proxy.cut();
    try {
      await page.reload();
      await page.waitForSelector('.offline-notice');
      expect(await page.textContent('.offline-notice')).toMatch(/^No network: /);
      expect(await page.locator('[data-signed-in="cy"]').count()).toBe(1);
    } finally {
      await proxy.restore();
    }
    await page.reload();
    await page.waitForSelector('.tickets code');
    expect(await page.locator('[data-signed-in="cy"]').count()).toBe(1);
    await page.context().close();
  });

  it('forgets the kept pages, events and seat maps that the buyer\'s kept orders no longer name, and nobody else\'s', async () => {
    const organizer = await test.tokenFor('olga', 'organizer');
    const hall = (name: string, seats: number) => ({ name, sections: [{ id: 'S', name: 'Stalls', tier: 'A', rows: [{ label: 'A', seats }] }] });
    const { eventId: older } = await test.putOnSale(organizer, hall('Trim Hall', 4), { name: 'Trim Night', prices: { A: 1000 } });
    const { eventId: newer } = await test.putOnSale(organizer, hall('Trim Hall Two', 20), { name: 'Trim Night Two', prices: { A: 1000 } });
    const ada = await test.tokenFor('ada');
    const buy = async (eventId: string, seatId: string) => {
      const hold = await send('POST', '/api/holds', ada, { eventId, seatIds: [seatId] });
      expect((await send('POST', '/api/orders', ada, { holdId: hold.body['holdId'], payment: { token: 'tok_ok' } })).status).toBe(201);
    };
    // The oldest order, of the first event, is on the second page of orders (20 a page).
    await buy(older, 'S-A-1');
    for (let seat = 1; seat <= 20; seat++) await buy(newer, `S-A-${seat}`);
    const { page, errors } = await firstVisitAs('ada');
    await page.evaluate(`location.hash = '#/orders'`);
    await page.waitForSelector('.tickets code');
    await page.click('button.more-orders');
    await page.waitForSelector(`.order-event a[href="#/events/${older}"]`);
    const kept = () => keptAnswers(page);
    const named = [`/api/events/${older}`, `/api/events/${older}/seatmap`, `/api/events/${newer}`, `/api/events/${newer}/seatmap`, '/api/orders', '/api/orders?cursor'];
    await expect.poll(kept, { timeout: STEP_TIMEOUT_MS }).toEqual([...named].sort());
    // What an earlier visit kept: an event ada's orders named then, its seat map, and a second page
    // of orders from before newer orders moved the pages' bounds — and another user's kept event.
    await page.evaluate(`(async () => {
      const userKey = async (sub) => [...new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode('sub:' + sub))).slice(0, 16)].map((b) => b.toString(16).padStart(2, '0')).join('');
      const cache = await caches.open('stream-seat-tickets-v1');
      const json = (body) => new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } });
      const ada = await userKey('ada');
      await cache.put('/api/events/long-gone?__user=' + ada, json({ id: 'long-gone' }));
      await cache.put('/api/events/long-gone/seatmap?__user=' + ada, json({ seats: [] }));
      await cache.put('/api/orders?cursor=old-bound&__user=' + ada, json({ items: [{ eventId: 'long-gone' }], nextCursor: null }));
      await cache.put('/api/events/bea-s-event?__user=' + (await userKey('bea')), json({ id: 'bea-s-event' }));
    })()`);
    expect(await kept()).toContain('/api/events/long-gone/seatmap');
    // The next visit to the orders page, online: what no kept order names is forgotten; the second
    // page the first one leads to stays, with the event only it names, and the other user's too.
    await page.reload();
    await page.waitForSelector('.tickets code');
    await expect.poll(kept, { timeout: STEP_TIMEOUT_MS }).toEqual([...named, '/api/events/bea-s-event'].sort());
    expect(errors).toEqual([]);
    await page.context().close();

    // Another browser, where ada signs in and never opens My orders: the later page is kept with the
    // first (tonight's ticket may have been bought weeks ago), and "More orders" opens offline.
    const { page: fresh } = await firstVisitAs(undefined);
    await signInLocally(fresh, 'ada');
    await expect.poll(() => keptAnswers(fresh), { timeout: STEP_TIMEOUT_MS }).toEqual([...named].sort());
    await proxy.cut();
    try {
      await fresh.evaluate(`location.hash = '#/orders'`);
      await fresh.waitForSelector('.offline-notice');
      await fresh.click('button.more-orders');
      await fresh.waitForSelector(`.order-event a[href="#/events/${older}"]`);
      expect(await fresh.locator('svg.ticket-qr').count()).toBe(21);
    } finally {
      await proxy.restore();
    }
    await fresh.context().close();
  });

  it('forgets the files of an earlier release once a new release\'s page is kept, and keeps the new one\'s', async () => {
    const { page } = await firstVisitAs('xia');
    const kept = () => page.evaluate(`caches.open('stream-seat-shell-v1').then((cache) => cache.keys()).then((keys) => keys.map((k) => new URL(k.url).pathname).sort())`) as Promise<string[]>;
    // A file of an earlier release, as if kept then.
    await page.evaluate(`caches.open('stream-seat-shell-v1').then((cache) => cache.put('/assets/main-OLDRELEASE.js', new Response('old')))`);
    expect(await kept()).toContain('/assets/main-OLDRELEASE.js');
    // A new release: its page is another (here, the same files and one more line).
    const index = join(webRoot, 'index.html');
    const before = readFileSync(index, 'utf8');
    writeFileSync(index, before.replace('</body>', '<!-- the next release --></body>'));
    rmSync(`${index}.br`, { force: true });
    rmSync(`${index}.gz`, { force: true });
    await page.reload();
    await expect.poll(kept).not.toContain('/assets/main-OLDRELEASE.js');
    const files = await kept();
    // The new page's files stay: its script, its style, and the chunk its script loads later.
    for (const file of before.match(/\/assets\/[^"]+/g) ?? []) expect(files).toContain(file);
    expect(files.some((file) => /\/assets\/jsQR-.+\.js$/.test(file))).toBe(true);
    await page.context().close();
  });

  it('serves what was kept when the network takes the connection and never answers (one bar at the door)', async () => {
    await orderedAt('wes', { hall: 'Stall Hall', show: 'One Bar Night' }, ['S-A-1']);
    const { page } = await firstVisitAs('wes');
    await page.evaluate(`location.hash = '#/orders'`);
    await page.waitForSelector('.tickets code');
    await expect.poll(() => page.evaluate(`caches.open('stream-seat-tickets-v1').then((cache) => cache.keys()).then((keys) => keys.some((k) => new URL(k.url).pathname === '/api/orders'))`)).toBe(true);
    // The gateway's connections are taken and never answered: it had waited for the page's own
    // 35 s bound, then said "The server did not answer".
    proxy.stall();
    try {
      await page.reload();
      await page.waitForSelector('.offline-notice');
      expect(await page.locator('.tickets code').count()).toBe(1);
    } finally {
      await proxy.restore();
      await page.context().close();
    }
  });

  it('never shows offline, as confirmed, an order cancelled online on a later page of the list', async () => {
    const organizer = await test.tokenFor('olga', 'organizer');
    const { eventId } = await test.putOnSale(organizer, { name: 'Long Hall', sections: [{ id: 'S', name: 'Stalls', tier: 'A', rows: [{ label: 'A', seats: 25 }] }] }, { name: 'Many Orders Night', prices: { A: 1000 } });
    const vic = await test.tokenFor('vic');
    const orderIds: string[] = [];
    // 21 orders: the first one made is on the second page (20 a page, newest first).
    for (let n = 1; n <= 21; n++) {
      const hold = await send('POST', '/api/holds', vic, { eventId, seatIds: [`S-A-${n}`] });
      const order = await send('POST', '/api/orders', vic, { holdId: hold.body['holdId'], payment: { token: 'tok_ok' } });
      expect(order.status, JSON.stringify(order.body)).toBe(201);
      orderIds.push(order.body['orderId'] as string);
    }
    const oldest = `.order[data-order-id="${orderIds[0]}"]`;
    const { page } = await firstVisitAs('vic');
    await page.evaluate(`location.hash = '#/orders'`);
    await page.click('button.more-orders');
    await page.waitForSelector(`${oldest}[data-status="CONFIRMED"]`);
    page.once('dialog', (dialog) => void dialog.accept());
    await page.click(`${oldest} button:has-text("Cancel")`);
    await page.waitForSelector(`${oldest}[data-status="CANCELLED"]`);

    await proxy.cut();
    try {
      await page.reload();
      await page.waitForSelector('.offline-notice');
      await page.click('button.more-orders');
      // The second page kept before the cancel is forgotten with it: offline it is not there to show.
      await page.waitForSelector(`${oldest}, .orders ~ [role=alert]:not(:empty)`);
      expect(await page.locator(`${oldest}[data-status="CONFIRMED"]`).count()).toBe(0);
    } finally {
      await proxy.restore();
      await page.context().close();
    }
  });
});
