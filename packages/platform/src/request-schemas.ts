/** How every service reads request bodies and checks what goes in and out against its schemas. */
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { InvalidField, UnsupportedMediaType } from './errors.js';
import { duplicateKey } from './json-duplicate-keys.js';
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
 *
 * The body is read as bytes and decoded strictly: bytes that are not UTF-8 (Latin-1 text, say)
 * are a 400 naming `body`, where reading it as a string had stored U+FFFD in their place. A
 * charset other than UTF-8, or a content coding (a gzipped body), is a 415 that says so, where
 * the bytes had failed as "not valid JSON" or been read as something else.
 */
export function registerJsonParser(app: App): void {
  // Fastify reads text/plain bodies as strings by default, which a JSON route then refused with a
  // 400 ("expected object, received string"); like any other type no route reads, it is a 415.
  app.removeContentTypeParser('text/plain');
  const parseJson = app.getDefaultJsonParser(
    app.initialConfig.onProtoPoisoning ?? 'error',
    app.initialConfig.onConstructorPoisoning ?? 'error',
  );
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const refused = unreadableBody(request.headers['content-type'], request.headers['content-encoding']);
    if (refused) return done(new UnsupportedMediaType(refused), undefined);
    const text = utf8Text(body as Buffer);
    if (text === undefined) return done(new InvalidField('body', 'is not valid UTF-8 (JSON is sent in UTF-8)'), undefined);
    if (text.trim() === '') return done(null, undefined);
    parseJson(request, text, (error, parsed) => {
      if (!error) {
        const twice = duplicateKey(text);
        return twice === undefined ? done(null, parsed) : done(new InvalidField(twice, 'is given more than once'), undefined);
      }
      // Valid JSON refused for a `__proto__` or `constructor.prototype` key: say so, rather than
      // "not valid JSON", which sends a client looking for a syntax error that is not there.
      if (isValidJson(text)) return done(new InvalidField('body', 'must not use `__proto__` or `constructor.prototype` as a key'), undefined);
      done(error, undefined);
    });
  });
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A body's bytes as text, read strictly as UTF-8; undefined when they are not UTF-8 (a lenient
 * read would keep, and later serve back, U+FFFD in place of each bad byte).
 */
export function utf8Text(bytes: Buffer): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** Why a JSON body cannot be read as sent; undefined when it can. */
function unreadableBody(contentType: string | undefined, contentEncoding: string | undefined): string | undefined {
  const charset = /;\s*charset\s*=\s*"?([^";\s]*)/i.exec(contentType ?? '')?.[1];
  // US-ASCII is UTF-8's first 128 characters: read alike.
  if (charset !== undefined && !/^(utf-?8|us-ascii)$/i.test(charset)) return `JSON is read in UTF-8 only, not charset="${charset}"`;
  const coding = contentEncoding?.trim().toLowerCase();
  if (coding && coding !== 'identity') return `request bodies are read as sent, without a content coding (not ${contentEncoding})`;
  return undefined;
}

function isValidJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
