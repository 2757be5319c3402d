/**
 * A service asked to stop (SIGTERM, as ECS does when a deploy is rolled back or overtaken) while
 * it starts: critical start-up work under way — a migration, whose DDL MySQL finishes without the
 * client — is let finish, then the service exits 0; other start-up work (a connection retried) is
 * not waited for. Node's default had killed it at once, mid-migration. A real process, real signals.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { eventually } from '../../../tests/support/free-port.js';

const service = fileURLToPath(new URL('../../../tests/support/slow-start-service.ts', import.meta.url));

/** Starts the service with a start-up step of `stepMs`, stops it (SIGTERM) once the step began: how it exited, what it printed. */
async function stoppedWhileStarting(stepMs: number, critical: boolean) {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', service], {
    env: { ...process.env, STEP_MS: String(stepMs), STEP_CRITICAL: critical ? '1' : '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: string[] = [];
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => lines.push(...chunk.split('\n').filter(Boolean)));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  try {
    await eventually(async () => lines.includes('step began') || undefined, 20_000, 'the start-up step to begin');
    child.kill('SIGTERM');
    const [code, signal] = await exited;
    return { code, signal, lines };
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

it('lets critical start-up work (a migration) under way finish when told to stop during it, then exits 0', async () => {
  const { code, signal, lines } = await stoppedWhileStarting(1_500, true);
  // Before: killed by the signal (code null, signal SIGTERM), the migration cut off.
  expect({ code, signal }).toEqual({ code: 0, signal: null });
  expect(lines).toContain('step ended');
}, 30_000);

it('does not wait for other start-up work (a connection retried) when told to stop: exits 0 at once', async () => {
  // A step far longer than the test's bound: had the stop waited for it, the test would time out.
  const { code, signal, lines } = await stoppedWhileStarting(120_000, false);
  expect({ code, signal }).toEqual({ code: 0, signal: null });
  expect(lines).not.toContain('step ended');
}, 30_000);
