/**
 * How far a request that failed on its way to an instance got: whether the instance can have
 * acted on it. That decides whether it may go to the next instance, and what the caller is told.
 */

/**
 * Failures before a connection existed, so before any request byte was written: an instance that
 * deregistered and closed stays in the registry cache for up to one fetch interval (a rolling
 * deploy), and its callers' holds and orders must go to the next instance, not fail.
 */
const NOT_SENT_ERRORS = new Set(['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
/**
 * Failures that can come after the request was sent (a reset; the upstream closing the socket, as
 * a stale keep-alive connection to an instance that shut down does): the service may have acted.
 */
const MAYBE_SENT_ERRORS = new Set(['ECONNRESET', 'UND_ERR_SOCKET']);

export interface UpstreamFailure {
  code: string | undefined;
  /** `not-sent`: the instance cannot have acted; `maybe-sent`: it may have; `other`: neither is known. */
  reach: 'not-sent' | 'maybe-sent' | 'other';
}

export function upstreamFailure(error: unknown): UpstreamFailure {
  const e = error as { code?: string; syscall?: string; cause?: { code?: string; syscall?: string } };
  const code = e.cause?.code ?? e.code;
  if (code === undefined) return { code, reach: 'other' };
  if (NOT_SENT_ERRORS.has(code)) return { code, reach: 'not-sent' };
  // A reset while connecting (an instance closing its listener as it shuts down): nothing was
  // written. It had been answered "may have been carried out", and not tried on the next instance.
  if ((e.cause?.syscall ?? e.syscall) === 'connect') return { code, reach: 'not-sent' };
  if (MAYBE_SENT_ERRORS.has(code)) return { code, reach: 'maybe-sent' };
  return { code, reach: 'other' };
}
