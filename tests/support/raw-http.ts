/** HTTP/1.x over a plain socket, for tests that check the bytes on the wire (chunk framing). */
import { connect, type Socket } from 'node:net';

export interface RawResponse {
  head: string;
  body: Buffer;
}

/**
 * Sends a GET and collects the response until the server ends it — its closing chunk, or the
 * connection's end. `onHead` gets the socket once the head has arrived (e.g. to close it early).
 */
export function rawGet(
  url: string,
  options: { version?: '1.0' | '1.1'; headers?: Record<string, string>; onHead?: (socket: Socket) => void } = {},
): Promise<RawResponse> {
  const { hostname, port, pathname } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () =>
      socket.write(
        `GET ${pathname} HTTP/${options.version ?? '1.1'}\r\nHost: ${hostname}\r\nAccept: text/event-stream\r\n` +
          Object.entries(options.headers ?? {}).map(([name, value]) => `${name}: ${value}\r\n`).join('') +
          '\r\n',
      ),
    );
    let received = Buffer.alloc(0);
    let headSeen = false;
    const finish = () => {
      const end = received.indexOf('\r\n\r\n');
      resolve({ head: received.toString('latin1', 0, end), body: received.subarray(end + 4) });
    };
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (!headSeen && received.includes('\r\n\r\n')) {
        headSeen = true;
        options.onHead?.(socket);
      }
      // A chunked response is complete at its last chunk; the connection may stay open.
      if (received.toString('latin1').endsWith('\r\n0\r\n\r\n')) {
        socket.destroy();
        finish();
      }
    });
    socket.on('close', finish);
    socket.on('error', reject);
  });
}

/** Decodes a chunked body strictly, as text: every size must match its bytes, and the last chunk must be there. */
export function dechunk(body: Buffer): string {
  return dechunkBytes(body).toString('utf8');
}

/** Decodes a chunked body strictly, as bytes. */
export function dechunkBytes(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let pos = 0;
  for (;;) {
    const eol = body.indexOf('\r\n', pos);
    if (eol < 0) throw new Error('no closing chunk');
    const size = Number.parseInt(body.toString('latin1', pos, eol), 16);
    if (size === 0) return Buffer.concat(parts);
    parts.push(body.subarray(eol + 2, eol + 2 + size));
    if (body.toString('latin1', eol + 2 + size, eol + 4 + size) !== '\r\n') throw new Error(`chunk of ${size} bytes not followed by CRLF`);
    pos = eol + 4 + size;
  }
}
