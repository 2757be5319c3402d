/**
 * Replies with JSON text that is already serialized (stored seat maps, an event's availability),
 * and the conditional GET around it. The route's response schema still documents the shape;
 * running 100,000 seats through the zod serializer would cost more than the rest of the request.
 */
import type { FastifyReply } from 'fastify';

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
