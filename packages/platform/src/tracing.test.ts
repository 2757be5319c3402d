import { describe, expect, it } from 'vitest';
import { childTrace, formatTraceparent, parseTraceparent } from './tracing.js';

describe('W3C trace context', () => {
  it('reads a valid traceparent and refuses malformed or all-zero ones', () => {
    const header = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    expect(parseTraceparent(header)).toEqual({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', flags: '01' });
    expect(parseTraceparent(['  ' + header + ' '])?.spanId).toBe('00f067aa0ba902b7');
    expect(parseTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7')).toBeUndefined();
    expect(parseTraceparent(`00-${'0'.repeat(32)}-00f067aa0ba902b7-01`)).toBeUndefined();
    expect(parseTraceparent(undefined)).toBeUndefined();
  });

  it('continues the parent trace with a new span', () => {
    const parent = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', flags: '00' };
    const child = childTrace(parent);
    expect(child.traceId).toBe(parent.traceId);
    expect(child.flags).toBe('00');
    expect(child.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(child.spanId).not.toBe(parent.spanId);
    expect(parseTraceparent(formatTraceparent(child))).toEqual(child);
  });

  it('starts new traces with ids that never repeat, across refills of the random pool', () => {
    const traces = Array.from({ length: 2_000 }, () => childTrace(undefined)); // 48 KB of ids: many refills
    const ids = new Set(traces.flatMap((t) => [t.traceId, t.spanId]));
    expect(ids.size).toBe(4_000);
    for (const t of traces.slice(0, 50)) {
      expect(t.traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(t.spanId).toMatch(/^[0-9a-f]{16}$/);
      expect(t.flags).toBe('01');
    }
  });
});
