// The web app is static files served by the gateway; `npm run build -w web` writes them to web/dist.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';

/** Files worth compressing: text, and not tiny. */
const COMPRESSIBLE = /\.(?:js|css|html|svg|json|txt)$/;
const MIN_BYTES = 256;

/**
 * Writes each compressible file of the build beside itself in brotli (`.br`, at its best quality)
 * and gzip (`.gz`): the gateway sends those to browsers that accept them, compressed once here
 * rather than on every request.
 */
function precompressed(): Plugin {
  let outDir = '';
  return {
    name: 'stream-seat-precompressed',
    apply: 'build',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    closeBundle() {
      // A build that failed wrote nothing: its own error is the one to read.
      if (!existsSync(outDir)) return;
      const walk = (dir: string): string[] =>
        readdirSync(dir).flatMap((name) => {
          const path = join(dir, name);
          return statSync(path).isDirectory() ? walk(path) : [path];
        });
      for (const file of walk(outDir).filter((f) => COMPRESSIBLE.test(f))) {
        const bytes = readFileSync(file);
        if (bytes.length < MIN_BYTES) continue;
        writeFileSync(`${file}.br`, brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY } }));
        writeFileSync(`${file}.gz`, gzipSync(bytes, { level: 9 }));
      }
    },
  };
}

/**
 * Fails the build when the service worker's file would import anything: registered as a classic
 * script, a worker beginning with `import` is refused, and the app would run without offline
 * tickets, saying nothing but a console warning.
 */
function serviceWorkerStandsAlone(): Plugin {
  return {
    name: 'stream-seat-service-worker-alone',
    apply: 'build',
    generateBundle(_options, bundle) {
      for (const file of Object.values(bundle)) {
        if (file.type === 'chunk' && file.name === 'sw' && (file.imports.length > 0 || file.dynamicImports.length > 0)) {
          this.error(`sw.js must be one file without imports; it imports ${[...file.imports, ...file.dynamicImports].join(', ')}`);
        }
      }
    },
  };
}

export default defineConfig({
  root: import.meta.dirname,
  // Type-only imports of @stream-seat/contracts resolve to its TypeScript sources.
  resolve: { conditions: ['source'] },
  // Source maps only on request (`WEB_SOURCEMAP=1 npm run build -w web`, to debug a build): the
  // gateway serves whatever is in dist, and the sources need not be published with the app.
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: process.env['WEB_SOURCEMAP'] === '1',
    // The service worker is an entry of its own at a fixed address (`/sw.js`: a worker's address
    // is its identity), one file without imports; everything else is named by its content's hash.
    rollupOptions: {
      input: { main: resolve(import.meta.dirname, 'index.html'), sw: resolve(import.meta.dirname, 'src/service-worker.ts') },
      output: { entryFileNames: (chunk) => (chunk.name === 'sw' ? 'sw.js' : 'assets/[name]-[hash].js') },
    },
  },
  plugins: [precompressed(), serviceWorkerStandsAlone()],
  // `npm run dev -w web` next to `npm start`: the API is the gateway's.
  server: { proxy: { '/api': 'http://localhost:8082', '/app-config.json': 'http://localhost:8082' } },
});
