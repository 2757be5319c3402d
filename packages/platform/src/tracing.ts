/** W3C trace context: continue an incoming `traceparent` or start one, and pass it on. */
import { randomFillSync } from 'node:crypto';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

export interface TraceContext {
  traceId: string;
  spanId: string;
  flags: string;
}

export function parseTraceparent(header: string | string[] | undefined): TraceContext | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  const match = value ? TRACEPARENT.exec(value.trim()) : null;
  if (!match) return undefined;
  const [, traceId, spanId, flags] = match as unknown as [string, string, string, string];
  if (/^0+$/.test(traceId) || /^0+$/.test(spanId)) return undefined;
  return { traceId, spanId, flags };
}

/**
 * Random ids are cut from a pool refilled 4 KiB at a time: two `randomBytes` calls per request
 * were 6-9 % of a hold request's CPU. Ids are still from the CSPRNG, each byte used once.
 */
const pool = Buffer.alloc(4096);
let used = pool.length;
function randomHex(bytes: number): string {
  if (used + bytes > pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  used += bytes;
  return pool.toString('hex', used - bytes, used);
}

/** A child span of the incoming context, or a new sampled trace when there is none. */
export function childTrace(parent: TraceContext | undefined): TraceContext {
  return {
    traceId: parent?.traceId ?? randomHex(16),
    spanId: randomHex(8),
    flags: parent?.flags ?? '01',
  };
}

export function formatTraceparent(trace: TraceContext): string {
  return `00-${trace.traceId}-${trace.spanId}-${trace.flags}`;
}

/**
 * The request a call to another service is made on behalf of: passed explicitly down to the
 * client that makes the call (an AsyncLocalStorage would save the passing, but on Node 20 it
 * turns on async hooks for every promise of the process: 10 % more CPU per hold request).
 */
export interface CallContext {
  trace: TraceContext;
  requestId: string;
}

/** The call context of a request being handled. */
export function callContextOf(request: { trace: TraceContext; id: string }): CallContext {
  return { trace: request.trace, requestId: request.id };
}

/**
 * Headers for a call to another service: a child span of the caller's trace and its request id,
 * so that both services' log lines carry them; without a caller (background work), a new trace.
 */
export function outgoingTraceHeaders(caller?: CallContext): Record<string, string> {
  const headers: Record<string, string> = { traceparent: formatTraceparent(childTrace(caller?.trace)) };
  if (caller) headers['x-request-id'] = caller.requestId;
  return headers;
}
