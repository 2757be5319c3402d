/** `npm run seed [-- --force]`: creates the demo catalogue on a running platform at GATEWAY_URL. */
import { seedDemoData } from './demo-data.js';

const gatewayUrl = process.env['GATEWAY_URL'] ?? 'http://localhost:8082';
try {
  const ids = await seedDemoData(gatewayUrl, {
    force: process.argv.includes('--force'),
    log: (line) => process.stdout.write(`seed | ${line}\n`),
  });
  process.stdout.write(ids.length > 0 ? `seeded ${ids.length} events at ${gatewayUrl}\n` : 'nothing seeded (use --force to seed anyway)\n');
} catch (error) {
  process.stderr.write(`seeding ${gatewayUrl} failed: ${(error as Error).message}\n`);
  process.exit(1);
}
