/** How every service reads request bodies and checks what goes in and out against its schemas. */
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { InvalidField } from './errors.js';
import type { App } from './service.js';

/**
 * Requests are validated against their zod schemas, and answers checked as they are written;
 * problem+json answers are built by the problem handler alone, so they skip the check (it was
 * ~4% of the hold path's CPU, where most answers are 409s).
 */
export function registerSchemaCompilers(app: App): void {
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler<Parameters<typeof serializerCompiler>[0]['schema']>((route) =>
    route.contentType === 'application/problem+json' ? (data: unknown) => JSON.stringify(data) : serializerCompiler(route),
  );
}

/**
 * Clients send bodiless POSTs (`/publish`, `/cancel`) with `Content-Type: application/json`;
 * fastify's parser refuses the empty body with a 400 naming no field. Here an empty (or blank)
 * body is no body — a route whose body is required still answers 400 naming `body` — and any other body
 * goes to fastify's own parser, with its prototype-poisoning protection.
 */
export function registerJsonParser(app: App): void {
  const parseJson = app.getDefaultJsonParser(
    app.initialConfig.onProtoPoisoning ?? 'error',
    app.initialConfig.onConstructorPoisoning ?? 'error',
  );
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body.toString();
    if (text.trim() === '') return done(null, undefined);
    parseJson(request, text, (error, parsed) => {
      if (!error) return done(null, parsed);
      // Valid JSON refused for a `__proto__` or `constructor.prototype` key: say so, rather than
      // "not valid JSON", which sends a client looking for a syntax error that is not there.
      if (isValidJson(text)) return done(new InvalidField('body', 'must not use `__proto__` or `constructor.prototype` as a key'), undefined);
      done(error, undefined);
    });
  });
}

function isValidJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
