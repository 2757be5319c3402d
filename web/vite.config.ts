// The web app is static files served by the gateway; `npm run build -w web` writes them to web/dist.
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  // Type-only imports of @stream-seat/contracts resolve to its TypeScript sources.
  resolve: { conditions: ['source'] },
  // Source maps only on request (`WEB_SOURCEMAP=1 npm run build -w web`, to debug a build): the
  // gateway serves whatever is in dist, and the sources need not be published with the app.
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: process.env['WEB_SOURCEMAP'] === '1' },
  // `npm run dev -w web` next to `npm start`: the API is the gateway's.
  server: { proxy: { '/api': 'http://localhost:8082', '/app-config.json': 'http://localhost:8082' } },
});
