/**
 * Relays an upstream Server-Sent Events body to the client: each upstream chunk becomes one
 * write of one chunk on the client's socket. With thousands of streams per change, fastify's
 * stream piping and ServerResponse.write (a cork, four buffers per chunk, a tick to uncork) were
 * most of the gateway's JavaScript per relayed frame. `res` still writes the head and the end
 * (the closing zero-length chunk); the bytes in between are the upstream's, unchanged.
 */
import { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { httpChunk } from '@stream-seat/platform';
import type { FastifyReply, RawServerBase, RouteGenericInterface } from 'fastify';

/** True when the upstream answer is an event stream that this relay can carry (HTTP/1 client). */
export function isRelayableEventStream(reply: FastifyReply<RouteGenericInterface, RawServerBase>, method: string): boolean {
  const contentType = reply.getHeader('content-type');
  return method === 'GET' && reply.raw instanceof ServerResponse && typeof contentType === 'string' && contentType.startsWith('text/event-stream');
}

/**
 * Sends the reply's status and headers (already copied from upstream), then the body's bytes as
 * they come. Backpressure: a client that does not read pauses its upstream (whose own bound then
 * applies). Either side closing closes the other.
 */
export function relayEventStream(reply: FastifyReply<RouteGenericInterface, RawServerBase>, body: Readable): void {
  const res = reply.raw as ServerResponse;
  reply.hijack();
  for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) res.setHeader(name, value);
  res.writeHead(reply.statusCode);
  res.flushHeaders();
  body.on('error', () => res.destroy());
  // The client left (or the socket failed): let go of the upstream, which then sees the disconnect.
  res.on('close', () => body.destroy());
  const relay = (socket: Socket | undefined) => {
    // Gone before its turn came (a pipelined request): no 'close' comes for a response that never
    // had a socket, and the upstream stream had stayed open for good.
    if (!socket || socket.destroyed) {
      body.destroy();
      return;
    }
    // HTTP/1.1 responses without a length are chunked; an HTTP/1.0 client gets the bytes as they are.
    const chunked = res.chunkedEncoding;
    const resume = () => body.resume();
    body.on('data', (bytes: Buffer) => {
      if (socket.destroyed || bytes.length === 0) return;
      if (!socket.write(chunked ? httpChunk(bytes) : bytes)) {
        body.pause();
        socket.once('drain', resume);
      }
    });
    body.on('end', () => res.end());
  };
  void responseSocket(res, reply.request.raw.socket).then(relay);
}

/**
 * The response's socket, once what was written to the response so far has gone to it; undefined
 * when the connection closes first. A response to a request pipelined behind another on its
 * connection has none until that one is answered (a shared stream had been taken over and never
 * answered, a relayed one let go): Node writes the queued head right after it emits 'socket', so
 * what is written to the socket itself follows a tick later.
 */
export function responseSocket(res: ServerResponse, connection: Socket): Promise<Socket | undefined> {
  if (res.socket) return Promise.resolve(res.socket);
  return new Promise((resolve) => {
    const gone = () => {
      res.off('socket', assigned);
      resolve(undefined);
    };
    const assigned = (socket: Socket) => {
      connection.off('close', gone);
      process.nextTick(() => resolve(socket));
    };
    res.once('socket', assigned);
    connection.once('close', gone);
  });
}
