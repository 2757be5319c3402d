/**
 * `npm start` as a newcomer runs it: the four services come up, the banner says where, the
 * gateway answers, and Ctrl-C — SIGINT to the whole process group, as a terminal sends it — stops
 * every process, the registry last, so the others deregister cleanly; nothing keeps listening.
 * Started a second time while the ports are taken, it says so and starts nothing.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually, freePort, isListening } from '../support/free-port.js';

describe('npm start', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'stream-seat-start-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  const freePorts = async () => ({ DISCOVERY_PORT: await freePort(), GATEWAY_PORT: await freePort(), EVENT_PORT: await freePort(), BOOKING_PORT: await freePort() });

  /** `npm start` in a process group of its own, as a terminal runs it. */
  function start(ports: Record<string, number>) {
    const starter = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'scripts/start.ts'], {
      env: {
        ...process.env,
        ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
        EVENT_DATABASE_URL: join(dataDir, 'event.db'),
        BOOKING_DATABASE_URL: join(dataDir, 'booking.db'),
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const lines: string[] = [];
    createInterface({ input: starter.stdout }).on('line', (line) => lines.push(line));
    createInterface({ input: starter.stderr }).on('line', (line) => lines.push(line));
    return { starter, lines, exited: once(starter, 'exit') };
  }

  it('brings the platform up, announces it, and stops every process on Ctrl-C, the registry last', async () => {
    const ports = await freePorts();
    const { starter, lines, exited } = start(ports);

    try {
      const banner = await eventually(
        async () => lines.find((l) => l.startsWith('Stream-Seat is up: ')),
        60_000,
        'the "Stream-Seat is up" banner',
      );
      expect(banner).toMatch(new RegExp(`^Stream-Seat is up: http://localhost:${ports.GATEWAY_PORT} \\(the web app`));
      for (const service of ['discovery', 'gateway', 'event', 'booking']) {
        expect(lines.some((l) => l.startsWith(`${service.padEnd(9)} | {`))).toBe(true);
      }
      expect((await fetch(`http://127.0.0.1:${ports.GATEWAY_PORT}/api/events`)).status).toBe(200);
      // The web app, built by npm start when stale, at the gateway's root.
      const page = await fetch(`http://127.0.0.1:${ports.GATEWAY_PORT}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<main id="main">');
    } finally {
      // Ctrl-C: the terminal signals the foreground process group, not one process.
      process.kill(-(starter.pid as number), 'SIGINT');
    }
    const [code] = await exited;
    expect(code).toBe(0);
    for (const port of Object.values(ports)) expect(await isListening(port)).toBe(false);
    for (const service of ['gateway', 'event', 'booking']) {
      expect(lines.some((l) => l.startsWith(`${service.padEnd(9)} | `) && l.includes('"deregistered"')), `${service} deregistered`).toBe(true);
    }
    expect(lines.filter((l) => l.includes('deregistration failed'))).toEqual([]);
  }, 90_000);

  it('says which port is taken, and starts nothing, when something already listens there', async () => {
    const ports = await freePorts();
    const squatter = createServer().listen(ports.GATEWAY_PORT, '127.0.0.1');
    await once(squatter, 'listening');
    try {
      const { lines, exited } = start(ports);
      const [code] = await exited;
      expect(code).toBe(1);
      expect(lines.join('\n')).toContain(`Port ${ports.GATEWAY_PORT} (gateway) is already in use`);
      expect(lines.some((l) => l.startsWith('Stream-Seat is up'))).toBe(false);
      for (const port of [ports.DISCOVERY_PORT, ports.EVENT_PORT, ports.BOOKING_PORT]) expect(await isListening(port)).toBe(false);
    } finally {
      squatter.close();
    }
  }, 30_000);
});
