/** `npm start`: the whole platform on one machine, with demo data, on the embedded SQLite default. */
import { seedDemoData } from './demo-data.js';
import { launchPlatform, type ServiceName, servicesWithPortTaken, waitUntilRoutable } from './platform-launcher.js';
import { ensureWebAppBuilt } from './web-app-build.js';

const colours: Record<ServiceName, string> = { discovery: '35', gateway: '36', event: '33', booking: '32' };
const tty = process.stdout.isTTY;
const label = (name: ServiceName) => (tty ? `\x1b[${colours[name]}m${name.padEnd(9)}\x1b[0m` : name.padEnd(9));

const ports = {
  discovery: Number(process.env['DISCOVERY_PORT'] ?? 8761),
  gateway: Number(process.env['GATEWAY_PORT'] ?? 8082),
  event: Number(process.env['EVENT_PORT'] ?? 8081),
  booking: Number(process.env['BOOKING_PORT'] ?? 8080),
};
// Checked first: otherwise the banner and the seeding below would talk to whatever holds the gateway's port.
const taken = await servicesWithPortTaken(ports);
if (taken.length > 0) {
  for (const { name, port } of taken) {
    process.stderr.write(`Port ${port} (${name}) is already in use: is Stream-Seat already running? Stop it, or choose another port with ${name.toUpperCase()}_PORT.\n`);
  }
  process.exit(1);
}

await ensureWebAppBuilt((line) => process.stdout.write(`${'web'.padEnd(9)} | ${line}\n`));

const platform = launchPlatform({
  ports,
  env: { LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'info', JWT_SECRET: process.env['JWT_SECRET'] },
  serviceEnv: {
    event: { DATABASE_URL: process.env['EVENT_DATABASE_URL'] ?? 'data/event.db' },
    booking: { DATABASE_URL: process.env['BOOKING_DATABASE_URL'] ?? 'data/booking.db' },
  },
  onLog: (name, line) => process.stdout.write(`${label(name)} | ${line}\n`),
  ownProcessGroups: true,
});

let stopping = false;
async function shutdown(code: number) {
  if (stopping) return;
  stopping = true;
  process.stdout.write('\nStopping Stream-Seat…\n');
  await platform.stop();
  process.exit(code);
}
// The services are in process groups of their own: every way this process is asked to end stops them.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void shutdown(0));
for (const [name, child] of platform.processes) {
  child.on('exit', (code, signal) => {
    if (stopping) return;
    process.stdout.write(`${label(name)} | exited (${signal ?? code}); stopping the others\n`);
    void shutdown(1);
  });
}

try {
  await waitUntilRoutable(platform.urls.gateway);
  const port = new URL(platform.urls.gateway).port;
  process.stdout.write(`\nStream-Seat is up: http://localhost:${port} (the web app; the API is under /api, its docs at /docs)\n\n`);
} catch (error) {
  process.stdout.write(`${(error as Error).message}\n`);
  await shutdown(1);
}

// A fresh machine gets the demo catalogue once: seeding skips a catalogue that lists events.
if (!stopping) {
  try {
    await seedDemoData(platform.urls.gateway, { log: (line) => process.stdout.write(`${'seed'.padEnd(9)} | ${line}\n`) });
  } catch (error) {
    if (!stopping) process.stdout.write(`${'seed'.padEnd(9)} | demo data not seeded: ${(error as Error).message}\n`);
  }
}
