/** When `npm start` rebuilds the web app: missing, older than its sources, or with the wrong source maps. */
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { webAppIsFresh } from '../../scripts/web-app-build.js';

describe('webAppIsFresh', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  function build(files: string[]): string {
    const dir = mkdtempSync(join(tmpdir(), 'web-dist-'));
    dirs.push(dir);
    mkdirSync(join(dir, 'assets'));
    for (const file of ['index.html', ...files]) writeFileSync(join(dir, file), '');
    return dir;
  }

  it('is fresh when built after its sources, without maps unless asked for', () => {
    const dist = build(['assets/app.js']);
    expect(webAppIsFresh(dist, {})).toBe(true);
    expect(webAppIsFresh(dist, { WEB_SOURCEMAP: '1' })).toBe(false);
  });

  it('rebuilds when maps are present but not asked for, and the other way round', () => {
    const dist = build(['assets/app.js', 'assets/app.js.map']);
    expect(webAppIsFresh(dist, {})).toBe(false);
    expect(webAppIsFresh(dist, { WEB_SOURCEMAP: '1' })).toBe(true);
  });

  it('rebuilds when missing or older than its sources', () => {
    const dist = build([]);
    rmSync(join(dist, 'index.html'));
    expect(webAppIsFresh(dist, {})).toBe(false);
    writeFileSync(join(dist, 'index.html'), '');
    utimesSync(join(dist, 'index.html'), new Date(0), new Date(0));
    expect(webAppIsFresh(dist, {})).toBe(false);
  });
});
