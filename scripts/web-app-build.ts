/**
 * Builds the web app (web/ → web/dist) when the build is missing or older than its sources, so
 * that `npm start` on a fresh clone serves it without a separate step.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const webDir = fileURLToPath(new URL('../web', import.meta.url));

function newestChange(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newestChange(join(path, name))));
}

export function webAppIsFresh(outDir = join(webDir, 'dist')): boolean {
  const index = join(outDir, 'index.html');
  if (!existsSync(index)) return false;
  const sources = ['src', 'index.html', 'vite.config.ts', 'package.json'].map((p) => newestChange(join(webDir, p)));
  return statSync(index).mtimeMs >= Math.max(...sources);
}

/** Builds into `outDir` (web/dist by default); quiet unless it fails. */
export async function buildWebApp(outDir = join(webDir, 'dist')): Promise<void> {
  const { build } = await import('vite');
  await build({ root: webDir, configFile: join(webDir, 'vite.config.ts'), logLevel: 'warn', build: { outDir, emptyOutDir: true } });
}

export async function ensureWebAppBuilt(log: (line: string) => void): Promise<void> {
  if (webAppIsFresh()) return;
  const started = Date.now();
  await buildWebApp();
  log(`web app built into web/dist in ${Date.now() - started} ms`);
}
