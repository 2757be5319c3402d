/** pino options shared by every service: JSON lines, service name, request id, secrets redacted. */
import { randomUUID } from 'node:crypto';
import type { FastifyRequest, FastifyServerOptions } from 'fastify';
import { stdSerializers } from 'pino';
import { SECRET_PARAM } from './config.js';

/**
 * Request targets that carry a credential in their path: a ticket's code is the ticket (whoever
 * has it gets in at the door), and it is sent in the check-in URL.
 */
const SECRET_PATH_SEGMENT = /(\/tickets\/+)[^/?#]+/gi;
/** Query parameters that carry a credential: named like a secret, or OAuth's authorization code and state. */
const SECRET_QUERY_PARAM = (name: string) => SECRET_PARAM.test(name) || name === 'code' || name === 'state';

/** A request target fit for logs: ticket codes and credential-bearing query values masked. */
export function redactRequestTarget(url: string): string {
  const queryStart = url.indexOf('?');
  const rawPath = queryStart < 0 ? url : url.slice(0, queryStart);
  // Judged as the router reads it: `/api/%74ickets/CODE` reaches check-in too. Such a path is
  // logged decoded, its code masked.
  let decoded = rawPath;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    // Not decodable: no route takes it; judged as written.
  }
  const maskedDecoded = decoded.replace(SECRET_PATH_SEGMENT, '$1[redacted]');
  const path = decoded !== rawPath && maskedDecoded !== decoded ? maskedDecoded : rawPath.replace(SECRET_PATH_SEGMENT, '$1[redacted]');
  if (queryStart < 0) return path;
  const query = url
    .slice(queryStart + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      let decoded = name;
      try {
        decoded = decodeURIComponent(name.replaceAll('+', ' '));
      } catch {
        // Not decodable: judged as written.
      }
      return eq >= 0 && SECRET_QUERY_PARAM(decoded) ? `${name}=[redacted]` : pair;
    })
    .join('&');
  return `${path}?${query}`;
}

/**
 * pino's error fields without the statement a database driver attached: mysql2 puts the SQL with
 * its values filled in on every query error (`err.sql`), and a failed check-in's would carry the
 * ticket's code. The driver's code, errno and message stay.
 */
function errorForLog(error: Error) {
  const { sql: _sql, ...fields } = stdSerializers.err(error) as ReturnType<typeof stdSerializers.err> & { sql?: unknown };
  return fields;
}

/** fastify's request log fields (its own serializer's), with the target redacted. */
function requestForLog(request: FastifyRequest) {
  return {
    method: request.method,
    url: redactRequestTarget(request.url),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}

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
    serializers: { req: requestForLog, err: errorForLog },
  };
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/** Keeps a well-formed incoming `x-request-id`; otherwise makes one. */
export function requestIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value && REQUEST_ID.test(value) ? value : randomUUID();
}
