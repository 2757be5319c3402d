/**
 * A service whose start-up step takes STEP_MS, for tests of signals during start-up: critical
 * work (a migration) when STEP_CRITICAL=1, else plain waiting (a connection retried). It prints
 * what it reaches — `step began`, `step ended`, `listening on <port>` — one line each.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { baseConfigSchema, createService, loadConfig, runService } from '@stream-seat/platform';

const config = loadConfig(baseConfigSchema, { ...process.env, SHUTDOWN_GRACE_MS: '0' });
const app = createService({ name: 'slow-start', logger: false });
app.addHook('onListen', async () => {
  console.log(`listening on ${(app.server.address() as { port: number }).port}`);
});
await runService({
  app,
  appName: 'SLOW-START',
  port: 0,
  config: { ...config, EUREKA_URL: [] },
  printableConfig: {},
  startup: async ({ critical }) => {
    const step = async () => {
      console.log('step began');
      await sleep(Number(process.env['STEP_MS'] ?? 1_000));
      console.log('step ended');
    };
    await (process.env['STEP_CRITICAL'] === '1' ? critical(step) : step());
  },
});
console.log('started');
