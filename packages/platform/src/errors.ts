/** Typed application errors; the problem handler maps each kind to RFC 9457 problem+json. */

export interface ProblemFields {
  [key: string]: unknown;
}

/** Base class: a stable problem `type` slug, an HTTP status, a human title and extra fields. */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly slug: string,
    readonly title: string,
    detail?: string,
    readonly fields: ProblemFields = {},
  ) {
    super(detail ?? title);
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

export class ServiceUnavailable extends AppError {
  constructor(detail: string, fields: ProblemFields = {}) {
    super(503, 'service-unavailable', 'Service unavailable', detail, fields);
  }
}

export const PROBLEM_TYPE_BASE = 'https://stream-seat.dev/problems/';
