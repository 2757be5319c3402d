/**
 * The organiser's console in real headless Chromium, served by the gateway of the whole platform:
 * a venue built from sections of rows and standing places, an event drafted on it with prices
 * typed in the currency's own unit and times in the organiser's zone, the draft changed, put on
 * sale, its sales counted; a draft cancelled; what the API refuses marked on the field it names.
 * Needs Debian's chromium (see web-app.e2e.test.ts).
 */
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserTestsEnabled, launchChromium } from '../support/headless-chromium.js';
import { writeQrVideo } from '../support/qr-video.js';
import type { TestPlatform } from '../support/test-platform.js';
import { signInLocally, startWebTestPlatform, type WebTestPlatform } from '../support/web-test-platform.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are read field by field below
type Json = Record<string, any>;

const STEP_TIMEOUT_MS = 20_000;
/** The organiser's browser is in New York: times typed there are 5 hours behind UTC in December. */
const ZONE = 'America/New_York';

describe.runIf(browserTestsEnabled)('the organiser\'s console in headless Chromium', () => {
  let test: TestPlatform;
  let browser: Browser;
  let web: WebTestPlatform | undefined;
  /** The built app's directory: the camera's video is written there. */
  let webRoot: string;
  const send = (method: string, path: string, headers: Record<string, string> = {}, body?: unknown) => test.send<Json>(method, path, headers, body);

  beforeAll(async () => {
    web = await startWebTestPlatform({ name: 'web-organizer' });
    ({ test, browser, webRoot } = web);
  }, 120_000);

  afterAll(async () => {
    await web?.stop();
  });

  /** The console, signed in as organiser `name`, in a browser set to ZONE; `errors` collects the page's uncaught errors. */
  async function openConsole(name: string, viewport?: { width: number; height: number }): Promise<{ page: Page; errors: string[] }> {
    const context = await browser.newContext({ timezoneId: ZONE, locale: 'en-US', ...(viewport ? { viewport } : {}) });
    const page = await context.newPage();
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(test.gateway);
    await signInLocally(page, name, 'organizer');
    await page.click('a[href="#/organizer"]');
    await page.waitForSelector('.my-venues ul.venue-list, .my-venues p.muted:has-text("no venues")');
    return { page, errors };
  }

  /** A venue made in the builder: a seated section and a standing one; its id. */
  async function buildVenue(page: Page, name: string): Promise<string> {
    await page.click('button.new-venue');
    await page.fill('input[name=venue-name]', name);
    await page.fill('input[name=venue-city]', 'Brooklyn');
    await page.fill('.venue-section >> nth=0 >> input[name=section-name]', 'Stalls');
    await page.fill('.venue-section >> nth=0 >> input[name=section-tier]', 'A');
    await page.fill('.venue-section >> nth=0 >> input[name=section-rows]', '2');
    await page.fill('.venue-section >> nth=0 >> input[name=section-seats]', '5');
    await page.click('.venue-editor button:has-text("Add section")');
    await page.fill('.venue-section >> nth=1 >> input[name=section-name]', 'Pit');
    await page.fill('.venue-section >> nth=1 >> input[name=section-tier]', 'GA');
    await page.selectOption('.venue-section >> nth=1 >> select[name=section-kind]', 'standing');
    await page.fill('.venue-section >> nth=1 >> input[name=section-capacity]', '20');
    expect(await page.textContent('.venue-editor [aria-live]')).toBe('30 places');
    await page.click('.venue-editor button[type=submit]');
    const card = page.locator('li.venue-card', { hasText: name });
    await card.waitFor();
    expect(await card.textContent()).toContain('Brooklyn · 30 places · tiers A, GA');
    return (await card.getAttribute('data-venue-id')) ?? '';
  }

  /**
   * A show of `organizer`'s put on sale ("<name> Hall", one row of four in the Orchestra) and the
   * ticket `buyer` bought for `seat`: the show's id and the ticket's code.
   */
  async function ticketOfNewShow(organizer: string, name: string, buyer: string, seat: string): Promise<{ eventId: string; code: string }> {
    const layout = { name: `${name} Hall`, sections: [{ id: 'ORCH', name: 'Orchestra', tier: 'A', rows: [{ label: 'A', seats: 4 }] }] };
    const { eventId } = await test.putOnSale(await test.tokenFor(organizer, 'organizer'), layout, { name: `${name} Night`, prices: { A: 1000 } });
    const buying = await test.tokenFor(buyer);
    const hold = await send('POST', '/api/holds', buying, { eventId, seatIds: [seat] });
    const order = await send('POST', '/api/orders', buying, { holdId: hold.body['holdId'], payment: { token: 'tok_ok' } });
    expect(order.status, JSON.stringify(order.body)).toBe(201);
    return { eventId, code: order.body['tickets'][0]['code'] as string };
  }

  /** Opens "New event" and types a name, a start (the field's local time), a currency and prices by tier. */
  async function fillNewEvent(page: Page, event: { name: string; starts: string; currency?: string; prices?: Record<string, string> }): Promise<void> {
    await page.click('button.new-event');
    await page.fill('input[name=event-name]', event.name);
    await page.fill('input[name=event-starts]', event.starts);
    if (event.currency) await page.selectOption('select[name=event-currency]', event.currency);
    for (const [tier, price] of Object.entries(event.prices ?? {})) await page.fill(`input[name=price-${tier}]`, price);
  }

  it('builds a venue, drafts an event on it, changes the draft, puts it on sale and counts its sales', async () => {
    const { page, errors } = await openConsole('olga');
    const organizer = await test.tokenFor('olga', 'organizer');
    const venueId = await buildVenue(page, 'Console Hall');
    const venue = (await send('GET', `/api/venues/${venueId}`, organizer)).body;
    expect(venue['seatMap']['sections'].map((s: Json) => [s['id'], s['kind'], s['capacity']])).toEqual([['STALLS', 'seated', 10], ['PIT', 'general', 20]]);
    expect(venue['seatMap']['seats'].filter((s: Json) => s['section'] === 'STALLS').map((s: Json) => s['id']).slice(0, 6)).toEqual(['STALLS-A-1', 'STALLS-A-2', 'STALLS-A-3', 'STALLS-A-4', 'STALLS-A-5', 'STALLS-B-1']);

    // A draft: prices typed in euros, the start in New York's wall clock.
    await fillNewEvent(page, { name: 'Console Night', starts: '2031-12-05T20:30', prices: { A: '25.50', GA: '12' } });
    await page.selectOption('select[name=event-venue]', venueId);
    await page.fill('input[name=event-max-seats]', '6');
    expect(await page.textContent('.event-editor')).toContain('Times are in your zone (America/New_York: UTC-05:00 on the day it starts).');
    await page.click('.event-editor button[type=submit]');
    const card = page.locator('li.event-card', { hasText: 'Console Night' });
    await card.locator('button.publish').waitFor();
    const eventId = (await card.getAttribute('data-event-id')) ?? '';
    let event = (await send('GET', `/api/events/${eventId}`, organizer)).body;
    expect(event).toMatchObject({ status: 'DRAFT', venueId, currency: 'EUR', prices: { A: 2550, GA: 1200 }, startsAt: '2031-12-06T01:30:00.000Z', salesStartAt: null, salesEndAt: null, maxSeatsPerOrder: 6 });

    // Changed: its name, a price, and sales that close an hour before the show.
    await card.locator('button.edit').click();
    expect(await page.inputValue('input[name=event-starts]')).toBe('2031-12-05T20:30');
    expect(await page.inputValue('input[name=price-A]')).toBe('25.50');
    await page.fill('input[name=event-name]', 'Console Night (late show)');
    await page.fill('input[name=price-A]', '30');
    await page.fill('input[name=event-sales-end]', '2031-12-05T19:30');
    await page.click('.event-editor button[type=submit]');
    await page.locator('li.event-card', { hasText: 'late show' }).waitFor();
    event = (await send('GET', `/api/events/${eventId}`, organizer)).body;
    expect(event).toMatchObject({ name: 'Console Night (late show)', prices: { A: 3000, GA: 1200 }, salesEndAt: '2031-12-06T00:30:00.000Z' });

    await page.locator(`li.event-card[data-event-id="${eventId}"] button.publish`).click();
    await page.waitForSelector(`li.event-card[data-event-id="${eventId}"][data-status="ON_SALE"]`);

    // Two buyers pay; one order is cancelled (refunded) and a ticket of the other checked in; a seat is held.
    const buy = async (buyer: string, seatIds: string[]) => {
      const auth = await test.tokenFor(buyer);
      const hold = await send('POST', '/api/holds', auth, { eventId, seatIds });
      expect(hold.status, JSON.stringify(hold.body)).toBe(201);
      const order = await send('POST', '/api/orders', auth, { holdId: hold.body['holdId'], payment: { token: 'tok_ok' } });
      expect(order.status, JSON.stringify(order.body)).toBe(201);
      return { auth, order: order.body };
    };
    const kept = await buy('cara', ['STALLS-A-1', 'STALLS-A-2']);
    const cancelled = await buy('dan', ['STALLS-B-1']);
    expect((await send('POST', `/api/orders/${cancelled.order['orderId']}/cancel`, cancelled.auth)).status).toBe(200);
    expect((await send('POST', `/api/tickets/${kept.order['tickets'][0]['code']}/check-in`, organizer)).status).toBe(200);
    expect((await send('POST', '/api/holds', await test.tokenFor('eve'), { eventId, seatIds: ['STALLS-A-5'] })).status).toBe(201);

    const onSale = page.locator(`li.event-card[data-event-id="${eventId}"]`);
    await onSale.locator('button.show-sales').click();
    await expect.poll(() => onSale.locator('.sales-figures').textContent()).toContain('sold');
    const euros = (amount: number) => new Intl.NumberFormat('en-US', { style: 'currency', currency: 'EUR', minimumFractionDigits: 2 }).format(amount);
    expect(await onSale.locator('.sales-figures').textContent()).toBe(
      `2 tickets sold in 1 order, ${euros(60)}; 1 checked in. 27 of 30 places left, 1 held now. 1 order cancelled, ${euros(30)} refunded.`,
    );
    // Cancelled: its refunds counted as they go through, and nothing left to sell.
    page.once('dialog', (dialog) => void dialog.accept());
    await onSale.locator('button.cancel').click();
    await page.waitForSelector(`li.event-card[data-event-id="${eventId}"][data-status="CANCELLED"]`);
    const cancelledCard = page.locator(`li.event-card[data-event-id="${eventId}"]`);
    await expect.poll(async () => {
      await cancelledCard.locator('button.show-sales').click();
      // Each count's answer, once it has come (the button is not disabled meanwhile).
      await cancelledCard.locator('.show-sales:not([aria-busy])').waitFor();
      return cancelledCard.locator('.sales-figures').textContent();
    }, { timeout: 15_000 }).toBe(`0 tickets sold in 0 orders, ${euros(0)}; 0 checked in. Cancelled: nothing more is sold. 2 orders cancelled, ${euros(90)} refunded.`);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('marks the field the API refuses, and a price it could not send, without losing what was typed', async () => {
    const { page, errors } = await openConsole('omar');
    // The builder's section name holds a line break the browser lets through; the API's 400 names `sections.0.name`.
    await page.click('button.new-venue');
    await page.fill('input[name=venue-name]', 'Refused Hall');
    await page.evaluate(`(() => { const input = document.querySelector('input[name=section-name]'); input.value = 'Upper\u2028Circle'; input.dispatchEvent(new Event('input', { bubbles: true })); })()`);
    await page.click('.venue-editor button[type=submit]');
    const marked = page.locator('.venue-editor input[name=section-name][aria-invalid=true]');
    await marked.waitFor();
    const describedBy = (await marked.getAttribute('aria-describedby')) ?? '';
    expect(await page.textContent(`#${describedBy}`)).toMatch(/line/i);
    expect(await page.textContent('.venue-editor [role=alert]')).toBe('Please correct the marked fields.');
    expect(await page.evaluate('document.activeElement?.getAttribute("name")')).toBe('section-name');
    expect(await page.inputValue('input[name=venue-name]')).toBe('Refused Hall');
    // The browser's own refusal next (no rows): the API's mark of the name, mended meanwhile, goes.
    await page.fill('input[name=section-name]', 'Upper Circle');
    const rows = await page.inputValue('input[name=section-rows]');
    await page.fill('input[name=section-rows]', '0');
    await page.click('.venue-editor button[type=submit]');
    await expect.poll(() => page.locator('.venue-editor [aria-invalid], .venue-editor .field-problem').count(), { timeout: STEP_TIMEOUT_MS }).toBe(0);
    await page.fill('input[name=section-rows]', rows);
    // A second section named as the first (in another case): two seats a ticket would name alike.
    await page.fill('input[name=section-name]', 'Upper Circle');
    await page.click('.venue-editor button:has-text("Add section")');
    await page.fill('.venue-section >> nth=1 >> input[name=section-name]', 'upper circle');
    await page.fill('.venue-section >> nth=1 >> input[name=section-tier]', 'A');
    // Each section's Remove button is named by its section.
    expect(await page.locator('.venue-section button:has-text("Remove")').evaluateAll((buttons) => buttons.map((b) => b.getAttribute('aria-label')))).toEqual(['Remove section 1', 'Remove section 2']);
    await page.click('.venue-editor button[type=submit]');
    const twice = page.locator('.venue-section >> nth=1 >> input[name=section-name][aria-invalid=true]');
    await twice.waitFor();
    expect(await page.textContent(`#${(await twice.getAttribute('aria-describedby')) ?? ''}`)).toMatch(/is the name of .*Upper Circle.* too/);
    await page.click('.venue-section >> nth=1 >> button:has-text("Remove")');
    // Mended, it goes through.
    await page.click('.venue-editor button[type=submit]');
    await page.locator('li.venue-card', { hasText: 'Refused Hall' }).waitFor();
    expect(await page.locator('.venue-editor').count()).toBe(0);

    // A price with more decimals than yen have is not sent at all: it is marked where it was typed.
    let posted = 0;
    page.on('request', (request) => {
      if (request.method() === 'POST' && request.url().endsWith('/api/events')) posted++;
    });
    await fillNewEvent(page, { name: 'Yen Night', starts: '2031-12-05T20:30', currency: 'JPY', prices: { A: '2100.5' } });
    await page.click('.event-editor button[type=submit]');
    await page.locator('.event-editor input[name=price-A][aria-invalid=true]').waitFor();
    expect(await page.textContent('.event-editor .field-problem')).toBe('must be a whole amount, such as 1050 (at most ¥100,000,000)');
    expect(posted).toBe(0);
    // The API's own refusal (sales that close before they open) is marked on its field.
    await page.fill('input[name=price-A]', '2100');
    await page.fill('input[name=event-sales-start]', '2031-12-01T10:00');
    await page.fill('input[name=event-sales-end]', '2031-11-01T10:00');
    await page.click('.event-editor button[type=submit]');
    await expect.poll(() => posted).toBe(1);
    const salesEnd = page.locator('.event-editor input[name=event-sales-end][aria-invalid=true]');
    await salesEnd.waitFor();
    // In the form's words, not the API's field names.
    expect(await page.textContent(`#${(await salesEnd.getAttribute('aria-describedby')) ?? ''}`)).toBe('must be after “Sales open”');
    expect(await page.locator('.event-editor [aria-invalid]').count()).toBe(1);
    await page.fill('input[name=event-sales-end]', '');
    await page.click('.event-editor button[type=submit]');
    await page.locator('li.event-card', { hasText: 'Yen Night' }).waitFor();
    const eventId = (await page.locator('li.event-card', { hasText: 'Yen Night' }).getAttribute('data-event-id')) ?? '';
    const event = (await send('GET', `/api/events/${eventId}`, await test.tokenFor('omar', 'organizer'))).body;
    expect(event).toMatchObject({ currency: 'JPY', prices: { A: 2100 }, salesStartAt: '2031-12-01T15:00:00.000Z', salesEndAt: null });
    expect(posted).toBe(2);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('makes one venue when its answer was lost and the organiser sends the form again', async () => {
    const { page, errors } = await openConsole('lena');
    // The first answer is lost on its way back: the venue was made, the browser hears nothing.
    let lost = false;
    await page.route('**/api/venues', async (route) => {
      if (route.request().method() !== 'POST' || lost) return route.continue();
      lost = true;
      await route.fetch();
      await route.abort('failed');
    });
    await page.click('button.new-venue');
    await page.fill('input[name=venue-name]', 'Lost Answer Hall');
    await page.click('.venue-editor button[type=submit]');
    await expect.poll(() => page.textContent('.venue-editor [role=alert]')).toContain('did not answer');
    // The focus is on what was said, not lost to the page with the disabled button.
    expect(await page.evaluate('document.activeElement?.getAttribute("role")')).toBe('alert');
    await page.click('.venue-editor button[type=submit]');
    await page.locator('li.venue-card', { hasText: 'Lost Answer Hall' }).waitFor();
    const listed = (await send('GET', '/api/venues', await test.tokenFor('lena', 'organizer'))).body['items'] as Json[];
    expect(listed.map((v) => v['name'])).toEqual(['Lost Answer Hall']);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('saves a change whose answer was lost when the organiser sends it again, rather than call it changed elsewhere', async () => {
    const { page, errors } = await openConsole('lionel');
    const organizer = await test.tokenFor('lionel', 'organizer');
    const venueId = await buildVenue(page, 'Lost Edit Hall');
    const made = await send('POST', '/api/events', organizer, { venueId, name: 'Unnamed', startsAt: '2031-12-06T01:30:00Z', currency: 'EUR', prices: { A: 1000 } });
    const eventId = made.body['id'] as string;
    await page.reload();
    // The first answer is lost on its way back: the change was made, the browser hears nothing.
    let lost = false;
    await page.route(`**/api/events/${eventId}`, async (route) => {
      if (route.request().method() !== 'PATCH' || lost) return route.continue();
      lost = true;
      await route.fetch();
      await route.abort('failed');
    });
    await page.locator(`li.event-card[data-event-id="${eventId}"] button.edit`).click();
    // With a space after it, which the API does not keep.
    await page.fill('input[name=event-name]', 'Named at last ');
    await page.fill('input[name=price-A]', '12.50');
    await page.click('.event-editor button[type=submit]');
    await expect.poll(() => page.textContent('.event-editor [role=alert]'), { timeout: STEP_TIMEOUT_MS }).toContain('did not answer');
    // Sent again: its If-Match names the version the first one replaced — a 412, yet the change is made.
    await page.click('.event-editor button[type=submit]');
    await page.waitForSelector('.event-editor', { state: 'detached' });
    await page.locator('li.event-card', { hasText: 'Named at last' }).waitFor();
    expect(await page.textContent('.my-events .editor-notice')).toBe('');
    expect((await send('GET', `/api/events/${eventId}`, organizer)).body).toMatchObject({ name: 'Named at last', prices: { A: 1250 } });
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('cancels a draft, which then has no sales to count', async () => {
    const { page, errors } = await openConsole('pam');
    await buildVenue(page, 'Draft Hall');
    await fillNewEvent(page, { name: 'Never On Sale', starts: '2031-10-01T19:00', prices: { A: '10', GA: '5' } });
    await page.click('.event-editor button[type=submit]');
    const card = page.locator('li.event-card', { hasText: 'Never On Sale' });
    await card.locator('button.cancel').waitFor();
    page.once('dialog', (dialog) => void dialog.accept());
    await card.locator('button.cancel').click();
    await page.waitForSelector('li.event-card[data-status="CANCELLED"]');
    expect(await card.locator('button.publish, button.edit').count()).toBe(0);
    await card.locator('button.show-sales').click();
    await expect.poll(() => card.locator('.sales-figures').textContent()).toBe('No sales: the event was never on sale.');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('changes only what the organiser changed, and says so when the draft was put on sale in another tab meanwhile', async () => {
    const { page, errors } = await openConsole('sam');
    const organizer = await test.tokenFor('sam', 'organizer');
    const venueId = await buildVenue(page, 'Edit Hall');
    // A draft made through the API, its times to the second: the form shows them to the minute.
    const made = await send('POST', '/api/events', organizer, {
      venueId, name: 'To The Second', startsAt: '2031-12-06T01:30:45.500Z', currency: 'EUR', prices: { A: 1000, GA: 500 }, salesStartAt: '2031-12-06T01:30:10.000Z',
    });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const eventId = made.body['id'] as string;
    await page.reload();
    const card = page.locator(`li.event-card[data-event-id="${eventId}"]`);
    await card.locator('button.edit').click();
    await page.fill('input[name=event-name]', 'To The Second, renamed');
    await page.click('.event-editor button[type=submit]');
    await page.locator('li.event-card', { hasText: 'renamed' }).waitFor();
    // Its start and sales had been cut to the minute (and the sales start refused as not before it).
    expect((await send('GET', `/api/events/${eventId}`, organizer)).body).toMatchObject({ name: 'To The Second, renamed', startsAt: '2031-12-06T01:30:45.500Z', salesStartAt: '2031-12-06T01:30:10.000Z', prices: { A: 1000, GA: 500 } });

    // Put on sale elsewhere while the form is open: said, the form closed, the card as it is now.
    await card.locator('button.edit').click();
    await page.fill('input[name=price-A]', '11');
    expect((await send('POST', `/api/events/${eventId}/publish`, organizer)).status).toBe(200);
    await page.click('.event-editor button[type=submit]');
    await expect.poll(() => page.textContent('.my-events [role=status]')).toBe('“To The Second, renamed” is no longer a draft (it is on sale), so it was not changed.');
    expect(await page.locator('.event-editor').count()).toBe(0);
    await page.waitForSelector(`li.event-card[data-event-id="${eventId}"][data-status="ON_SALE"]`);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('changes an event only as its card or form showed it: a stale "Cancel draft" cancels nothing on sale, a stale edit undoes nothing', async () => {
    const { page, errors } = await openConsole('tom');
    const organizer = await test.tokenFor('tom', 'organizer');
    const venueId = await buildVenue(page, 'Version Hall');
    const draftOf = async (name: string, prices: Record<string, number>) => {
      const made = await send('POST', '/api/events', organizer, { venueId, name, startsAt: '2031-12-06T01:30:00Z', currency: 'EUR', prices });
      expect(made.status, JSON.stringify(made.body)).toBe(201);
      return made.body['id'] as string;
    };
    const gala = await draftOf('Gala', { A: 1000, GA: 500 });
    // Priced in one tier only: a rename had sent the prices too, the unpriced tier counted as changed.
    const recital = await draftOf('Recital', { A: 2550 });
    await page.reload();
    const patches: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'PATCH') patches.push(request.postData() ?? '');
    });

    // Put on sale in another tab while this one shows a draft: its "Cancel draft" cancels nothing.
    const card = page.locator(`li.event-card[data-event-id="${gala}"]`);
    await card.locator('button.cancel').waitFor();
    expect((await send('POST', `/api/events/${gala}/publish`, organizer)).status).toBe(200);
    const question = new Promise<string>((resolve) => page.once('dialog', (dialog) => void dialog.accept().then(() => resolve(dialog.message()))));
    await card.locator('button.cancel').click();
    expect(await question).toBe('Cancel the draft Gala? It is never put on sale.');
    await expect.poll(() => page.textContent('.my-events [role=status]'), { timeout: STEP_TIMEOUT_MS }).toBe('“Gala” changed meanwhile (it is on sale), so it was not cancelled: look at it again.');
    await page.waitForSelector(`li.event-card[data-event-id="${gala}"][data-status="ON_SALE"]`);
    expect((await send('GET', `/api/events/${gala}`, organizer)).body['status']).toBe('ON_SALE');

    // A rename sends the name alone; an edit of a draft changed elsewhere since the form opened is
    // refused, the change made elsewhere kept.
    const recitalCard = page.locator(`li.event-card[data-event-id="${recital}"]`);
    await recitalCard.locator('button.edit').click();
    await page.fill('input[name=event-name]', 'Recital, renamed');
    await page.click('.event-editor button[type=submit]');
    await page.locator('li.event-card', { hasText: 'Recital, renamed' }).waitFor();
    expect(patches.map((body) => JSON.parse(body) as unknown)).toEqual([{ name: 'Recital, renamed' }]);
    await recitalCard.locator('button.edit').click();
    expect((await send('PATCH', `/api/events/${recital}`, organizer, { prices: { A: 2550, GA: 1000 } })).status).toBe(200);
    await page.fill('input[name=event-name]', 'Recital, stale');
    await page.click('.event-editor button[type=submit]');
    await expect.poll(() => page.textContent('.my-events [role=status]'), { timeout: STEP_TIMEOUT_MS }).toBe('“Recital, renamed” was changed elsewhere since this form was opened, so your change was not made: edit it again.');
    expect(await page.locator('.event-editor').count()).toBe(0);
    expect((await send('GET', `/api/events/${recital}`, organizer)).body).toMatchObject({ name: 'Recital, renamed', prices: { A: 2550, GA: 1000 } });

    // A command refused keeps the focus on its button (it had fallen to the page as the button was
    // disabled on its way).
    const sketch = await draftOf('Sketch', { A: 1000 });
    await page.reload();
    const publish = page.locator(`li.event-card[data-event-id="${sketch}"] button.publish`);
    await publish.focus();
    await page.keyboard.press('Enter');
    await page.locator(`li.event-card[data-event-id="${sketch}"] [role=alert]`).filter({ hasText: 'GA' }).waitFor();
    expect(await page.evaluate(`document.activeElement?.getAttribute('aria-label')`)).toBe('Put on sale: Sketch');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('tells a buyer at the console that it needs an organiser\'s sign-in, and someone signed out to sign in', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    await page.goto(`${test.gateway}/#/organizer`);
    expect(await page.textContent('main p.notice, p.notice')).toBe('Sign in as an organiser (top right).');
    await signInLocally(page, 'bea', 'buyer');
    await page.goto(`${test.gateway}/#/organizer`);
    await page.reload();
    await expect.poll(() => page.textContent('p.notice'), { timeout: STEP_TIMEOUT_MS }).toBe("You are signed in as bea, a buyer: the organiser's console needs an organiser's sign-in (top right).");
    await context.close();
  });

  it('says a venue comes first when an organiser without one starts an event, and not once one is made', async () => {
    const { page } = await openConsole('quinn');
    await page.click('button.new-event');
    await expect.poll(() => page.textContent('.my-events [role=status]')).toContain('create a venue first');
    expect(await page.locator('.event-editor').count()).toBe(0);
    // The first venue made, "New event" at once — before the list of venues is drawn again (its
    // answer held back meanwhile): it waits for the list, where it had said "create a venue first".
    await page.click('button.new-venue');
    expect(await page.textContent('.my-events [role=status]')).toBe('');
    let releaseList = () => {};
    const listHeld = new Promise<void>((resolve) => (releaseList = resolve));
    await page.route('**/api/venues?*', async (route) => {
      await listHeld;
      await route.continue();
    });
    await page.fill('input[name=venue-name]', 'First Hall');
    await page.click('.venue-editor button[type=submit]');
    await page.waitForSelector('.venue-editor', { state: 'detached' });
    await page.click('button.new-event');
    await page.waitForTimeout(300);
    expect(await page.textContent('.my-events [role=status]')).toBe('');
    releaseList();
    await page.waitForSelector('.event-editor select[name=event-venue]');
    expect(await page.locator('select[name=event-venue] option').allTextContents()).toEqual(['First Hall (200 places)']);
    await page.context().close();
  });

  it('refuses a venue over 100,000 places before sending it, and counts what the browser would refuse as none', async () => {
    const { page, errors } = await openConsole('ursula');
    let posted = 0;
    page.on('request', (request) => {
      if (request.method() === 'POST' && request.url().endsWith('/api/venues')) posted++;
    });
    await page.click('button.new-venue');
    await page.fill('input[name=venue-name]', 'Too Big');
    await page.fill('input[name=section-rows]', '-3');
    // It had said "-60 places".
    expect(await page.textContent('.venue-editor [aria-live]')).toBe('0 places');
    await page.fill('input[name=section-rows]', '500');
    await page.fill('input[name=section-seats]', '1000');
    expect(await page.textContent('.venue-editor [aria-live]')).toBe('500,000 places — more than a venue may hold (100,000)');
    await page.click('.venue-editor button[type=submit]');
    await expect.poll(() => page.textContent('.venue-editor [role=alert]')).toBe('A venue holds at most 100,000 places: remove some rows, seats or places.');
    expect(await page.evaluate('document.activeElement?.getAttribute("role")')).toBe('alert');
    expect(posted).toBe(0);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('closes a form with Escape, and an answer that comes after never closes the form opened since', async () => {
    const { page, errors } = await openConsole('xena');
    await buildVenue(page, 'Late Hall');
    // The draft's answer is held back until the organiser has moved on to a new venue.
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/api/events', async (route) => {
      if (route.request().method() === 'POST') await held;
      await route.continue();
    });
    await fillNewEvent(page, { name: 'Late Answer', starts: '2031-12-05T20:30' });
    await page.click('.event-editor button[type=submit]');
    await page.press('input[name=event-name]', 'Escape');
    await page.waitForSelector('.event-editor', { state: 'detached' });
    expect(await page.evaluate('document.activeElement?.className')).toBe('new-event');
    await page.click('button.new-venue');
    await page.fill('input[name=venue-name]', 'Typed meanwhile');
    release();
    await page.locator('li.event-card', { hasText: 'Late Answer' }).waitFor();
    // The venue form and what was typed in it are still there.
    expect(await page.inputValue('.venue-editor input[name=venue-name]')).toBe('Typed meanwhile');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('asks before a form with unsaved changes is left — for another form, a link, a reload — and keeps it, typed, when told to stay', async () => {
    const { page, errors } = await openConsole('yves');
    await buildVenue(page, 'Asking Hall');
    const asked: string[] = [];
    /** The next question of the page, answered `leave` or not. */
    const answer = (leave: boolean) =>
      page.once('dialog', (dialog) => {
        asked.push(`${dialog.type()}: ${dialog.message()}`);
        void (leave ? dialog.accept() : dialog.dismiss());
      });
    const stillTyped = async () => {
      expect(await page.inputValue('.venue-editor input[name=venue-name]')).toBe('Half filled');
      expect(await page.locator('.event-editor').count()).toBe(0);
    };
    await page.click('button.new-venue');
    await page.fill('input[name=venue-name]', 'Half filled');

    // "New event" had thrown the venue away without a word.
    answer(false);
    await page.click('button.new-event');
    await expect.poll(() => asked.length, { timeout: STEP_TIMEOUT_MS }).toBe(1);
    expect(asked[0]).toBe('confirm: You have not saved the new venue. Leave it unsaved?');
    await stillTyped();

    // A link followed: the page stays, at its address.
    answer(false);
    await page.click('a[href="#/orders"]');
    await expect.poll(() => asked.length, { timeout: STEP_TIMEOUT_MS }).toBe(2);
    await expect.poll(() => page.url(), { timeout: STEP_TIMEOUT_MS }).toMatch(/#\/organizer$/);
    await stillTyped();
    expect(await page.textContent('h1')).toBe('Organiser');
    // Back: the same, and the page before is still there to go back to (below).
    answer(false);
    await page.evaluate('history.back()');
    await expect.poll(() => asked.length, { timeout: STEP_TIMEOUT_MS }).toBe(3);
    await expect.poll(() => page.url(), { timeout: STEP_TIMEOUT_MS }).toMatch(/#\/organizer$/);
    await stillTyped();

    // A reload: the browser asks in its own words.
    answer(false);
    await page.evaluate('location.reload()');
    await expect.poll(() => asked.length, { timeout: STEP_TIMEOUT_MS }).toBe(4);
    expect(asked[3]).toMatch(/^beforeunload: /);
    await stillTyped();

    // Told to leave: the event form takes its place, and a form opened untouched is left without a question.
    answer(true);
    await page.click('button.new-event');
    await page.waitForSelector('.event-editor');
    expect(asked).toHaveLength(5);
    expect(await page.locator('.venue-editor').count()).toBe(0);
    await page.click('button.new-venue');
    await page.waitForSelector('.venue-editor');
    // Back, untouched: to the page before the console, as it was (the refused Back had overwritten it).
    await page.evaluate('history.back()');
    await expect.poll(() => page.url(), { timeout: STEP_TIMEOUT_MS }).toBe(`${test.gateway}/`);
    await page.waitForSelector('a[href="#/organizer"]');
    expect(await page.locator('.venue-editor').count()).toBe(0);
    expect(asked).toHaveLength(5);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('finds the organiser\'s events in the page by words of their name, venue or city and by status, and keeps finding as the list is drawn again', async () => {
    const organizer = await test.tokenFor('zoe', 'organizer');
    const layout = (name: string, city: string) => ({ name, city, sections: [{ id: 'ORCH', name: 'Orchestra', tier: 'A', rows: [{ label: 'A', seats: 4 }] }] });
    const { venueId: lyon } = await test.putOnSale(organizer, layout('Salle Rameau', 'Lyon'), { name: 'Nuits d’Été', prices: { A: 1000 } });
    const { venueId: brooklyn } = await test.putOnSale(organizer, layout('Kings Theatre', 'Brooklyn'), { name: 'Jazz Festival', prices: { A: 1000 } });
    const draft = async (venueId: string, name: string) =>
      (await send('POST', '/api/events', organizer, { venueId, name, startsAt: '2031-12-06T01:30:00Z', currency: 'EUR', prices: { A: 1000 } })).body['id'] as string;
    const festivalDraft = await draft(lyon, 'Festival Lumière');
    await draft(brooklyn, 'Winter Gala');
    const { page, errors } = await openConsole('zoe');
    await page.waitForSelector('li.event-card >> nth=3');
    const shown = async () => (await page.locator('li.event-card:visible strong').allTextContents()).sort();
    expect(await shown()).toEqual(['Festival Lumière', 'Jazz Festival', 'Nuits d’Été', 'Winter Gala']);

    // Words in any order, case and accents, each in the name, the venue's name or its city.
    await page.fill('input[name=find-events]', "d'ete");
    expect(await shown()).toEqual(['Nuits d’Été']);
    await page.fill('input[name=find-events]', 'festival LUMIERE');
    expect(await shown()).toEqual(['Festival Lumière']);
    await page.fill('input[name=find-events]', 'kings');
    expect(await shown()).toEqual(['Jazz Festival', 'Winter Gala']);
    await page.fill('input[name=find-events]', 'lyon');
    expect(await shown()).toEqual(['Festival Lumière', 'Nuits d’Été']);
    expect(await page.textContent('.event-finder [role=status]')).toBe('2 of 4 events shown');
    // And by status: Lyon's drafts.
    await page.selectOption('select[name=find-status]', 'DRAFT');
    expect(await shown()).toEqual(['Festival Lumière']);
    expect(await page.textContent('.event-finder [role=status]')).toBe('1 of 4 events shown');

    // Put on sale from its card: the list is drawn again, still Lyon's drafts — none now.
    await page.click(`li.event-card[data-event-id="${festivalDraft}"] button.publish`);
    await page.waitForSelector(`li.event-card[data-event-id="${festivalDraft}"][data-status="ON_SALE"]`, { state: 'attached' });
    expect(await shown()).toEqual([]);
    expect(await page.textContent('.event-finder [role=status]')).toBe('0 of 4 events shown');
    // Its card hidden, the focus goes to what is said of it (it had fallen to the page's heading).
    await expect.poll(() => page.textContent('.my-events .editor-notice'), { timeout: STEP_TIMEOUT_MS }).toBe('“Festival Lumière” is on sale: the events shown leave it out.');
    expect(await page.evaluate('document.activeElement?.className')).toBe('editor-notice');
    await page.selectOption('select[name=find-status]', 'ON_SALE');
    expect(await shown()).toEqual(['Festival Lumière', 'Nuits d’Été']);
    // Nothing looked for: every event, and no count.
    await page.selectOption('select[name=find-status]', '');
    await page.fill('input[name=find-events]', '');
    expect(await shown()).toHaveLength(4);
    expect(await page.textContent('.event-finder [role=status]')).toBe('');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('fits the console with its forms open on a phone', async () => {
    const { page } = await openConsole('rita', { width: 360, height: 740 });
    await buildVenue(page, `The ${'Grand'.repeat(12)} Hall`);
    await page.click('button.new-venue');
    await page.click('.venue-editor button:has-text("Add section")');
    await page.click('button.new-event');
    await page.waitForSelector('.event-editor input[name=price-GA]');
    await page.click('button.new-venue');
    await page.waitForSelector('.venue-editor');
    for (const form of ['.venue-editor', '.event-editor']) {
      if (form === '.event-editor') await page.click('button.new-event');
      await page.waitForSelector(form);
      expect(await page.evaluate('document.documentElement.scrollWidth'), form).toBeLessThanOrEqual(360);
    }
    // A draft of one long word, on a venue with a tier of 32 letters, edited: the form's heading and
    // the tier's price had made the page 2,616 px wide.
    const organizer = await test.tokenFor('rita', 'organizer');
    const venue = await send('POST', '/api/venues', organizer, { name: 'Tiered', sections: [{ id: 'T', name: 'T', tier: 'T'.repeat(32), capacity: 5 }] });
    const draft = await send('POST', '/api/events', organizer, { venueId: venue.body['id'], name: 'E'.repeat(200), startsAt: '2031-12-06T01:30:00Z', currency: 'EUR' });
    expect(draft.status, JSON.stringify(draft.body)).toBe(201);
    await page.reload();
    await page.locator(`li.event-card[data-event-id="${String(draft.body['id'])}"] button.edit`).click();
    await page.waitForSelector(`.event-editor input[name=price-${'T'.repeat(32)}]`);
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
    await page.context().close();
  });

  it('at the desk on a phone: a wide code field, one request for a ticket typed two ways at once, and when it was let in', async () => {
    const { eventId, code } = await ticketOfNewShow('xena', 'Desk', 'yuri', 'ORCH-A-2');
    const { page, errors } = await openConsole('xena', { width: 390, height: 844 });
    await page.waitForSelector(`select[name=door] option[value="${eventId}"]`, { state: 'attached' });
    // The row wraps rather than squeezing its fields: they had been 18 px wide on a phone.
    for (const control of ['select[name=door]', 'input[name=code]']) {
      expect((await page.locator(control).boundingBox())?.width, control).toBeGreaterThanOrEqual(200);
    }
    // Answers held back a moment: the same ticket typed in lower case then as printed, both sent
    // before the first answer, is one request — not a welcome and an "already checked in".
    const sent: string[] = [];
    await page.route('**/api/tickets/*/check-in*', async (route) => {
      sent.push(route.request().url());
      await new Promise((resolve) => setTimeout(resolve, 500));
      await route.continue();
    });
    await page.fill('input[name=code]', code.toLowerCase());
    await page.keyboard.press('Enter');
    await page.fill('input[name=code]', code);
    await page.keyboard.press('Enter');
    await page.waitForSelector('.check-in-result.ok');
    expect(sent).toHaveLength(1);
    expect(await page.locator('.check-in-result').count()).toBe(1);
    expect(await page.getAttribute('.check-in-results', 'aria-label')).toBe('Scans, newest first');
    // Scanned again: when it was let in, so staff tell a second scan from a copied ticket.
    await page.keyboard.press('Enter');
    await page.waitForSelector('.check-in-result.error');
    expect(await page.textContent('.check-in-result.error')).toMatch(new RegExp(`^…${code.slice(-6)}: Already checked in at \\d{1,2}:\\d{2}:\\d{2}\\s?[AP]M: do not admit twice\\.$`));
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('checks a ticket in from the camera, once while it is held up, and turns the camera off', async () => {
    const { eventId, code } = await ticketOfNewShow('vera', 'Camera', 'walt', 'ORCH-A-3');
    const organizer = await test.tokenFor('vera', 'organizer');
    // Chromium's fake camera shows the ticket's QR code, as the ticket page draws it, for good.
    const video = join(webRoot, 'ticket.y4m');
    writeQrVideo(video, code);
    const cameraBrowser = await launchChromium(['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${video}`]);
    try {
      const context = await cameraBrowser.newContext({ timezoneId: ZONE, locale: 'en-US' });
      await context.grantPermissions(['camera'], { origin: test.gateway });
      const page = await context.newPage();
      page.setDefaultTimeout(STEP_TIMEOUT_MS);
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(test.gateway);
      await signInLocally(page, 'vera', 'organizer');
      await page.click('a[href="#/organizer"]');
      await page.waitForSelector(`select[name=door] option[value="${eventId}"]`, { state: 'attached' });
      await page.focus('button.scan-camera');
      await page.keyboard.press('Enter');
      await page.waitForSelector('.check-in-result.ok');
      expect(await page.textContent('.check-in-result.ok')).toMatch(new RegExp(`^…${code.slice(-6)}: Welcome! Orchestra, row A, seat 3 — checked in at`));
      expect(await page.textContent('button.scan-camera')).toBe('Stop camera');
      // Pressed from the keyboard, the button keeps the focus (disabled while starting, it had dropped it to the page).
      expect(await page.evaluate('document.activeElement?.className')).toBe('secondary scan-camera');
      // Checked in for good: the API says so.
      expect((await send('POST', `/api/tickets/${code}/check-in`, organizer)).status).toBe(409);
      // Held up for two seconds more (a dozen frames read), it is still one scan, not "already checked in".
      await page.waitForTimeout(2_000);
      expect(await page.locator('.check-in-result').count()).toBe(1);
      await page.click('button.scan-camera');
      expect(await page.evaluate('document.querySelector("video.camera-picture").srcObject')).toBeNull();
      expect(await page.isHidden('video.camera-picture')).toBe(true);
      expect(errors).toEqual([]);
      await context.close();
    } finally {
      await cameraBrowser.close();
    }
  });
});
