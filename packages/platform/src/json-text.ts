/**
 * Replies with JSON text that is already serialized (stored seat maps, an event's availability),
 * and the conditional GET around it. The route's response schema still documents the shape;
 * running 100,000 seats through the zod serializer would cost more than the rest of the request.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { codedTag, type ContentCoding, preferredCoding } from './content-coding.js';

export function sendJsonText(reply: FastifyReply, status: number, text: string | Buffer): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send(text);
}

/** A 304 carries no body, whatever the 200's schema says. */
export function sendNotModified(reply: FastifyReply): FastifyReply {
  return reply.code(304).send();
}

/** Whether `If-None-Match` (`"a", W/"b"`, or `*`) names `etag`: the client holds it, a 304 will do. */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(',').some((t) => {
    const tag = t.trim().replace(/^W\//, '');
    return tag === etag || tag === '*';
  });
}

/** A body in one coding: the one asked for, or identity when that could not be had now. */
export interface CodedBody {
  coding: ContentCoding;
  bytes: Buffer;
}

/**
 * Answers a GET of cached JSON text in the client's preferred coding (content-coding.ts), each
 * coding a representation with its own strong tag: 304 when `If-None-Match` holds the tag of the
 * representation this request selects — the coding asked for, or the one `selected` names for it
 * (identity, for a body too small to gain) — else what `body` gives for that coding, tagged for
 * the coding it is in.
 */
export async function sendCodedJson(
  request: FastifyRequest,
  reply: FastifyReply,
  etag: string,
  body: (coding: ContentCoding) => Promise<CodedBody>,
  selected: (requested: ContentCoding) => ContentCoding = (requested) => requested,
): Promise<FastifyReply> {
  const coding = selected(preferredCoding(request.headers['accept-encoding']));
  reply.header('vary', 'accept-encoding');
  if (etagMatches(request.headers['if-none-match'], codedTag(etag, coding))) {
    return sendNotModified(reply.header('etag', codedTag(etag, coding)));
  }
  const answer = await body(coding);
  reply.header('etag', codedTag(etag, answer.coding));
  if (answer.coding !== 'identity') reply.header('content-encoding', answer.coding);
  return sendJsonText(reply, 200, answer.bytes);
}
