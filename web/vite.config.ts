// The web app is static files served by the gateway; `npm run build -w web` writes them to web/dist.
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  // Type-only imports of @stream-seat/contracts resolve to its TypeScript sources.
  resolve: { conditions: ['source'] },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: true },
  // `npm run dev -w web` next to `npm start`: the API is the gateway's.
  server: { proxy: { '/api': 'http://localhost:8082' } },
});
