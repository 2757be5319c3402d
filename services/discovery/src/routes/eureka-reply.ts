/**
 * How the Eureka API answers: JSON when `Accept` mentions json, XML otherwise (Eureka's default),
 * gzip when the client accepts it; and the full registry cached per version, since 10,000
 * clients fetching it must not serialize it 10,000 times.
 */
import { promisify } from 'node:util';
import { gzip, gzipSync } from 'node:zlib';
import { acceptedCoding } from '@stream-seat/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Json } from '../domain/eureka-json.js';
import { toXml } from '../domain/eureka-xml.js';

export interface Negotiated {
  json: boolean;
  gzip: boolean;
}

export function negotiate(request: FastifyRequest): Negotiated {
  return {
    json: /json/i.test(request.headers.accept ?? ''),
    gzip: acceptedCoding(request.headers['accept-encoding'], ['gzip']) === 'gzip',
  };
}

export interface EncodedBody {
  body: Buffer;
  json: boolean;
  gzip: boolean;
}

export function encodeBody(document: Json, how: Negotiated): EncodedBody {
  const text = how.json ? JSON.stringify(document) : toXml(document);
  const raw = Buffer.from(text);
  return { body: how.gzip ? gzipSync(raw) : raw, json: how.json, gzip: how.gzip };
}

export function sendEncoded(reply: FastifyReply, encoded: EncodedBody, status = 200): FastifyReply {
  reply.code(status).type(encoded.json ? 'application/json' : 'application/xml').header('vary', 'accept, accept-encoding');
  if (encoded.gzip) reply.header('content-encoding', 'gzip');
  return reply.send(encoded.body);
}

export function sendDocument(request: FastifyRequest, reply: FastifyReply, document: Json, status = 200): FastifyReply {
  return sendEncoded(reply, encodeBody(document, negotiate(request)), status);
}

const gzipAsync = promisify(gzip);

/**
 * Encoded documents by key, reused while the registry version is unchanged and younger than
 * `maxAgeMs` (renewals move lease timestamps without a new version; Eureka's cache is 30 s too).
 * The large documents are gzipped off the event loop, and concurrent requests for the same one
 * share a single encoding.
 */
export function createResponseCache(maxAgeMs: number, clock: () => number) {
  const entries = new Map<string, { version: number; at: number; encoded: Promise<EncodedBody> }>();
  return {
    get(key: string, version: number, how: Negotiated, build: () => Json): Promise<EncodedBody> {
      const fullKey = `${key}|${how.json}|${how.gzip}`;
      const now = clock();
      const hit = entries.get(fullKey);
      if (hit && hit.version === version && now - hit.at < maxAgeMs) return hit.encoded;
      const document = build();
      const raw = Buffer.from(how.json ? JSON.stringify(document) : toXml(document));
      const encoded = (how.gzip ? gzipAsync(raw) : Promise.resolve(raw)).then((body) => ({ body, json: how.json, gzip: how.gzip }));
      entries.set(fullKey, { version, at: now, encoded });
      encoded.catch(() => entries.delete(fullKey));
      return encoded;
    },
  };
}
export type ResponseCache = ReturnType<typeof createResponseCache>;
