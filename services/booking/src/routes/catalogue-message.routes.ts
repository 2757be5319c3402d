/**
 * `POST /internal/catalogue-messages`: the event service's outbox delivers here (at least once;
 * any 2xx acknowledges). Not routed by the gateway; callers must present the SERVICE_TOKEN.
 */
import { catalogueMessage } from '@stream-seat/contracts';
import { type App, requireServiceToken } from '@stream-seat/platform';
import { z } from 'zod';
import type { CatalogueMessageHandler } from '../domain/catalogue-message-handler.js';

export function registerCatalogueMessageRoutes(app: App, handler: CatalogueMessageHandler, serviceToken: string): void {
  app.post(
    '/internal/catalogue-messages',
    {
      onRequest: requireServiceToken(serviceToken),
      schema: {
        summary: 'Receive a catalogue outbox message (event published / cancelled)',
        tags: ['internal'],
        body: catalogueMessage,
        response: { 200: z.object({ id: z.string(), outcome: z.enum(['processed', 'duplicate']) }) },
      },
    },
    async (request) => ({ id: request.body.id, outcome: await handler.handle(request.body) }),
  );
}
