/** pino options shared by every service: JSON lines, service name, request id, secrets redacted. */
import { randomUUID } from 'node:crypto';
import type { FastifyServerOptions } from 'fastify';

export function loggerOptions(service: string, level: string): NonNullable<FastifyServerOptions['logger']> {
  return {
    level,
    base: { service },
    timestamp: () => `,"time":"${new Date().toISOString()}"`,
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', '*.password', '*.token'],
      censor: '[redacted]',
    },
    formatters: { level: (label: string) => ({ level: label }) },
  };
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/** Keeps a well-formed incoming `x-request-id`; otherwise makes one. */
export function requestIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value && REQUEST_ID.test(value) ? value : randomUUID();
}
