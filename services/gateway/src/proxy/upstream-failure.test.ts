import { describe, expect, it } from 'vitest';
import { upstreamFailure } from './upstream-failure.js';

/** An error as Node's sockets raise it (and undici passes on, or wraps as its cause). */
const socketError = (code: string, syscall: string) => Object.assign(new Error(`${syscall} ${code}`), { code, errno: -104, syscall });

describe('how far a failed upstream request got', () => {
  it('was not sent when no connection was made, refused or reset while connecting (an instance closing its listener)', () => {
    expect(upstreamFailure(socketError('ECONNREFUSED', 'connect')).reach).toBe('not-sent');
    expect(upstreamFailure(socketError('ECONNRESET', 'connect'))).toEqual({ code: 'ECONNRESET', reach: 'not-sent' });
    expect(upstreamFailure(Object.assign(new Error('fetch failed'), { cause: socketError('ECONNRESET', 'connect') })).reach).toBe('not-sent');
    expect(upstreamFailure({ code: 'UND_ERR_CONNECT_TIMEOUT' }).reach).toBe('not-sent');
  });

  it('may have been acted on when reset or closed once connected', () => {
    expect(upstreamFailure(socketError('ECONNRESET', 'read'))).toEqual({ code: 'ECONNRESET', reach: 'maybe-sent' });
    expect(upstreamFailure({ code: 'UND_ERR_SOCKET' }).reach).toBe('maybe-sent');
  });

  it('is neither for a timeout waiting for the answer, or an error without a code', () => {
    expect(upstreamFailure({ code: 'UND_ERR_HEADERS_TIMEOUT' }).reach).toBe('other');
    expect(upstreamFailure(new Error('boom'))).toEqual({ code: undefined, reach: 'other' });
  });
});
