import { describe, expect, it } from 'vitest';
import { canonicalTicketCode, newTicketCode, TICKET_CODE_BITS } from './ticket-code.js';

describe('ticket codes', () => {
  it('carry at least 128 bits in 26 characters of Crockford base32: no I, L, O or U to misread', () => {
    expect(TICKET_CODE_BITS).toBeGreaterThanOrEqual(128);
    for (let i = 0; i < 1_000; i++) expect(newTicketCode()).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
  });

  it('do not repeat, and use every character of the alphabet in every position', () => {
    const codes = Array.from({ length: 10_000 }, newTicketCode);
    expect(new Set(codes).size).toBe(10_000);
    // A bit-slicing mistake shows as a position stuck on few characters (the last one, of 2 bits, most of all).
    for (let position = 0; position < 26; position++) {
      expect(new Set(codes.map((c) => c[position])).size, `position ${position}`).toBe(32);
    }
  });

  it('reads a typed code in any case, with O for 0 and I or L for 1; leaves older codes as they are', () => {
    const code = '0123456789ABCDEFGHJKMNPQRS';
    expect(canonicalTicketCode(code)).toBe(code);
    expect(canonicalTicketCode(code.toLowerCase())).toBe(code);
    expect(canonicalTicketCode('OI23456789ABCDEFGHJKMNPQRS')).toBe(code);
    expect(canonicalTicketCode('ol23456789abcdefghjkmnpqrs')).toBe(code);
    // Base64url codes issued before: 24 characters, matched exactly (their case matters).
    expect(canonicalTicketCode('NLeRrhtZfIiNhf7DejfGIRJK')).toBe('NLeRrhtZfIiNhf7DejfGIRJK');
    // Not of this form (a U, a dash): itself, an unknown code.
    expect(canonicalTicketCode('U123456789ABCDEFGHJKMNPQRS')).toBe('U123456789ABCDEFGHJKMNPQRS');
    expect(canonicalTicketCode('0123456789ABCDEFGHJKMNPQ-S')).toBe('0123456789ABCDEFGHJKMNPQ-S');
  });
});
