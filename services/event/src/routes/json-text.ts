/**
 * Replies with JSON text that is already serialized (stored seat maps). The route's response
 * schema still documents the shape; running 100,000 seats through the zod serializer would cost
 * more than the rest of the request.
 */
import type { FastifyReply } from 'fastify';

export function sendJsonText(reply: FastifyReply, status: number, text: string | Buffer): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send(text);
}

/** A 304 carries no body, whatever the 200's schema says. */
export function sendNotModified(reply: FastifyReply): FastifyReply {
  return reply.code(304).send();
}
