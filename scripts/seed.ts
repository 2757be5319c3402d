/** `npm run seed [-- --force]`: creates the demo catalogue on a running platform at GATEWAY_URL. */
import { seedDemoData } from './demo-data.js';

const gatewayUrl = process.env['GATEWAY_URL'] ?? 'http://localhost:8082';
try {
  let existed = 0;
  const ids = await seedDemoData(gatewayUrl, {
    force: process.argv.includes('--force'),
    log: (line) => process.stdout.write(`seed | ${line}\n`),
    onEvent: (event) => (existed += event.existed ? 1 : 0),
  });
  const created = ids.length - existed;
  process.stdout.write(
    ids.length === 0
      ? 'nothing seeded (use --force to seed anyway)\n'
      : `seeded ${created} new events at ${gatewayUrl}${existed > 0 ? ` (${existed} were already there)` : ''}\n`,
  );
} catch (error) {
  process.stderr.write(`seeding ${gatewayUrl} failed: ${(error as Error).message}\n`);
  process.exit(1);
}
