/** The one error handler of every service: everything leaves as application/problem+json. */
import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { AppError, PROBLEM_TYPE_BASE, RESOURCE_BUSY_HEADER, UnsupportedMediaType } from './errors.js';
import type { RouteIndex } from './method-not-allowed.js';

/** A validation problem lists this many faults at most, and counts the rest (`moreErrors`). */
export const VALIDATION_ERRORS_SHOWN = 20;
/** A field name longer than this is cut, with "…" (a key is whatever a body sends). */
const FIELD_NAME_SHOWN = 100;

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  [key: string]: unknown;
}

/** Any fastify reply, whatever server it is typed for. */
interface ProblemReply {
  code(statusCode: number): { type(contentType: string): { send(payload?: unknown): unknown } };
  hasHeader(name: string): boolean;
  header(name: string, value: string): unknown;
}

/**
 * Seconds a 503 (or a 502: another service unavailable) asks the caller to wait before trying again (RFC 9110 `Retry-After`): long enough
 * for a restarted instance to register or an open circuit's trial, short for a buyer at a seat map.
 */
export const SERVICE_UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

const CONTENDED_TYPE = `${PROBLEM_TYPE_BASE}contended`;

/**
 * A request that reached a service whose answer never came back (its connection broke after the
 * request was sent): it may have been carried out. A 502 of this type asks for no retry after a
 * delay — repeating a payment is the caller's decision, with the same Idempotency-Key.
 */
export const OUTCOME_UNKNOWN_TYPE = `${PROBLEM_TYPE_BASE}outcome-unknown`;

export function sendProblem<R extends ProblemReply>(reply: R, problem: Problem): R {
  const retryable = problem.status === 503 || (problem.status === 502 && problem.type !== OUTCOME_UNKNOWN_TYPE);
  if (retryable && !reply.hasHeader('retry-after')) reply.header('retry-after', String(SERVICE_UNAVAILABLE_RETRY_AFTER_SECONDS));
  if (problem.type === CONTENDED_TYPE) reply.header(RESOURCE_BUSY_HEADER, '1');
  // RFC 9110 §15.5.2 and RFC 6750: a 401 names its scheme (no `error` parameter: the detail says why).
  if (problem.status === 401 && !reply.hasHeader('www-authenticate')) reply.header('www-authenticate', 'Bearer realm="stream-seat"');
  reply.code(problem.status).type('application/problem+json').send(problem);
  return reply;
}

/** `/seats/3/id` in the body → `seats.3.id`; in the query → `querystring.limit`. */
function fieldName(instancePath: string, location: string): string {
  const path = instancePath.split('/').filter(Boolean);
  const prefix = location === 'body' ? '' : `${location}.`;
  return writtenOut(path.length === 0 ? location : prefix + path.join('.'));
}

/**
 * A field name as the client sent it, but with what would not show, or would show as something
 * else, written as `\u{…}`: a key holding U+202E (a bidirectional override) or a NUL came back
 * in the error as it was, to be displayed reversed, or cut short, wherever the error is shown.
 */
