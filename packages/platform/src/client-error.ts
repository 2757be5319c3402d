/**
 * Requests Node's HTTP parser refuses before fastify sees them — headers over 16 KB, a control
 * character in a header, a malformed request line, a request that took too long to arrive — get a
 * problem+json answer like every other error, instead of fastify's default `{"error": …}` JSON.
 * The connection is closed after it: the parser cannot find where the next request starts.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { PROBLEM_TYPE_BASE } from './errors.js';

interface ParserError extends Error {
  code?: string;
}

/** Status, type and detail for the parser's error codes (llhttp's HPE_*, and Node's own). */
function describe(error: ParserError): { status: number; reason: string; type: string; detail: string } {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return {
        status: 431,
        reason: 'Request Header Fields Too Large',
        type: 'headers-too-large',
        detail: 'The request line and headers exceed 16 KB: send a shorter URL, fewer cookies or a smaller Authorization header',
      };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, reason: 'Request Timeout', type: 'request-timeout', detail: 'The request did not arrive in time' };
    case 'HPE_INVALID_HEADER_TOKEN':
    case 'HPE_LF_EXPECTED':
      return { status: 400, reason: 'Bad Request', type: 'bad-request', detail: 'headers: a header name or value holds a character HTTP does not allow (a control character?)' };
    default:
      return { status: 400, reason: 'Bad Request', type: 'bad-request', detail: `The request is not valid HTTP (${error.code ?? error.message})` };
  }
}

interface RawProblem {
  status: number;
  reason: string;
  type: string;
  detail: string;
  /** Further header lines (`Name: value`). */
  headers?: string[];
}

/** Writes a problem+json answer straight to the socket, saying the connection closes after it. */
function writeProblem(socket: Socket, { status, reason, type, detail, headers = [] }: RawProblem): void {
  const body = JSON.stringify({ type: `${PROBLEM_TYPE_BASE}${type}`, title: reason, status, detail });
  if (!socket.writable) return;
  const head = [`HTTP/1.1 ${status} ${reason}`, 'Content-Type: application/problem+json', `Content-Length: ${Buffer.byteLength(body)}`, 'Connection: close', ...headers];
  socket.write(`${head.join('\r\n')}\r\n\r\n${body}`);
}

export function answerClientError(error: ParserError, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  writeProblem(socket, describe(error));
  socket.destroy(error);
}

/**
 * A CONNECT (a request for a tunnel, as to a proxy): Node hands its socket to `connect` listeners
 * and, with none, closed it without a word. No service here tunnels: a path that names a route is
 * a 405 listing its methods, like any other method it does not take, anything else a 404.
 */
export function answerConnect(allowedMethods: (url: string) => string[]) {
  return (request: IncomingMessage, socket: Socket): void => {
    const target = request.url ?? '';
    const allowed = target.startsWith('/') ? allowedMethods(target) : [];
    writeProblem(
      socket,
      allowed.length > 0
        ? { status: 405, reason: 'Method Not Allowed', type: 'method-not-allowed', detail: `CONNECT is not allowed on ${target.split('?')[0]}; allowed: ${allowed.join(', ')}`, headers: [`Allow: ${allowed.join(', ')}`] }
        : { status: 404, reason: 'Not Found', type: 'not-found', detail: 'No route for CONNECT: this server is not a proxy' },
    );
    socket.destroy();
  };
}

/**
 * An `Expect` other than `100-continue` (RFC 9110 §10.1.1: none other is defined): a 417 problem.
 * Node's own answer had no body at all.
 */
export function answerUnmetExpectation(request: IncomingMessage, response: ServerResponse): void {
  const expect = String(request.headers.expect ?? '');
  const body = JSON.stringify({
    type: `${PROBLEM_TYPE_BASE}expectation-failed`,
    title: 'Expectation Failed',
    status: 417,
    detail: `headers.expect: only 100-continue is understood, not ${JSON.stringify(expect.slice(0, 100))}`,
  });
  response.writeHead(417, { 'content-type': 'application/problem+json', 'content-length': Buffer.byteLength(body), connection: 'close' });
  response.end(body);
}
