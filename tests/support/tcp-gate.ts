/**
 * A loopback TCP proxy whose client-to-server direction can be held shut: a test holds a booking
 * instance's Redis traffic to keep its SUBSCRIBE from reaching Redis until the test lets it, which
 * makes "a change published while the subscription is on its way" an ordering, not a timing. It
 * can also lose the answer to one request: the server does the work (a COMMIT commits), the
 * client sees its connection drop instead of the reply. Or a connection can go dark mid-way, as
 * a frozen client or a cut link does: open at both ends, and silent. Or the server's side of every
 * open connection can close while its client has not heard of it yet, as when the server closes
 * an idle connection just as a request takes it from a pool.
 */
import { connect, createServer, type Socket } from 'node:net';

export interface TcpGate {
  /** `target` with this gate's address instead of the target's (e.g. a redis:// URL). */
  url: string;
  /** From now on, bytes from clients wait in the gate; forgets what it saw before. */
  hold(): void;
  /** Sends what waited, in order, and lets bytes through again. */
  release(): void;
  /** Resolves once clients have sent `text` (held or not) since the last hold(). */
  received(text: string): Promise<void>;
  /**
   * The next chunk a client sends containing `text` reaches the server, but the server's reply
   * on that connection does not reach the client: the connection is cut instead. Resolves then.
   */
  loseReplyTo(text: string): Promise<void>;
  /**
   * The next chunk a client sends containing `text` reaches the server; from then on nothing
   * passes either way on that connection, and neither end hears of the other closing (a link gone
   * dark, or a frozen client). Resolves when that chunk has passed; close() ends the connection.
   */
  goDarkAfter(text: string): Promise<void>;
  /**
   * Closes the server's side of every open connection now (the server ends those sessions); each
   * client hears nothing of it until it next sends, when its connection is reset instead.
   */
  closeServerSides(): void;
  close(): Promise<void>;
}

export async function startTcpGate(target: string): Promise<TcpGate> {
  const upstream = new URL(target);
  const sockets = new Set<Socket>();
  let held: Array<() => void> | undefined;
  let seen = '';
  const waiters = new Set<() => void>();
  let loseReply: { text: string; lost(): void } | undefined;
  let goDark: { text: string; dark(): void } | undefined;
  const closeServerSide = new Set<() => void>();

  const server = createServer((client) => {
    const toTarget = connect(Number(upstream.port), upstream.hostname);
    let replyLost: (() => void) | undefined;
    let dark = false;
    let serverSideClosed = false;
    const closeMine = () => {
      serverSideClosed = true;
      toTarget.destroy();
    };
    closeServerSide.add(closeMine);
    for (const socket of [client, toTarget]) {
      sockets.add(socket);
      socket.on('close', () => {
        sockets.delete(socket);
        closeServerSide.delete(closeMine);
        if (dark || (serverSideClosed && socket === toTarget)) return;
        client.destroy();
        toTarget.destroy();
      });
      socket.on('error', () => undefined);
    }
    toTarget.on('data', (chunk: Buffer) => {
      if (dark) return;
      if (!replyLost) return void client.write(chunk);
      client.destroy();
      toTarget.destroy();
      replyLost();
    });
    client.on('data', (chunk: Buffer) => {
      if (dark) return;
      if (serverSideClosed) return void client.resetAndDestroy();
      seen += chunk.toString('latin1');
      if (goDark && chunk.toString('latin1').includes(goDark.text)) {
        dark = true;
        toTarget.write(chunk);
        goDark.dark();
        goDark = undefined;
        return;
      }
      if (loseReply && chunk.toString('latin1').includes(loseReply.text)) {
        replyLost = loseReply.lost;
        loseReply = undefined;
      }
      for (const wake of waiters) wake();
      if (held) held.push(() => toTarget.write(chunk));
      else toTarget.write(chunk);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const gate = new URL(target);
  gate.hostname = '127.0.0.1';
  gate.port = String((server.address() as { port: number }).port);

  return {
    url: gate.toString(),
    hold() {
      held ??= [];
      seen = '';
    },
    release() {
      const waiting = held ?? [];
      held = undefined;
      for (const send of waiting) send();
    },
    received(text) {
      return new Promise((resolve) => {
        const check = () => {
          if (!seen.includes(text)) return;
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
        check();
      });
    },
    loseReplyTo(text) {
      return new Promise((resolve) => (loseReply = { text, lost: resolve }));
    },
    goDarkAfter(text) {
      return new Promise((resolve) => (goDark = { text, dark: resolve }));
    },
    closeServerSides() {
      for (const closeOne of [...closeServerSide]) closeOne();
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
