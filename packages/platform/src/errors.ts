/** Typed application errors; the problem handler maps each kind to RFC 9457 problem+json. */

export interface ProblemFields {
  [key: string]: unknown;
}

let stackTraceLimitToRestore: number | undefined;

/**
 * Evaluated as the argument of AppError's super(): the Error being built then captures no frames
 * when it is a client's error. (Code before super() would read better, but some TypeScript
 * transforms hoist parameter properties above it.)
 */
function messageWithoutStackFor(status: number, message: string): string {
  if (status < 500) {
    stackTraceLimitToRestore = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
  }
  return message;
}

/**
 * Base class: a stable problem `type` slug, an HTTP status, a human title and extra fields.
 * A client's error (4xx) is an answer, not a fault: it carries no stack trace, whose capture
 * was a measurable share of a busy event's 409s (seats taken) on the hold path.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly slug: string,
    readonly title: string,
    detail?: string,
    readonly fields: ProblemFields = {},
  ) {
    super(messageWithoutStackFor(status, detail ?? title));
    if (stackTraceLimitToRestore !== undefined) {
      Error.stackTraceLimit = stackTraceLimitToRestore;
      stackTraceLimitToRestore = undefined;
    }
    this.name = new.target.name;
  }
}

export class BadRequest extends AppError {
  constructor(detail: string, fields: ProblemFields = {}) {
    super(400, 'bad-request', 'Bad request', detail, fields);
  }
}

/** A 400 that names the field at fault, as every validation problem does. */
export class InvalidField extends AppError {
  constructor(field: string, detail: string) {
    super(400, 'validation', 'Invalid request', `${field}: ${detail}`, {
      errors: [{ field, message: detail }],
    });
  }
}

/** A body the service cannot read as sent: another charset than UTF-8, or a content coding. */
export class UnsupportedMediaType extends AppError {
  constructor(detail: string) {
    super(415, 'unsupported-media-type', 'Unsupported media type', detail);
  }
}

export class Unauthorized extends AppError {
  constructor(detail = 'A valid bearer token is required') {
    super(401, 'unauthorized', 'Unauthorized', detail);
  }
}

export class Forbidden extends AppError {
  constructor(detail = 'Your role does not allow this') {
    super(403, 'forbidden', 'Forbidden', detail);
  }
}

export class NotFound extends AppError {
  constructor(what: string) {
    super(404, 'not-found', 'Not found', `${what} was not found`);
  }
}

export class Conflict extends AppError {
  constructor(slug: string, title: string, detail: string, fields: ProblemFields = {}) {
    super(409, slug, title, detail, fields);
  }
}

/**
 * Another service this request needs did not answer, or answered what this one cannot use: 502.
 * Not a 503: the gateway counts an instance's 503s against it and takes it out of rotation, but
 * this instance is fine — only the requests that need the other service fail.
 */
export class DependencyUnavailable extends AppError {
  constructor(dependency: string, detail: string) {
    super(502, 'dependency-unavailable', 'A service this needs is unavailable', detail, { dependency });
  }
}

export class ServiceUnavailable extends AppError {
  constructor(detail: string, fields: ProblemFields = {}) {
    super(503, 'service-unavailable', 'Service unavailable', detail, fields);
  }
}

/**
 * The rows this request needs were locked by others for longer than its retries waited (many
 * buyers at one event's seats): a 503 with `Retry-After` for the caller, as any busy server
 * answers. It tells the gateway, with {@link RESOURCE_BUSY_HEADER}, that the instance itself is
 * well: every instance would meet the same locks, so taking this one out of rotation would only
 * turn one hot event's contention into a 503 for every buyer of every event.
 */
export class Contended extends AppError {
  constructor(detail: string) {
    super(503, 'contended', 'Too busy', detail);
  }
}

/**
 * Set on a {@link Contended} 503 by the instance, read and removed by the gateway: this 503 is
 * about the data asked for, not about the instance, and does not count against its circuit.
 */
export const RESOURCE_BUSY_HEADER = 'stream-seat-resource-busy';

/**
 * Set by an instance on the 503 it answers while starting or shutting down, before any handler
 * ran; read and removed by the gateway: the request was not served, so it may go to another
 * instance whatever its method (a rolling deploy's turned-away requests had reached the client).
 */
export const NOT_SERVED_HEADER = 'stream-seat-not-served';

export const PROBLEM_TYPE_BASE = 'https://stream-seat.dev/problems/';
