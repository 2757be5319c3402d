// `npm test`: the whole vitest suite; the summary reporter prints the closing `N passed, N failed`.
import { spawnSync } from 'node:child_process';

const result = spawnSync('npx', ['vitest', 'run', ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(result.status ?? 1);
