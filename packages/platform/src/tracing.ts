/** W3C trace context: continue an incoming `traceparent` or start one, and pass it on. */
import { AsyncLocalStorage } from 'node:async_hooks';
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

/** The request being handled, for calls made on its behalf (see `runInRequestContext`). */
interface RequestContext {
  trace: TraceContext;
  requestId: string;
}

const requestContext = new AsyncLocalStorage<RequestContext>();

/** Runs `work` — the rest of a request's handling — with the request's trace as the current one. */
export function runInRequestContext(context: RequestContext, work: () => void): void {
  requestContext.run(context, work);
}

/**
 * Headers for a call to another service: a child span of the current request's trace and its
 * request id, so that both services' log lines carry them; outside a request, a new trace.
 */
export function outgoingTraceHeaders(): Record<string, string> {
  const current = requestContext.getStore();
  const headers: Record<string, string> = { traceparent: formatTraceparent(childTrace(current?.trace)) };
  if (current) headers['x-request-id'] = current.requestId;
  return headers;
}
