/**
 * A loopback port whose connections never complete, as an address nothing routes to: a process
 * that listens with a one-connection backlog and never accepts (its event loop blocked at once),
 * its accept queue filled here; the kernel then drops every later SYN, so a connect waits until
 * the caller's own connect timeout — not refused, not reset. (Linux; the queue's overflow drops
 * SYNs even with SYN cookies on.)
 */
import { spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';

export interface SilentListener {
  port: number;
  close(): void;
}

const LISTEN_AND_FREEZE = `
const server = require('node:net').createServer().listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
  process.stdout.write(server.address().port + '\\n');
  // Frozen for two minutes at most: gone by itself should the test never close it.
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 120000);
  process.exit(0);
});`;

export async function startSilentListener(): Promise<SilentListener> {
  const child = spawn(process.execPath, ['-e', LISTEN_AND_FREEZE], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
    child.once('exit', (code) => reject(new Error(`the silent listener exited (${code})`)));
  });
  // The backlog's connections, completed by the kernel and never accepted: the queue is full.
  const fillers: Socket[] = [];
  for (let i = 0; i < 2; i++) {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.on('error', () => undefined);
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    fillers.push(socket);
  }
  return {
    port,
    close() {
      for (const socket of fillers) socket.destroy();
      child.kill('SIGKILL');
    },
  };
}
