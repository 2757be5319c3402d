import { describe, expect, it } from 'vitest';
import { AppError, Conflict, ServiceUnavailable } from './errors.js';

class SeatTaken extends Conflict {
  constructor(readonly seatId: string) {
    super('seat-taken', 'Seat taken', `${seatId} is taken`, { seatId });
  }
}

describe('AppError', () => {
  it('builds a client error (4xx) without stack frames, keeping every field', () => {
    const error = new SeatTaken('A-1');
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ status: 409, slug: 'seat-taken', title: 'Seat taken', message: 'A-1 is taken', seatId: 'A-1', name: 'SeatTaken' });
    expect(error.stack?.split('\n')).toEqual(['SeatTaken: A-1 is taken']);
  });

  it('keeps the stack of a server error (5xx), where it tells what went wrong', () => {
    const error = new ServiceUnavailable('database down');
    expect(error.stack).toMatch(/\n\s+at /);
  });

  it('leaves the process-wide stack trace limit as it found it', () => {
    const before = Error.stackTraceLimit;
    new SeatTaken('A-2');
    new ServiceUnavailable('x');
    expect(Error.stackTraceLimit).toBe(before);
    expect(new Error('plain').stack).toMatch(/\n\s+at /);
  });
});
