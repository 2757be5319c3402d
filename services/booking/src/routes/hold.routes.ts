/** HTTP adapter for holds: POST (idempotent), GET and DELETE for the hold's buyer. */
import { createHoldRequest, entityId, hold, idempotencyKeyHeader, noBody, page, paginationQuery, problemResponses } from '@stream-seat/contracts';
import { type App, callContextOf, cursorId, cursorTime, decodeCursor, encodeCursor, principalOf, requireRole, type TokenVerifier } from '@stream-seat/platform';
import { z } from 'zod';
import type { HoldTable } from '../db/schema.js';
import type { HoldService } from '../domain/hold-service.js';
import { toHoldView } from './booking-views.js';
import type { Idempotent } from './idempotency.js';

const holdParams = z.object({ holdId: entityId });
const runningHoldsQuery = paginationQuery.extend({ eventId: entityId });
const cursorPosition = z.strictObject({ c: cursorTime, i: cursorId });
/** A bodiless answer: `type: 'null'` is what tells @fastify/swagger to document it without content. */
const noContent = (description: string) => z.null().meta({ description, type: 'null' });

export function registerHoldRoutes(app: App, holds: HoldService, verifier: TokenVerifier, idempotent: Idempotent, clock: () => number): void {
  const buyer = requireRole(verifier, 'buyer');

  app.post(
    '/api/holds',
    {
      onRequest: buyer,
      schema: {
        summary: 'Hold seats: explicit seatIds, or best available by quantity',
        tags: ['holds'],
        security: [{ bearer: [] }],
        headers: idempotencyKeyHeader,
        body: createHoldRequest,
        response: { 201: hold, ...problemResponses(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const scope = { owner: principal.sub, route: 'POST /api/holds', body: request.body, locate: (body: Record<string, unknown>) => `/api/holds/${String(body['holdId'])}` };
      return idempotent(request, reply, scope, async (reservation) => {
        const answer = (made: HoldTable) => ({ status: 201, body: toHoldView(made, clock()) });
        const made = await holds.create(principal, request.body, callContextOf(request), reservation && { ...reservation, answer });
        // With a key, the claim's transaction stored the answer as the key's.
        return { ...answer(made), stored: reservation !== undefined };
      });
    },
  );

  app.get(
    '/api/holds',
    {
      onRequest: buyer,
      schema: {
        summary: 'My holds of an event still running, newest first',
        description: 'What a new tab or another device of the buyer needs to pay for (or release) a hold made elsewhere.',
        tags: ['holds'],
        security: [{ bearer: [] }],
        querystring: runningHoldsQuery,
        response: { 200: page(hold), ...problemResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const { eventId, limit, cursor } = request.query;
      const position = decodeCursor(cursor, cursorPosition);
      const rows = await holds.running(principalOf(request), eventId, limit + 1, position && { createdAt: position.c, id: position.i });
      const items = rows.slice(0, limit);
      const last = items.at(-1);
      return {
        items: items.map((row) => toHoldView(row, clock())),
        nextCursor: rows.length > limit && last ? encodeCursor({ c: last.created_at, i: last.id }) : null,
      };
    },
  );

  app.get(
    '/api/holds/:holdId',
    {
      onRequest: buyer,
      schema: {
        summary: 'One of my holds',
        tags: ['holds'],
        security: [{ bearer: [] }],
        params: holdParams,
        response: { 200: hold, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const found = await holds.get(principalOf(request), request.params.holdId);
      return toHoldView(found, clock(), await holds.orderIdOf(found));
    },
  );

  app.delete(
    '/api/holds/:holdId',
    {
      onRequest: buyer,
      schema: {
        summary: 'Release one of my holds',
        description: 'Releasing a hold that has already ended changes nothing; one that became an order is a 409 naming it (`orderId`).',
        tags: ['holds'],
        security: [{ bearer: [] }],
        params: holdParams,
        // Bodiless: `{}` or nothing; a field sent to it is named, not ignored.
        body: noBody,
        response: { 204: noContent('Released'), ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      await holds.release(principalOf(request), request.params.holdId);
      return reply.code(204).send(null);
    },
  );
}
