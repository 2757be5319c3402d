/** Ports on loopback for tests: free ones for real processes, listening on one, probing one. */
import { connect, createServer } from 'node:net';

/**
 * Ports handed to real processes are picked below Linux's ephemeral range (32768 and up), which
 * is where listen(0) and every outgoing connection take theirs: a port asked of the kernel and
 * released again could be taken by any connection on the machine before the child binds it.
 * Each vitest worker counts through its own block of ports, so two test files never pick the
 * same one; each pick is checked bindable on loopback before it is handed out.
 */
const FIRST_PORT = 20_000;
const BLOCK_SIZE = 1_000;
const BLOCKS = 12;
const workerBlock = (Number(process.env['VITEST_POOL_ID'] ?? process.pid) % BLOCKS) * BLOCK_SIZE + FIRST_PORT;
let nextOffset = 0;

export async function freePort(): Promise<number> {
  for (let tries = 0; tries < BLOCK_SIZE; tries += 1) {
    const port = workerBlock + (nextOffset % BLOCK_SIZE);
    nextOffset += 1;
    if (await canBind(port)) return port;
  }
  throw new Error(`no free loopback port in ${workerBlock}-${workerBlock + BLOCK_SIZE - 1}`);
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
