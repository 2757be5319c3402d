/**
 * Request bodies as Eureka clients send them: JSON or XML, and often `Content-Type:
 * application/json` with an empty body on renew and status calls, which fastify would refuse.
 */
import type { App } from '@stream-seat/platform';
import { BadRequest } from '@stream-seat/platform';
import { InvalidXml, parseXml } from '../domain/eureka-xml.js';

export function registerEurekaBodyParsers(app: App): void {
  // fastify's own parser underneath: it refuses `__proto__` and `constructor.prototype` keys.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    parseJson(request, text, (error, parsed) => {
      if (error) done(new BadRequest(`body: ${error.message}`), undefined);
      else done(null, parsed);
    });
  });
  app.addContentTypeParser(['application/xml', 'text/xml'], { parseAs: 'string' }, (_request, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, parseXml(text));
    } catch (error) {
      if (error instanceof InvalidXml) return done(new BadRequest(`body: not XML (${error.message})`), undefined);
      done(error as Error, undefined);
    }
  });
}
