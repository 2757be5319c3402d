/**
 * The events page's search in real headless Chromium, served by the gateway of the whole platform:
 * words of a name or a city (with or without accents), a range of days in the reader's own zone
 * (Tokyo here), the search kept in the address — loaded from it, and gone back from.
 * Needs Debian's chromium (see web-app.e2e.test.ts).
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserTestsEnabled } from '../support/headless-chromium.js';
import type { TestPlatform } from '../support/test-platform.js';
import { startWebTestPlatform, type WebTestPlatform } from '../support/web-test-platform.js';

const STEP_TIMEOUT_MS = 20_000;

const hall = (name: string, city: string) => ({ name, city, sections: [{ id: 'S', name: 'Stalls', tier: 'A', rows: [{ label: 'A', seats: 4 }] }] });

describe.runIf(browserTestsEnabled)('the events page\'s search in headless Chromium', () => {
  let test: TestPlatform;
  let browser: Browser;
  let web: WebTestPlatform | undefined;

  beforeAll(async () => {
    web = await startWebTestPlatform({ name: 'web-search' });
    ({ test, browser } = web);
    const organizer = await test.tokenFor('olga', 'organizer');
    // In Tokyo (UTC+9): the first ends 1 July at 23:30 there, the second starts 2 July at 00:30.
    await test.putOnSale(organizer, hall('Salle Été', 'Lyon'), { name: 'Nuit d’Été', startsAt: '2031-07-01T14:30:00Z', prices: { A: 1000 } });
    await test.putOnSale(organizer, hall('Docks', 'Nantes'), { name: 'Rock Night', startsAt: '2031-07-01T15:30:00Z', prices: { A: 1000 } });
    await test.putOnSale(organizer, hall('Quai', 'Lyon'), { name: 'Jazz Quay', startsAt: '2031-09-10T18:00:00Z', prices: { A: 1000 } });
  }, 120_000);

  afterAll(async () => {
    await web?.stop();
  });

  async function openAt(hash: string): Promise<{ page: Page; errors: string[] }> {
    const context = await browser.newContext({ timezoneId: 'Asia/Tokyo', locale: 'en-US' });
    const page = await context.newPage();
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${test.gateway}/${hash}`);
    await page.waitForSelector('.event-results ul.event-list, .event-results .no-match');
    return { page, errors };
  }
  const listed = (page: Page) => page.locator('ul.event-list a[data-event-id] strong').allTextContents();

  it('finds events by a word of the name or the city, with or without accents, and keeps the search in the address', async () => {
    const { page, errors } = await openAt('#/');
    expect(await listed(page)).toEqual(['Nuit d’Été', 'Rock Night', 'Jazz Quay']);
    await page.fill('input[name=q]', 'ete');
    await page.click('form.event-search button[type=submit]');
    await page.waitForSelector('h1:has-text("On sale: “ete”")');
    await expect.poll(() => listed(page)).toEqual(['Nuit d’Été']);
    expect(new URL(page.url()).hash).toBe('#/?q=ete');
    expect(await page.title()).toBe('On sale: “ete” · Stream-Seat');
    // A city.
    await page.fill('input[name=q]', 'LYON');
    await page.press('input[name=q]', 'Enter');
    await expect.poll(() => listed(page)).toEqual(['Nuit d’Été', 'Jazz Quay']);
    // Back: the search before, then every event.
    await page.goBack();
    await expect.poll(() => listed(page)).toEqual(['Nuit d’Été']);
    expect(await page.inputValue('input[name=q]')).toBe('ete');
    await page.goBack();
    await expect.poll(() => listed(page)).toEqual(['Nuit d’Été', 'Rock Night', 'Jazz Quay']);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('narrows to days of the reader\'s own calendar, from an address loaded as it is', async () => {
    // 1 July in Tokyo: the show at 23:30 there, not the one at 00:30 on the 2nd (both 1 July in UTC).
    const { page, errors } = await openAt('#/?from=2031-07-01&to=2031-07-01');
    expect(await listed(page)).toEqual(['Nuit d’Été']);
    expect(await page.textContent('h1')).toBe('On sale: from Jul 1, 2031 to Jul 1, 2031');
    expect(await page.inputValue('input[name=from]')).toBe('2031-07-01');
    await page.fill('input[name=from]', '2031-07-02');
    await page.fill('input[name=to]', '');
    await page.click('form.event-search button[type=submit]');
    await expect.poll(() => listed(page)).toEqual(['Rock Night', 'Jazz Quay']);
    expect(new URL(page.url()).hash).toBe('#/?from=2031-07-02');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('says when nothing matches, with the way back to every event', async () => {
    const { page } = await openAt('#/?q=opera');
    expect(await page.textContent('.event-results .no-match')).toBe('No event on sale matches this search. See every event');
    // Said in a status region already in the page (one drawn with its text is not said by many screen readers).
    expect(await page.textContent('[data-results-said]')).toBe('No event on sale matches this search.');
    expect(await page.locator('.event-results [role=status]').count()).toBe(0);
    await page.click('.event-results .no-match a');
    await expect.poll(() => listed(page)).toEqual(['Nuit d’Été', 'Rock Night', 'Jazz Quay']);
    expect(await page.locator('a.clear-search').count()).toBe(0);
    // Days that end before they begin: the same, not the API's refusal ("to must be after from").
    await page.evaluate(`location.hash = '#/?from=2031-12-31&to=2031-12-01'`);
    await expect.poll(() => page.textContent('.event-results .no-match')).toBe('No event on sale matches this search. See every event');
    expect(await page.textContent('[data-results-said]')).toBe('No event on sale matches this search.');
    await page.context().close();
  });
});
