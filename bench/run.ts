/** `npm run bench [-- name...]`: runs the benchmarks in bench/ one after another. */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('.', import.meta.url));
const wanted = process.argv.slice(2);
const all = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.slice(0, -'.bench.ts'.length));
const selected = wanted.length > 0 ? wanted : all;
let failed = 0;
for (const name of selected) {
  if (!all.includes(name)) {
    process.stderr.write(`no benchmark named ${name}; have: ${all.join(', ')}\n`);
    failed++;
    continue;
  }
  process.stdout.write(`\n## ${name}\n`);
  const result = spawnSync(process.execPath, ['--conditions=source', '--import', 'tsx', `${dir}${name}.bench.ts`], {
    stdio: 'inherit',
  });
  if (result.status !== 0) failed++;
}
process.exit(failed > 0 ? 1 : 0);
