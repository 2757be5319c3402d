/** HTTP adapter for orders: pay for a hold (idempotent), list mine, read one, cancel one. */
import { createOrderRequest, entityId, idempotencyKeyHeader, noBody, order, page, paginationQuery, problemResponses } from '@stream-seat/contracts';
import { type App, callContextOf, cursorId, cursorTime, decodeCursor, encodeCursor, principalOf, requireRole, type TokenVerifier } from '@stream-seat/platform';
import { z } from 'zod';
import type { OrderWithTickets } from '../db/order.repository.js';
import type { OrderService } from '../domain/order-service.js';
import { toOrderView } from './booking-views.js';
import type { Idempotent } from './idempotency.js';

const orderParams = z.object({ orderId: entityId });
const cursorPosition = z.strictObject({ c: cursorTime, i: cursorId });

export function registerOrderRoutes(app: App, orders: OrderService, verifier: TokenVerifier, idempotent: Idempotent): void {
  const buyer = requireRole(verifier, 'buyer');
  const anyone = requireRole(verifier, 'buyer', 'organizer');

  app.post(
    '/api/orders',
    {
      onRequest: buyer,
      schema: {
        summary: 'Pay for a hold: a confirmed order with one ticket per seat',
        description: 'Test tokens: tok_ok, tok_declined (402, the hold stays), tok_slow (times out: 504, the hold stays). An expired hold: 410.',
        tags: ['orders'],
        security: [{ bearer: [] }],
        headers: idempotencyKeyHeader,
        body: createOrderRequest,
        response: { 201: order, ...problemResponses(400, 401, 402, 403, 404, 409, 410, 422, 504) },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const scope = { owner: principal.sub, route: 'POST /api/orders', body: request.body, locate: (body: Record<string, unknown>) => `/api/orders/${String(body['orderId'])}` };
      return idempotent(request, reply, scope, async (reservation) => {
        const answer = (placed: OrderWithTickets) => ({ status: 201, body: toOrderView(placed) });
        const placed = await orders.place(principal, request.body, callContextOf(request), reservation && { ...reservation, answer });
        // With a key, the order's transaction stored the answer as the key's.
        return { ...answer(placed), stored: reservation !== undefined };
      });
    },
  );

  app.get(
    '/api/orders',
    {
      onRequest: anyone,
      schema: {
        summary: 'My orders, newest first',
        tags: ['orders'],
        security: [{ bearer: [] }],
        querystring: paginationQuery,
        response: { 200: page(order), ...problemResponses(400, 401) },
      },
    },
    async (request) => {
      const { limit, cursor } = request.query;
      const position = decodeCursor(cursor, cursorPosition);
      const rows = await orders.list(principalOf(request), limit + 1, position && { createdAt: position.c, id: position.i });
      const items = rows.slice(0, limit);
      const last = items.at(-1)?.order;
      return {
        items: items.map(toOrderView),
        nextCursor: rows.length > limit && last ? encodeCursor({ c: last.created_at, i: last.id }) : null,
      };
    },
  );

  app.get(
    '/api/orders/:orderId',
    {
      onRequest: anyone,
      schema: {
        summary: 'One order: its buyer, the event organizer',
        tags: ['orders'],
        security: [{ bearer: [] }],
        params: orderParams,
        response: { 200: order, ...problemResponses(400, 401, 404) },
      },
    },
    async (request) => toOrderView(await orders.get(principalOf(request), request.params.orderId)),
  );

  app.post(
    '/api/orders/:orderId/cancel',
    {
      onRequest: anyone,
      schema: {
        summary: 'Cancel an order: refund, seats back on sale',
        description:
          'Its buyer may cancel until a ticket of it is checked in (then 409 order-checked-in) and until the event starts (then 409 event-started); the event organiser and admins at any time. 200 once the cancel is accepted: status CANCELLED, its tickets VOID (they admit no one), its seats back on sale. `refund: "PENDING"` while its refund is not through yet (the payment provider failed, or another request is refunding it): the refund is retried in the background until it goes through. No need to repeat the request; doing so answers the order as it stands.',
        tags: ['orders'],
        security: [{ bearer: [] }],
        params: orderParams,
        body: noBody,
        response: { 200: order, ...problemResponses(400, 401, 404, 409) },
      },
    },
    async (request) => {
      // 200 also while the refund is pending: the cancel itself is done (tickets void, seats on
      // sale), only the money is on its way — and a payment provider's outage is no fault of this
      // instance (the gateway counts 502/503 against it).
      return toOrderView(await orders.cancel(principalOf(request), request.params.orderId, callContextOf(request)));
    },
  );
}
