/** Ports on loopback for tests: free ones for real processes, listening on one, probing one. */
import { randomInt } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Ports handed to real processes are picked below Linux's ephemeral range (32768 and up), which
 * is where listen(0) and every outgoing connection take theirs: a port asked of the kernel and
 * released again could be taken by any connection on the machine before the child binds it.
 * A port is also reserved, across every process on the machine (vitest's workers, a second run,
 * a benchmark), with a file created exclusively under the temp directory, and checked bindable on
 * loopback. Reservations are removed when the process exits; one whose process is gone (a worker
 * killed at the end of a run), or older than an hour, is taken over.
 */
const FIRST_PORT = 20_000;
const PORTS = 12_000;
const STALE_RESERVATION_MS = 3_600_000;
const reservations = join(tmpdir(), 'stream-seat-test-ports');
const held: string[] = [];
let next = FIRST_PORT + randomInt(PORTS);

export async function freePort(): Promise<number> {
  mkdirSync(reservations, { recursive: true });
  for (let tries = 0; tries < PORTS; tries += 1) {
    const port = next;
    next = FIRST_PORT + ((next - FIRST_PORT + 1) % PORTS);
    if (reserve(port) && (await canBind(port))) return port;
  }
  throw new Error(`no free loopback port in ${FIRST_PORT}-${FIRST_PORT + PORTS - 1}`);
}

function reserve(port: number): boolean {
  const file = join(reservations, String(port));
  try {
    writeFileSync(file, String(process.pid), { flag: 'wx' });
  } catch {
    try {
      const owner = Number(readFileSync(file, 'utf8'));
      if (isAlive(owner) && Date.now() - statSync(file).mtimeMs < STALE_RESERVATION_MS) return false;
      writeFileSync(file, String(process.pid));
    } catch {
      return false;
    }
  }
  if (held.length === 0) process.once('exit', () => held.forEach((f) => rmSync(f, { force: true })));
  held.push(file);
  return true;
}

/** True while the process is there (signal 0 only asks); a worker killed at the end of a run leaves its files behind. */
function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** Polls `probe` until it returns a value (not undefined) or the time runs out. */
export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
}

/** Starts a fastify app on a free loopback port; resolves with the port. */
export async function listenOnLoopback(app: { listen(options: { port: number; host: string }): Promise<unknown>; server: { address(): unknown } }): Promise<number> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  return (app.server.address() as { port: number }).port;
}

/** True when something accepts connections on the loopback port. */
export function isListening(port: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
