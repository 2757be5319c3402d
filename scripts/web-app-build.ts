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

/** Whether the build has source maps (`WEB_SOURCEMAP=1` asks for them). */
function hasSourceMaps(outDir: string): boolean {
  const assets = join(outDir, 'assets');
  return existsSync(assets) && readdirSync(assets).some((name) => name.endsWith('.map'));
}

/** Built, newer than its sources, and with source maps exactly when `WEB_SOURCEMAP=1` asks for them. */
export function webAppIsFresh(outDir = join(webDir, 'dist'), env: NodeJS.ProcessEnv = process.env): boolean {
  const index = join(outDir, 'index.html');
  if (!existsSync(index)) return false;
  if (hasSourceMaps(outDir) !== (env['WEB_SOURCEMAP'] === '1')) return false;
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
