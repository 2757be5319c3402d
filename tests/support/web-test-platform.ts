/**
 * What every browser suite starts: the web app built afresh into a directory of its own, the whole
 * platform with the gateway serving it, and headless Chromium; and stops, in reverse.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { buildWebApp } from '../../scripts/web-app-build.js';
import { launchChromium } from './headless-chromium.js';
import { startTestPlatform, type TestPlatform, type TestPlatformOptions } from './test-platform.js';

export interface WebTestPlatform {
  test: TestPlatform;
  browser: Browser;
  /** The built app's directory (a test may leave files of its own there: they go with it). */
  webRoot: string;
  stop(): Promise<void>;
}

export async function startWebTestPlatform(options: TestPlatformOptions): Promise<WebTestPlatform> {
  const webRoot = mkdtempSync(join(tmpdir(), `stream-seat-${options.name}-`));
  const removeRoot = () => rmSync(webRoot, { recursive: true, force: true });
  let test: TestPlatform | undefined;
  try {
    await buildWebApp(webRoot);
    const serviceEnv = { ...options.serviceEnv, gateway: { ...options.serviceEnv?.gateway, WEB_ROOT: webRoot } };
    test = await startTestPlatform({ ...options, serviceEnv });
    const browser = await launchChromium();
    const started = test;
    return {
      test: started,
      browser,
      webRoot,
      stop: async () => {
        await browser.close();
        await started.stop();
        removeRoot();
      },
    };
  } catch (error) {
    await test?.stop();
    removeRoot();
    throw error;
  }
}

/** Signs in through the app's local sign-in form (the gateway issues dev tokens), as `name` in `role`. */
export async function signInLocally(page: Page, name: string, role: 'buyer' | 'organizer' = 'buyer'): Promise<void> {
  await page.fill('input[name=name]', name);
  await page.selectOption('select[name=role]', role);
  await page.click('form.sign-in button');
  await page.waitForSelector(`[data-signed-in="${name}"]`);
}
