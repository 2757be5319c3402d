/**
 * Production sign-in, in real headless Chromium: the whole platform verifies tokens of an OpenID
 * Connect provider (AUTH_MODE=jwks; a real one, tests/support/oidc-issuer.ts) and has no
 * dev-token route; the web app sends the user to the provider's login page (authorization code
 * with PKCE), comes back to the page the user left, and the token it got is accepted by the
 * gateway and the services — here to hold a seat.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntilRoutable } from '../../scripts/platform-launcher.js';
import { buildWebApp } from '../../scripts/web-app-build.js';
import { freePort } from '../support/free-port.js';
import { type OidcIssuer, startOidcIssuer } from '../support/oidc-issuer.js';
import { browserTestsEnabled, launchChromium } from '../support/headless-chromium.js';
import { startTestPlatform, type TestPlatform } from '../support/test-platform.js';


// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are read field by field below
type Json = Record<string, any>;

describe.runIf(browserTestsEnabled)('signing in at an OpenID Connect provider from the web app', () => {
  let issuer: OidcIssuer;
  let test: TestPlatform;
  let browser: Browser;
  let webRoot: string;
  let eventId: string;
  let appUrl: string;

  beforeAll(async () => {
    webRoot = mkdtempSync(join(tmpdir(), 'stream-seat-web-oidc-'));
    await buildWebApp(webRoot);
    const gatewayPort = await freePort();
    appUrl = `http://127.0.0.1:${gatewayPort}/`;
    issuer = await startOidcIssuer({ redirectUris: [appUrl], roles: { olga: 'organizer', ada: 'admin' } });
    test = await startTestPlatform({
      name: 'web-oidc',
      ports: { gateway: gatewayPort },
      env: { AUTH_MODE: 'jwks', JWT_JWKS_URL: issuer.jwksUrl, JWT_ISSUER: issuer.issuer, JWT_AUDIENCE: issuer.audience, DEV_TOKENS: 'false' },
      serviceEnv: { gateway: { WEB_ROOT: webRoot, WEB_OIDC_CLIENT_ID: issuer.clientId } },
    });
    browser = await launchChromium();

    // The organiser's token comes from the provider too: the platform accepts no other.
    const organizer = await issuer.tokenFor('olga', appUrl);
    const send = (method: string, path: string, body?: unknown) => test.send<Json>(method, path, organizer, body);
    const venue = await send('POST', '/api/venues', { name: 'OIDC Hall', city: 'Lyon', sections: [{ id: 'MAIN', name: 'Main', tier: 'A', rows: [{ label: 'A', seats: 6 }] }] });
    expect(venue.status, JSON.stringify(venue.body)).toBe(201);
    const event = await send('POST', '/api/events', {
      venueId: venue.body['id'], name: 'Signed-in Night', startsAt: new Date(Date.now() + 5 * 86_400_000).toISOString(), currency: 'EUR', prices: { A: 4000 }, maxSeatsPerOrder: 4,
    });
    expect(event.status, JSON.stringify(event.body)).toBe(201);
    eventId = event.body['id'] as string;
    expect((await send('POST', `/api/events/${eventId}/publish`)).status).toBe(200);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await test?.stop();
    await issuer?.close();
    if (webRoot) rmSync(webRoot, { recursive: true, force: true });
  });

  /** "Sign in", then oidc-provider's development login and consent pages, and back signed in. */
  async function signInOnProviderPage(page: Page, login: string): Promise<void> {
    await page.click('button.sign-in');
    await page.waitForURL((url) => url.href.startsWith(issuer.issuer));
    await page.fill('input[name=login]', login);
    await page.fill('input[name=password]', 'anything');
    await page.click('button[type=submit]');
    await page.waitForSelector('button[type=submit]');
    await page.click('button[type=submit]');
    await page.waitForSelector(`[data-signed-in="${login}"]`);
  }

  it('has no dev tokens: the gateway tells the app to sign in at the issuer', async () => {
    expect((await fetch(`${test.gateway}/api/auth/dev-token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"sub":"x","role":"admin"}' })).status).toBe(404);
    const config = (await (await fetch(`${test.gateway}/app-config.json`)).json()) as Json;
    expect(config['signIn']).toMatchObject({ kind: 'oidc', issuer: issuer.issuer, clientId: issuer.clientId });
    const index = await fetch(test.gateway);
    expect(index.headers.get('content-security-policy')).toContain(`connect-src 'self' ${issuer.issuer}`);
  });

  it('signs a buyer in on the provider’s page, returns to the event, and holds a seat with the token it got', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${appUrl}#/events/${eventId}`);
    await page.waitForSelector('[data-live-status=live]');
    expect(await page.locator('input[name=name]').count()).toBe(0);

    await signInOnProviderPage(page, 'alice');
    // Back on the event the buyer left, with the code gone from the address bar.
    expect(page.url()).toBe(`${appUrl}#/events/${eventId}`);
    const token = (await page.evaluate(`JSON.parse(localStorage.getItem('stream-seat.session')).token`)) as string;
    const claims = JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString()) as Json;
    expect(claims).toMatchObject({ sub: 'alice', role: 'buyer', iss: issuer.issuer, aud: issuer.audience });

    await page.waitForSelector('[data-live-status=live]');
    await page.click('circle[data-seat-id="MAIN-A-3"]');
    await page.click('button.hold-selected');
    await page.waitForSelector('form.pay');
    const holdId = (await page.evaluate(`sessionStorage.getItem('stream-seat.hold.${eventId}')`)) as string;
    const hold = await test.send<Json>('GET', `/api/holds/${holdId}`, { authorization: `Bearer ${token}` });
    expect(hold.status).toBe(200);
    expect(hold.body).toMatchObject({ seatIds: ['MAIN-A-3'], status: 'ACTIVE' });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('lets an admin both hold seats and open the organiser’s page (an admin had been told to sign in as a buyer)', async () => {
    const page = await browser.newPage();
    await page.goto(`${appUrl}#/events/${eventId}`);
    await page.waitForSelector('[data-live-status=live]');
    await signInOnProviderPage(page, 'ada');
    expect(await page.locator('a[href="#/organizer"]').count()).toBe(1);
    await page.waitForSelector('[data-live-status=live]');
    expect(await page.locator('[data-not-buyer]').count()).toBe(0);
    await page.click('circle[data-seat-id="MAIN-A-5"]');
    await page.click('button.hold-selected');
    await page.waitForSelector('form.pay');
    await page.click('a[href="#/organizer"]');
    await page.waitForSelector('.check-in input[name=code]');
    await page.close();
  });

  it('signs out at the provider too, so the next sign-in on this browser asks who is there', async () => {
    const page = await browser.newPage();
    await page.goto(appUrl);
    await signInOnProviderPage(page, 'dana');
    expect(await page.evaluate(`JSON.parse(localStorage.getItem('stream-seat.session')).idToken`)).toBeTruthy();

    await page.click('#account button:has-text("Sign out")');
    // The provider asks to confirm, then sends the user back to the app, signed out.
    await page.waitForURL((url) => url.href.startsWith(issuer.issuer));
    await page.click('button[value=yes]');
    await page.waitForURL((url) => url.href.startsWith(appUrl));
    await page.waitForSelector('button.sign-in');
    expect(await page.evaluate(`localStorage.getItem('stream-seat.session')`)).toBeNull();
    // Only the provider's sign-in here: no local form, and no word of the local demo's organiser.
    expect(await page.locator('select[name=role]').count()).toBe(0);
    expect(await page.textContent('#account')).not.toContain('demo-organizer');

    // No session at the provider any more: it asks for a login rather than signing dana in again.
    await page.click('button.sign-in');
    await page.waitForSelector('input[name=login]');
    await page.close();
  });

  it('lets a user paste a provider token on a gateway without a client id', async () => {
    // A second gateway of the same platform, with no client id at the provider for its web app.
    const port = await freePort();
    test.platform.startExtraInstance('gateway', port, { WEB_ROOT: webRoot, WEB_OIDC_CLIENT_ID: '' });
    const pasteUrl = `http://127.0.0.1:${port}`;
    await waitUntilRoutable(pasteUrl, 60_000);
    expect(((await (await fetch(`${pasteUrl}/app-config.json`)).json()) as Json)['signIn']).toEqual({ kind: 'token' });

    const page = await browser.newPage();
    await page.goto(`${pasteUrl}/#/orders`);
    await page.fill('input[name=token]', 'not-a-token');
    await page.click('form.sign-in button');
    await page.waitForSelector('#account [role=alert]:has-text("not a JWT")');

    const { authorization } = await issuer.tokenFor('bob', appUrl);
    await page.fill('input[name=token]', (authorization as string).replace(/^Bearer /, ''));
    await page.click('form.sign-in button');
    await page.waitForSelector('[data-signed-in="bob"]');
    // The pasted token works against the API: bob's (empty) orders, not a 401.
    await page.waitForSelector('text=No orders yet.');
    await page.close();
  });

  it('refuses an answer whose state is not the one this tab sent (login CSRF)', async () => {
    const page = await browser.newPage();
    await page.goto(appUrl);
    await page.click('button.sign-in');
    await page.waitForURL((url) => url.href.startsWith(issuer.issuer));
    // An answer meant for someone else's sign-in, delivered while this tab's own is pending.
    await page.goto(`${appUrl}?code=someone-elses-code&state=not-ours&iss=${encodeURIComponent(issuer.issuer)}`);
    await page.waitForSelector('#account [role=alert]:has-text("state")');
    expect(page.url()).toBe(appUrl);
    expect(await page.evaluate(`localStorage.getItem('stream-seat.session')`)).toBeNull();
    await page.close();
  });

  it('does not accept a sign-in answer this tab did not ask for', async () => {
    const page = await browser.newPage();
    await page.goto(`${appUrl}?code=forged&state=forged#/`);
    await page.waitForSelector('#account [role=alert]:has-text("not started in this tab")');
    expect(page.url()).toBe(`${appUrl}#/`);
    expect(await page.evaluate(`localStorage.getItem('stream-seat.session')`)).toBeNull();
    await page.close();
  });
});
