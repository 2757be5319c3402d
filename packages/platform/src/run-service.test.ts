/**
 * A service asked to stop (SIGTERM, as ECS does when a deploy is rolled back or overtaken) while
 * its start-up work — a migration — is under way: the step finishes, then the service stops and
 * exits 0. Node's default had killed it at once, mid-migration. A real process, real signals.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { eventually } from '../../../tests/support/free-port.js';

const service = fileURLToPath(new URL('../../../tests/support/slow-start-service.ts', import.meta.url));

it('finishes the start-up step under way when told to stop during it, then exits 0', async () => {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', service], {
    env: { ...process.env, STEP_MS: '1500' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: string[] = [];
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => lines.push(...chunk.split('\n').filter(Boolean)));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  try {
    await eventually(async () => lines.includes('step began') || undefined, 20_000, 'the start-up step to begin');
    child.kill('SIGTERM');
    const [code, signal] = await exited;
    // Before: killed by the signal (code null, signal SIGTERM), the step cut off.
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(lines).toContain('step ended');
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}, 30_000);
