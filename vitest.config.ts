import { defineConfig } from 'vitest/config';

// Workspace packages resolve to their TypeScript sources through the `source` export condition;
// everything else resolves as Vite would by default.
export default defineConfig({
  ssr: { resolve: { conditions: ['source', 'module', 'node', 'development|production'], externalConditions: ['source'] } },
  test: {
    include: [
      'packages/*/src/**/*.test.ts',
      'packages/*/test/**/*.test.ts',
      'services/*/src/**/*.test.ts',
      'services/*/test/**/*.test.ts',
      'infra/test/**/*.test.ts',
      'deploy/test/**/*.test.ts',
      'web/test/**/*.test.ts',
      'tests/**/*.test.ts',
    ],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // CI shows every test by name, so the log shows each suite on SQLite and on MariaDB.
    reporters: [process.env['CI'] ? 'verbose' : 'default', './scripts/summary-reporter.ts'],
  },
});
