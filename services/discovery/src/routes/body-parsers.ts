/**
 * Request bodies as Eureka clients send them: JSON (the platform's parser, which also takes the
 * empty body of renew and status calls as none) or XML.
 */
import type { App } from '@stream-seat/platform';
import { BadRequest, InvalidField, utf8Text } from '@stream-seat/platform';
import { InvalidXml, parseXml, TooManyXmlTags } from '../domain/eureka-xml.js';

export function registerEurekaBodyParsers(app: App): void {
  app.addContentTypeParser(['application/xml', 'text/xml'], { parseAs: 'buffer' }, (_request, body, done) => {
    const text = utf8Text(body as Buffer);
    if (text === undefined) return done(new InvalidField('body', 'is not valid UTF-8'), undefined);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, parseXml(text));
    } catch (error) {
      if (error instanceof InvalidXml) return done(new BadRequest(`body: not XML (${error.message})`), undefined);
      if (error instanceof TooManyXmlTags) return done(new BadRequest(`body: ${error.message}`), undefined);
      done(error as Error, undefined);
    }
  });
}
