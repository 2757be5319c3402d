/**
 * Requests Node's HTTP parser refuses before fastify sees them — headers over 16 KB, a control
 * character in a header, a malformed request line, a request that took too long to arrive — get a
 * problem+json answer like every other error, instead of fastify's default `{"error": …}` JSON.
 * The connection is closed after it: the parser cannot find where the next request starts.
 */
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

export function answerClientError(error: ParserError, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const { status, reason, type, detail } = describe(error);
  const body = JSON.stringify({ type: `${PROBLEM_TYPE_BASE}${type}`, title: reason, status, detail });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
