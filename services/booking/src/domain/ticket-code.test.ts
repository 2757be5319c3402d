import { describe, expect, it } from 'vitest';
import { newTicketCode, TICKET_CODE_BYTES } from './ticket-code.js';

describe('ticket codes', () => {
  it('carry at least 128 bits and are URL-safe', () => {
    expect(TICKET_CODE_BYTES * 8).toBeGreaterThanOrEqual(128);
    const code = newTicketCode();
    expect(code).toMatch(/^[A-Za-z0-9_-]{24}$/);
  });

  it('do not repeat', () => {
    const codes = new Set(Array.from({ length: 10_000 }, newTicketCode));
    expect(codes.size).toBe(10_000);
  });
});
