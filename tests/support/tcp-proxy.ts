/**
 * A loopback TCP proxy that a test can cut and restore, to simulate a database outage, or stall, to
 * simulate a network that takes connections and never answers (one bar of signal).
 */
import { createServer, type Server, type Socket, connect } from 'node:net';

export interface TcpProxy {
  port: number;
  /** Drops every connection and stops listening: new connections are refused. */
  cut(): Promise<void>;
  /** Takes new connections and never answers on them (open ones are dropped); restore() ends it. */
  stall(): void;
  /** Listens again on the same port, and passes traffic again. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(targetHost: string, targetPort: number, port = 0): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let stalled = false;
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const dropAll = () => {
    for (const socket of sockets) socket.destroy();
    sockets.clear();
  };

  const listen = (onPort: number) =>
    new Promise<number>((resolve, reject) => {
      const s = createServer((client) => {
        track(client);
        if (stalled) return;
        const upstream = connect(targetPort, targetHost);
        track(upstream);
        client.pipe(upstream).pipe(client);
      });
      s.once('error', reject);
      s.listen(onPort, '127.0.0.1', () => {
        server = s;
        const address = s.address();
        resolve(typeof address === 'object' && address ? address.port : onPort);
      });
    });

  const stop = () =>
    new Promise<void>((resolve) => {
      dropAll();
      if (!server) return resolve();
      server.close(() => resolve());
      server = undefined;
    });

  const boundPort = await listen(port);
  return {
    port: boundPort,
    cut: stop,
    stall: () => {
      dropAll();
      stalled = true;
    },
    restore: async () => {
      if (stalled) dropAll();
      stalled = false;
      if (!server) await listen(boundPort);
    },
    close: stop,
  };
}