function writtenOut(name: string): string {
  return name.replace(/[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/gu, (c) => `\\u{${(c.codePointAt(0) ?? 0).toString(16).toUpperCase()}}`);
}

/**
 * The messages of one field, each said once (its repeats dropped here, and only here) — and of
 * several bounds of one kind, the tightest
 * only: `z.number().int().max(100)` says "Too big" for the safe-integer bound and for 100, and
 * 1e300 had been told both ("expected int to be <=9007199254740991; … <=100").
 */
function tightest(messages: string[]): string[] {
  const bound = (message: string) => /^Too (big|small): .*?([<>]=?)\s*(-?[0-9.e+]+)\D*$/.exec(message);
  const kept: string[] = [];
  for (const message of messages) {
    const b = bound(message);
    const rival = b ? kept.findIndex((k) => bound(k)?.[1] === b[1]) : -1;
    const r = rival >= 0 ? bound(kept[rival] ?? '') : null;
    if (!b || !r) {
      if (!kept.includes(message)) kept.push(message);
      continue;
    }
    const tighter = b[1] === 'big' ? Number(b[3]) < Number(r[3]) : Number(b[3]) > Number(r[3]);
    if (tighter) kept[rival] = message;
  }
  return kept;
}

/** The 415's detail for a body sent without a Content-Type (the services' and the gateway's alike). */
export const UNTYPED_BODY = 'a body without a Content-Type is not read here; send application/json';

/** Turns an error of a library (a database driver, say) into an AppError, or passes. */
export type ErrorMapper = (error: unknown) => AppError | undefined;

/** What the first of `mappers` that knows `error` makes of it; undefined when none does. */
export function mapError(error: unknown, mappers: ErrorMapper[]): AppError | undefined {
  for (const mapper of mappers) {
    const mapped = mapper(error);
    if (mapped) return mapped;
  }
  return undefined;
}

/** Maps any thrown error to a problem; 5xx details are logged with the request id, never sent. */
export function toProblem(thrown: FastifyError | Error, request: FastifyRequest, mappers: ErrorMapper[] = []): Problem {
  const instance = request.url;
  let error = thrown;
  const mapped = mapError(thrown, mappers);
  if (mapped) {
    request.log.warn({ err: thrown }, mapped.title);
    error = mapped;
  }
  if ((error as FastifyError).code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    // The type a refused charset or coding has too (errors.ts): one 415 for clients to handle.
    const sent = request.headers['content-type'] ?? '';
    // Named, but not repeated at any length (a header may be 16 KB).
    const shown = sent.length > 100 ? `${sent.slice(0, 100)}…` : sent;
    error = new UnsupportedMediaType(
      sent === '' ? UNTYPED_BODY : `a body of Content-Type ${JSON.stringify(shown)} is not read here; send application/json`,
    );
  }
  if (error instanceof AppError) {
    return {
      type: PROBLEM_TYPE_BASE + error.slug,
      title: error.title,
      status: error.status,
      detail: error.message,
      instance,
      ...error.fields,
    };
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const location = (error as FastifyError).validationContext ?? 'body';
    const parsed = error.validation.flatMap((v) => {
      // A field the schema does not know is named itself, so that a typo is found at once.
      const unknown = v.keyword === 'unrecognized_keys' ? ((v.params as { keys?: unknown }).keys as string[] | undefined) : undefined;
      if (unknown?.length) {
        return unknown.map((key) => ({ field: fieldName(`${v.instancePath.replace(/\/$/, '')}/${key}`, location), message: 'is not a known field' }));
      }
      return [{ field: fieldName(v.instancePath, location), message: v.message ?? 'is invalid' }];
    });
    // One entry per field: an empty section id had been named twice (too short, and not of the
    // allowed characters); its messages are said together.
    const byField = new Map<string, string[]>();
    for (const { field, message } of parsed) {
      const messages = byField.get(field) ?? [];
      messages.push(message);
      byField.set(field, messages);
    }
    const errors = [...byField].map(([field, messages]) => ({ field, message: tightest(messages).join('; ') }));
    // The first few name the fault; a body of 60,000 bad keys made a 6 MB answer from one request,
    // and a few keys of 200 KB each a 1.6 MB one.
    const shown = errors.slice(0, VALIDATION_ERRORS_SHOWN).map((e) => ({ ...e, field: e.field.length > FIELD_NAME_SHOWN ? `${e.field.slice(0, FIELD_NAME_SHOWN)}…` : e.field }));
    const more = errors.length - shown.length;
    return {
      type: `${PROBLEM_TYPE_BASE}validation`,
      title: 'Invalid request',
      status: 400,
      detail: shown.map((e) => `${e.field}: ${e.message}`).join('; ') + (more > 0 ? `; and ${more} more` : ''),
      instance,
      errors: shown,
      ...(more > 0 ? { moreErrors: more } : {}),
    };
  }
  if (isResponseSerializationError(error)) {
    request.log.error({ err: error }, 'response does not match its schema');
    return internalProblem(instance, request.id);
  }
  const status = (error as FastifyError).statusCode;
  if (status && status >= 400 && status < 500) {
    const code = (error as FastifyError).code;
    if (code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError) {
      // A body that is not JSON names `body` like any invalid field (it had no `errors`, and the
      // framework's error code for a type: `ctp-invalid-json-body`).
      return { type: `${PROBLEM_TYPE_BASE}invalid-json`, title: 'Invalid JSON', status, detail: `body: ${error.message}`, instance, errors: [{ field: 'body', message: error.message }] };
    }
    return {
      // Named by its status, never by the framework's error code (a body over the limit had been
      // `ctp-body-too-large`, the parser's internal name).
      type: PROBLEM_TYPE_BASE + (status === 413 ? 'payload-too-large' : status === 415 ? 'unsupported-media-type' : 'bad-request'),
      title: status === 413 ? 'Payload too large' : status === 415 ? 'Unsupported media type' : 'Bad request',
      status,
      detail: error.message,
      instance,
    };
  }
  request.log.error({ err: error }, 'unhandled error');
  return internalProblem(instance, request.id, status && status >= 500 ? status : 500);
}

function internalProblem(instance: string, requestId: string, status = 500): Problem {
  return {
    type: `${PROBLEM_TYPE_BASE}internal`,
    title: 'Internal server error',
    status,
    detail: `Something went wrong on our side; quote request id ${requestId}`,
    instance,
    requestId,
  };
}

/** RFC 9110's methods, and PATCH (RFC 5789): a wrong one of these is a 405 where the path exists. */
const STANDARD_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH']);

/**
 * `routes`: the app's route index (method-not-allowed.ts). With it, a method of no standard that
 * no route serves (PROPFIND, MKCOL) is a 501 (RFC 9110 §9.1), whatever the path; a path that names a route under
 * other methods is answered 405 with `Allow` (§15.5.6); an unknown path stays a 404, and so does a
 * route that sends its own request here (`reply.callNotFound()`: its method is allowed).
 */
export function registerProblemHandler(app: FastifyInstance, mappers: ErrorMapper[] = [], routes?: RouteIndex): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const problem = toProblem(error, request, mappers);
    if (problem.status >= 500 && error instanceof AppError) request.log.warn({ err: error }, problem.title);
    return sendProblem(reply, problem);
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0];
    if (routes && !STANDARD_METHODS.has(request.method) && !routes.implements(request.method)) {
      return sendProblem(reply, {
        type: `${PROBLEM_TYPE_BASE}not-implemented`,
        title: 'Not implemented',
        status: 501,
        detail: `${request.method} is not a method this API implements, on any path`,
        instance: request.url,
      });
    }
    const allowed = routes?.allowedMethods(request.url) ?? [];
    if (allowed.length > 0 && !allowed.includes(request.method)) {
      reply.header('allow', allowed.join(', '));
      return sendProblem(reply, {
        type: `${PROBLEM_TYPE_BASE}method-not-allowed`,
        title: 'Method not allowed',
        status: 405,
        detail: `${request.method} is not allowed on ${path}; allowed: ${allowed.join(', ')}`,
        instance: request.url,
      });
    }
    return sendNotFound(reply, request);
  });
}

/** The 404 problem of a path no route serves (also for a route that must not be disclosed). */
export function sendNotFound<R extends ProblemReply>(reply: R, request: { method: string; url: string }): R {
  return sendProblem(reply, {
    type: `${PROBLEM_TYPE_BASE}not-found`,
    title: 'Not found',
    status: 404,
    detail: `No route for ${request.method} ${request.url.split('?')[0]}`,
    instance: request.url,
  });
}
