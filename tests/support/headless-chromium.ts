/**
 * Debian's Chromium for the browser tests: where it is (`CHROMIUM_PATH` overrides), whether the
 * suites run (it is installed, or REQUIRE_BROWSER makes its absence a failure, as `.ci/run` does),
 * and a launch with the flags this machine needs.
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

export const chromiumPath = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

/** True when the browser suites should run. */
export const browserTestsEnabled = existsSync(chromiumPath) || Boolean(process.env['REQUIRE_BROWSER']);

/** Without the background-networking flags Chromium keeps dialling Google, which this machine refuses. */
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** `extraArgs`: more flags, such as a fake camera's (`--use-file-for-fake-video-capture=…`). */
export function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath, args: [...CHROMIUM_ARGS, ...extraArgs] });
}
