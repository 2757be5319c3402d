import { Writable } from 'node:stream';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { loggerOptions, redactRequestTarget } from './logger.js';

/** A fastify app with the services' logger options, its log lines kept in `lines`. */
function loggedApp() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { app: Fastify({ logger: { ...(loggerOptions('test', 'info') as object), stream } }), lines };
}

describe('request targets in logs', () => {
  it('masks ticket codes in paths and credential-bearing query values', () => {
    expect(redactRequestTarget('/api/tickets/i87uVhIVFU9O_AjRHrBlys16/check-in')).toBe('/api/tickets/[redacted]/check-in');
    // A doubled slash reaches no route (404), and is logged all the same.
    expect(redactRequestTarget('/api/tickets//i87uVhIVFU9O_AjRHrBlys16/check-in')).toBe('/api/tickets//[redacted]/check-in');
    // Percent-encoded (the router decodes it to the check-in route) or in other letters.
    expect(redactRequestTarget('/api/%74ickets/i87uVhIVFU9O_AjRHrBlys16/check-in')).toBe('/api/tickets/[redacted]/check-in');
    expect(redactRequestTarget('/api/Tickets/i87uVhIVFU9O_AjRHrBlys16')).toBe('/api/Tickets/[redacted]');
    expect(redactRequestTarget('/api/tickets/%69%38%37uVhIVFU9O/check-in')).toBe('/api/tickets/[redacted]/check-in');
    expect(redactRequestTarget('/?code=AUTHCODE&state=STATE123&next=%2F')).toBe('/?code=[redacted]&state=[redacted]&next=%2F');
    expect(redactRequestTarget('/api/events?access_token=t0k&password=hunter2&q=gala&limit=5')).toBe(
      '/api/events?access_token=[redacted]&password=[redacted]&q=gala&limit=5',
    );
    expect(redactRequestTarget('/api/events?api%5Fkey=k&%ZZ=1')).toBe('/api/events?api%5Fkey=[redacted]&%ZZ=1');
    expect(redactRequestTarget('/api/events/e1/seatmap')).toBe('/api/events/e1/seatmap');
  });

  it('writes no ticket code and no such value into a service’s request lines', async () => {
    const { app, lines } = loggedApp();
    app.post('/api/tickets/:code/check-in', async () => ({ ok: true }));
    await app.inject({ method: 'POST', url: '/api/tickets/SECRETTICKETCODE/check-in?token=SECRETTOKEN' });
    await app.close();
    const log = lines.join('');
    expect(log).toContain('"url":"/api/tickets/[redacted]/check-in?token=[redacted]"');
    expect(log).not.toMatch(/SECRETTICKETCODE|SECRETTOKEN/);
  });

  it('leaves out the statement a database error carries (mysql2 fills in its values: a ticket code)', async () => {
    const { app, lines } = loggedApp();
    await app.ready();
    // What mysql2 throws for a lock wait during a check-in.
    const error = Object.assign(new Error('Lock wait timeout exceeded; try restarting transaction'), {
      code: 'ER_LOCK_WAIT_TIMEOUT',
      errno: 1205,
      sql: "update `tickets` set `checked_in_at` = 1 where `code` = 'SECRETTICKETCODE'",
    });
    app.log.warn({ err: error }, 'check-in failed');
    await app.close();
    const log = lines.join('');
    expect(log).toContain('"code":"ER_LOCK_WAIT_TIMEOUT"');
    expect(log).toContain('Lock wait timeout exceeded');
    expect(log).not.toContain('SECRETTICKETCODE');
  });
});
